"""S3 rules: AT005 lifecycle filter/prefix, AT011 ALB logs to SSE-KMS, SEC004 public access."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
LIFECYCLE = "aws_s3_bucket_lifecycle_configuration"
BUCKET, PAB = "aws_s3_bucket", "aws_s3_bucket_public_access_block"
SSE = "aws_s3_bucket_server_side_encryption_configuration"
ALL_ON = dict.fromkeys(
    ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"),
    True,
)


def lifecycle(*rules):
    return {
        "bucket": "logs",
        "rule": [{"id": f"r{i}", "status": "Enabled", **r} for i, r in enumerate(rules)],
    }


def logs_setup(k, algorithm, *, linked=True):
    """An ALB logging to the logs bucket, and that bucket's default encryption."""
    return k.document(
        k.resource(
            "aws_lb",
            "api",
            values={"access_logs": {"bucket": UNKNOWN, "enabled": True, "prefix": "alb"}},
            references={"access_logs.bucket": "aws_s3_bucket.logs"} if linked else {},
        ),
        k.resource(BUCKET, "logs", values={"bucket": UNKNOWN}),
        k.resource(
            SSE,
            "logs",
            values={
                "bucket": UNKNOWN,
                "rule": [
                    {"apply_server_side_encryption_by_default": [{"sse_algorithm": algorithm}]}
                ],
            },
            references={"bucket": "aws_s3_bucket.logs"},
        ),
    )


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
        pytest.param("AT011", lambda k: logs_setup(k, "AES256"), [], id="AT011-pass-sse-s3"),
        pytest.param(
            "AT011",
            lambda k: logs_setup(k, "aws:kms"),
            [(E, "access_logs go to aws_s3_bucket.logs, which")],
            id="AT011-fail-kms",
        ),
        pytest.param(
            "AT011",
            lambda k: logs_setup(k, "aws:kms", linked=False),
            [],
            id="AT011-unknown-bucket-link",
        ),
        pytest.param(
            "AT011",
            lambda k: logs_setup(k, UNKNOWN),
            [],
            id="AT011-unknown-algorithm",
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
