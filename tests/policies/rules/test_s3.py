"""Rules of policies/rules/s3: table-driven passing, failing and unknown cases."""

from __future__ import annotations

import json

import pytest

from policies.model import UNKNOWN, Severity
from tests.policies.rules.builders import doc, templated

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


ALLOW_S3 = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        # AT205 resource policy without Principal
        pytest.param(
            "AT205",
            lambda k: k.document(
                k.resource(
                    "aws_s3_bucket_policy", values={"policy": doc({**ALLOW_S3, "Principal": "*"})}
                )
            ),
            [],
            id="AT205-pass",
        ),
        pytest.param(
            "AT205",
            lambda k: k.document(
                k.resource("aws_s3_bucket_policy", values={"policy": doc(ALLOW_S3)})
            ),
            [(E, "Missing required field Principal")],
            id="AT205-fail-bucket",
        ),
        pytest.param(
            "AT205",
            lambda k: k.document(
                k.resource(
                    "aws_sns_topic_policy",
                    values={"policy": doc({**ALLOW_S3, "Action": "sns:Publish"})},
                )
            ),
            [(E, "(aws_sns_topic_policy) must say who it applies to")],
            id="AT205-fail-topic",
        ),
        pytest.param(
            "AT205",
            lambda k: k.document(k.resource("aws_sqs_queue_policy", values={"policy": UNKNOWN})),
            [],
            id="AT205-unknown",
        ),
        # AT207 S3 bucket policy resources
        pytest.param(
            "AT207",
            lambda k: k.document(
                k.resource(
                    "aws_s3_bucket_policy",
                    values={
                        "bucket": "b",
                        "policy": doc(
                            {**ALLOW_S3, "Principal": "*"},
                            {
                                "Effect": "Allow",
                                "Principal": "*",
                                "Action": "s3:ListBucket",
                                "Resource": "arn:aws:s3:::b",
                            },
                            {
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "s3:*",
                                "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                            },
                        ),
                    },
                )
            ),
            [],
            id="AT207-pass",
        ),
        pytest.param(
            "AT207",
            lambda k: k.document(
                k.resource(
                    "aws_s3_bucket_policy",
                    values={
                        "bucket": "b",
                        "policy": doc(
                            {
                                "Effect": "Allow",
                                "Principal": "*",
                                "Action": ["s3:ListBucket", "s3:GetObject"],
                                "Resource": "arn:aws:s3:::b/*",
                            }
                        ),
                    },
                )
            ),
            [(E, "s3:ListBucket apply to none of its resources")],
            id="AT207-fail-action-resource-mismatch",
        ),
        pytest.param(
            "AT207",
            lambda k: k.document(
                k.resource(
                    "aws_s3_bucket_policy",
                    values={
                        "bucket": UNKNOWN,
                        "policy": doc(
                            {**ALLOW_S3, "Principal": "*", "Resource": "arn:aws:s3:::other/*"}
                        ),
                    },
                    references={"bucket": "aws_s3_bucket.b"},
                ),
                k.resource("aws_s3_bucket", "b", values={"bucket": "logs"}),
            ),
            [(E, "outside bucket logs")],
            id="AT207-fail-foreign-bucket",
        ),
        pytest.param(
            "AT207",
            lambda k: k.document(
                templated(
                    k,
                    "aws_s3_bucket_policy",
                    "policy",
                    '{"Statement": [{"Effect": "Allow", "Principal": "*", '
                    '"Action": "s3:ListBucket", "Resource": "${aws_s3_bucket.b.arn}/*"}]}',
                    bucket="b",
                )
            ),
            [],
            id="AT207-unknown-resource",
        ),
    ],
)
def test_document_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)


S3_SEND = {
    "Effect": "Allow",
    "Principal": {"Service": "s3.amazonaws.com"},
    "Action": "sqs:SendMessage",
    "Resource": "*",
}


def notification(k, *extra, queue_policy=None, key="queue", target="aws_sqs_queue.q"):
    argument = {
        "queue": "queue_arn",
        "topic": "topic_arn",
        "lambda_function": "lambda_function_arn",
    }[key]
    queue_values = {"name": "jobs"}
    if queue_policy is not None:
        queue_values["policy"] = queue_policy
    return k.document(
        k.resource(
            "aws_s3_bucket_notification",
            values={"bucket": "b", key: [{argument: UNKNOWN, "events": ["s3:ObjectCreated:*"]}]},
            references={f"{key}.0.{argument}": target},
        ),
        k.resource("aws_sqs_queue", "q", values=queue_values),
        k.resource("aws_sns_topic", "t", values={"name": "events"}),
        k.resource("aws_lambda_function", "f", values={"function_name": "worker"}),
        *extra,
    )


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        # AT214 S3 notifications
        pytest.param(
            "AT214",
            lambda k: notification(
                k, queue_policy=json.dumps({"Version": "2012-10-17", "Statement": [S3_SEND]})
            ),
            [],
            id="AT214-pass-queue-policy",
        ),
        pytest.param(
            "AT214",
            lambda k: notification(
                k,
                k.resource(
                    "aws_sqs_queue_policy",
                    values={"queue_url": UNKNOWN, "policy": json.dumps({"Statement": [S3_SEND]})},
                    references={"queue_url": "aws_sqs_queue.q"},
                ),
            ),
            [],
            id="AT214-pass-separate-policy",
        ),
        pytest.param(
            "AT214",
            notification,
            [(E, "Unable to validate the following destination configurations")],
            id="AT214-fail-queue-without-policy",
        ),
        pytest.param(
            "AT214",
            lambda k: notification(
                k,
                k.resource(
                    "aws_sns_topic_policy",
                    values={
                        "arn": UNKNOWN,
                        "policy": json.dumps(
                            {
                                "Statement": [
                                    {
                                        **S3_SEND,
                                        "Principal": {"AWS": "arn:aws:iam::1:root"},
                                        "Action": "sns:Publish",
                                    }
                                ]
                            }
                        ),
                    },
                    references={"arn": "aws_sns_topic.t"},
                ),
                key="topic",
                target="aws_sns_topic.t",
            ),
            [(E, "does not allow the s3.amazonaws.com service principal sns:Publish")],
            id="AT214-fail-topic-policy-for-account-only",
        ),
        pytest.param(
            "AT214",
            lambda k: notification(k, key="lambda_function", target="aws_lambda_function.f"),
            [(E, "no aws_lambda_permission lets s3.amazonaws.com invoke it")],
            id="AT214-fail-lambda-without-permission",
        ),
        pytest.param(
            "AT214",
            lambda k: notification(
                k,
                k.resource(
                    "aws_lambda_permission",
                    values={"function_name": UNKNOWN, "principal": "s3.amazonaws.com"},
                    references={"function_name": "aws_lambda_function.f"},
                ),
                key="lambda_function",
                target="aws_lambda_function.f",
            ),
            [],
            id="AT214-pass-lambda-permission",
        ),
        pytest.param(
            "AT214",
            lambda k: notification(
                k,
                k.resource(
                    "aws_sqs_queue_policy",
                    values={"queue_url": UNKNOWN, "policy": UNKNOWN},
                    references={"queue_url": "aws_sqs_queue.q"},
                ),
            ),
            [],
            id="AT214-unknown-policy",
        ),
    ],
)
def test_relation_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)


# -- AT320: bucket ACL vs ownership controls ------------------------------------------------------


def acl_setup(k, ownership="absent", *, acl="private", bucket_actions=(), plan=False):
    resources = [
        k.resource("aws_s3_bucket", "logs", values={"bucket": "logs-1"}, actions=bucket_actions),
        k.resource(
            "aws_s3_bucket_acl",
            "logs",
            values={"bucket": UNKNOWN, "acl": acl},
            references={"bucket": "aws_s3_bucket.logs"},
            actions=("create",) if plan else (),
        ),
    ]
    if ownership != "absent":
        resources.append(
            k.resource(
                "aws_s3_bucket_ownership_controls",
                "logs",
                values={"bucket": UNKNOWN, "rule": [{"object_ownership": ownership}]},
                references={"bucket": "aws_s3_bucket.logs"},
                actions=("create",) if plan else (),
            )
        )
    return k.document(*resources, kind="plan" if plan else "config")


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: acl_setup(k, "BucketOwnerEnforced"),
            [(E, "BucketOwnerEnforced")],
            id="AT320-fail-enforced",
        ),
        pytest.param(
            lambda k: acl_setup(k, bucket_actions=("create",), plan=True),
            [(E, "a new bucket")],
            id="AT320-fail-new-bucket-in-plan",
        ),
        pytest.param(acl_setup, [(W, "created since April 2023")], id="AT320-warn-config"),
        pytest.param(lambda k: acl_setup(k, "BucketOwnerPreferred"), [], id="AT320-pass-preferred"),
        pytest.param(
            lambda k: acl_setup(k, "ObjectWriter", acl="log-delivery-write"),
            [],
            id="AT320-pass-object-writer",
        ),
        pytest.param(
            lambda k: acl_setup(k, bucket_actions=("no-op",), plan=True),
            [],
            id="AT320-pass-existing-bucket-in-plan",
        ),
        pytest.param(lambda k: acl_setup(k, UNKNOWN), [], id="AT320-unknown-ownership"),
        pytest.param(
            lambda k: acl_setup(k, "BucketOwnerEnforced", acl=UNKNOWN), [], id="AT320-unknown-acl"
        ),
        pytest.param(
            lambda k: k.document(
                k.resource("aws_s3_bucket_acl", values={"bucket": "elsewhere", "acl": "private"})
            ),
            [],
            id="AT320-unknown-bucket-not-in-configuration",
        ),
    ],
)
def test_bucket_acl_without_acls(kit, build, expected):
    kit.expect("AT320", build(kit), expected)


# -- AT325: replication and versioning ---------------------------------------------------------


def replication(k, source="Enabled", replica="Enabled", *, plan=False, inline=None):
    created = ("create",) if plan else ()
    resources = [
        k.resource(
            "aws_s3_bucket", "src", values={"bucket": "src", **(inline or {})}, actions=created
        ),
        k.resource("aws_s3_bucket", "dst", values={"bucket": "dst"}, actions=created),
        k.resource(
            "aws_s3_bucket_replication_configuration",
            values={
                "bucket": UNKNOWN,
                "role": "arn:aws:iam::1:role/r",
                "rule": [{"id": "all", "status": "Enabled", "destination": [{"bucket": UNKNOWN}]}],
            },
            references={
                "bucket": "aws_s3_bucket.src",
                "rule.0.destination.0.bucket": "aws_s3_bucket.dst",
            },
            actions=created,
        ),
    ]
    for name, status in (("src", source), ("dst", replica)):
        if status != "absent":
            resources.append(
                k.resource(
                    "aws_s3_bucket_versioning",
                    name,
                    values={"bucket": UNKNOWN, "versioning_configuration": [{"status": status}]},
                    references={"bucket": f"aws_s3_bucket.{name}"},
                    actions=created,
                )
            )
    return k.document(*resources, kind="plan" if plan else "config")


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: replication(k, source="Suspended"),
            [(E, "Versioning must be 'Enabled'")],
            id="AT325-fail-source-suspended",
        ),
        pytest.param(
            lambda k: replication(k, replica="absent", plan=True),
            [(E, "Destination bucket must have versioning enabled")],
            id="AT325-fail-new-destination-without-versioning",
        ),
        pytest.param(
            lambda k: replication(k, source="absent"),
            [(W, "may have been enabled outside")],
            id="AT325-warn-config-without-versioning",
        ),
        pytest.param(replication, [], id="AT325-pass"),
        pytest.param(
            lambda k: replication(k, source="absent", inline={"versioning": [{"enabled": True}]}),
            [],
            id="AT325-pass-inline-versioning",
        ),
        pytest.param(lambda k: replication(k, source=UNKNOWN), [], id="AT325-unknown-status"),
        pytest.param(
            lambda k: replication(k, source="absent", inline={"versioning": UNKNOWN}),
            [],
            id="AT325-unknown-inline",
        ),
    ],
)
def test_replication_without_versioning(kit, build, expected):
    kit.expect("AT325", build(kit), expected)


def test_date_based_expiration_is_not_compared_with_transition_days(kit):
    rule_block = {
        "id": "archive",
        "status": "Enabled",
        "transition": [{"days": 30, "storage_class": "GLACIER"}],
        "expiration": [{"days": 0, "date": "2027-01-01T00:00:00Z"}],
    }
    document = kit.document(
        kit.resource(
            "aws_s3_bucket_lifecycle_configuration", values={"bucket": "b", "rule": [rule_block]}
        )
    )
    assert kit.findings("AT303", document) == []


LIFECYCLE = "aws_s3_bucket_lifecycle_configuration"


BUCKET, PAB = "aws_s3_bucket", "aws_s3_bucket_public_access_block"


ALL_ON = dict.fromkeys(
    ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"),
    True,
)


def lifecycle(*rules):
    return {
        "bucket": "logs",
        "rule": [{"id": f"r{i}", "status": "Enabled", **r} for i, r in enumerate(rules)],
    }


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "AT005",
            lambda k: k.document(
                k.resource(
                    LIFECYCLE, values=lifecycle({"filter": {}}, {"filter": [{"prefix": ""}]})
                )
            ),
            [],
            id="AT005-pass-filter-even-empty",
        ),
        pytest.param(
            "AT005",
            lambda k: k.document(k.resource(LIFECYCLE, values=lifecycle({"prefix": "logs/"}))),
            [],
            id="AT005-pass-prefix-only",
        ),
        pytest.param(
            "AT005",
            lambda k: k.document(
                k.resource(LIFECYCLE, values=lifecycle({"expiration": {"days": 1}}))
            ),
            [(E, "rule[0] (r0) has neither filter nor prefix")],
            id="AT005-fail-neither",
        ),
        pytest.param(
            "AT005",
            lambda k: k.document(
                k.resource(
                    LIFECYCLE, values=lifecycle({"filter": {}}, {"filter": {}, "prefix": "a/"})
                )
            ),
            [(E, "rule[1] (r1) sets both filter and the deprecated prefix")],
            id="AT005-fail-both",
        ),
        pytest.param(
            "AT005",
            lambda k: k.document(
                k.resource(LIFECYCLE, values=lifecycle({"filter": [{"prefix": ""}], "prefix": ""})),
                kind="plan",
            ),
            [],
            id="AT005-pass-plan-shows-unset-prefix-as-empty",
        ),
        pytest.param(
            "AT005",
            lambda k: k.document(
                k.resource(LIFECYCLE, values=lifecycle({"filter": UNKNOWN}, {"prefix": UNKNOWN}))
            ),
            [],
            id="AT005-unknown",
        ),
        pytest.param(
            "SEC004",
            lambda k: k.document(
                k.resource(BUCKET, "logs", values={"bucket": "logs"}),
                k.resource(PAB, "logs", values={"bucket": "logs", **ALL_ON}),
                environment="prod",
            ),
            [],
            id="SEC004-pass",
        ),
        pytest.param(
            "SEC004",
            lambda k: k.document(
                k.resource(BUCKET, "logs", values={"bucket": UNKNOWN}),
                k.resource(
                    PAB,
                    "logs",
                    values={
                        "bucket": UNKNOWN,
                        "block_public_acls": True,
                        "ignore_public_acls": False,
                    },
                    references={"bucket": "aws_s3_bucket.logs"},
                ),
                environment="prod",
            ),
            [(E, "block_public_policy, ignore_public_acls, restrict_public_buckets are not true")],
            id="SEC004-fail-prod-settings-off-or-absent",
        ),
        pytest.param(
            "SEC004",
            lambda k: k.document(
                k.resource(BUCKET, "logs", values={"bucket": "logs"}),
                k.resource(BUCKET, "assets", values={"bucket": "assets"}),
                k.resource(PAB, "logs", values={"bucket": "logs", **ALL_ON}),
                environment="dev",
            ),
            [(INFO, "no aws_s3_bucket_public_access_block for this bucket")],
            id="SEC004-info-dev-missing-block",
        ),
        pytest.param(
            "SEC004",
            lambda k: k.document(
                k.resource(BUCKET, "logs", values={"bucket": UNKNOWN}),
                k.resource(
                    PAB, "logs", values={"bucket": UNKNOWN, **ALL_ON, "block_public_acls": UNKNOWN}
                ),
                environment="prod",
            ),
            [],
            id="SEC004-unknown-link-and-value",
        ),
    ],
)
def test_s3_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
