"""IAM / KMS / resource policy documents: AT200-AT208, table-driven, plus the loader path."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from policies.loader import load_file
from policies.model import UNKNOWN, Severity
from policies.registry import REGISTRY
from policies.toolkit.documents import HOLE, read_document

E, W = Severity.ERROR, Severity.WARNING
ALLOW_S3 = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
ROOT = {"AWS": "arn:aws:iam::123456789012:root"}
TRUST = {
    "Effect": "Allow",
    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole",
}


def doc(*statements, **top):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements), **top})


def templated(k, type_, attribute, template, **values):
    """A resource whose ``attribute`` is a CDKTF template (UNKNOWN with its raw text kept)."""
    resource = k.resource(type_, values={attribute: UNKNOWN, **values})
    return replace(resource, templates={attribute: template})


def key_policy(*statements, **values):
    return {"policy": doc(*statements), **values}


ROOT_ADMIN = {
    "Sid": "Root",
    "Effect": "Allow",
    "Principal": ROOT,
    "Action": "kms:*",
    "Resource": "*",
}
USE_ONLY = {
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"},
    "Action": ["kms:Decrypt", "kms:Encrypt"],
    "Resource": "*",
}


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        # AT200 Principal in an identity policy
        pytest.param(
            "AT200",
            lambda k: k.document(k.resource("aws_iam_policy", values={"policy": doc(ALLOW_S3)})),
            [],
            id="AT200-pass",
        ),
        pytest.param(
            "AT200",
            lambda k: k.document(
                k.resource(
                    "aws_iam_role_policy",
                    values={"policy": doc({**ALLOW_S3, "Principal": {"AWS": "*"}})},
                )
            ),
            [(E, "Policy document should not specify a principal")],
            id="AT200-fail-role-policy",
        ),
        pytest.param(
            "AT200",
            lambda k: k.document(
                k.resource(
                    "aws_iam_role",
                    values={
                        "assume_role_policy": doc(TRUST),
                        "inline_policy": [
                            {"name": "x", "policy": doc({**ALLOW_S3, "NotPrincipal": ROOT})}
                        ],
                    },
                )
            ),
            [(E, "inline_policy[0].policy Statement[0] has NotPrincipal")],
            id="AT200-fail-inline-policy",
        ),
        pytest.param(
            "AT200",
            lambda k: k.document(k.resource("aws_iam_policy", values={"policy": UNKNOWN})),
            [],
            id="AT200-unknown",
        ),
        pytest.param(
            "AT200",
            lambda k: k.document(
                templated(k, "aws_iam_policy", "policy", "${jsonencode(local.doc)}")
            ),
            [],
            id="AT200-unknown-jsonencode",
        ),
        # AT201 missing Effect / Action / Resource, unknown elements
        pytest.param(
            "AT201",
            lambda k: k.document(
                k.resource("aws_iam_policy", values={"policy": doc(ALLOW_S3)}),
                k.resource("aws_iam_role", "r", values={"assume_role_policy": doc(TRUST)}),
                k.resource(
                    "aws_s3_bucket_policy",
                    values={"policy": doc({**ALLOW_S3, "Principal": "*", "Sid": "Public read"})},
                ),
            ),
            [],
            id="AT201-pass-identity-trust-and-bucket",
        ),
        pytest.param(
            "AT201",
            lambda k: k.document(
                k.resource(
                    "aws_iam_policy",
                    values={"policy": doc({"Effect": "Allow", "Action": "s3:GetObject"})},
                )
            ),
            [(E, "Policy statement must contain resources")],
            id="AT201-fail-no-resource",
        ),
        pytest.param(
            "AT201",
            lambda k: k.document(
                k.resource(
                    "aws_iam_policy",
                    values={"policy": doc({"Effect": "Allow", "Resource": "*"})},
                )
            ),
            [(E, "Policy statement must contain actions")],
            id="AT201-fail-no-action",
        ),
        pytest.param(
            "AT201",
            lambda k: k.document(
                k.resource("aws_sqs_queue", values={"policy": doc({**ALLOW_S3, "Effect": "allow"})})
            ),
            [(E, 'has an Effect other than "Allow" or "Deny"')],
            id="AT201-fail-effect-case",
        ),
        pytest.param(
            "AT201",
            lambda k: k.document(
                k.resource(
                    "aws_iam_policy",
                    values={"policy": doc({**ALLOW_S3, "Actions": ["s3:PutObject"]})},
                )
            ),
            [(E, "has an element IAM does not know")],
            id="AT201-fail-unknown-element",
        ),
        pytest.param(
            "AT201",
            lambda k: k.document(
                k.resource(
                    "aws_iam_policy",
                    values={"policy": json.dumps({"Version": "2012-10-17", "Statements": []})},
                )
            ),
            [(E, "top-level element(s) Statements")],
            id="AT201-fail-top-level",
        ),
        pytest.param(
            "AT201",
            lambda k: k.document(
                k.resource(
                    "aws_iam_role",
                    values={"assume_role_policy": doc({"Principal": ROOT, "Action": "sts:*"})},
                )
            ),
            [(E, "has no Effect")],
            id="AT201-fail-trust-without-effect",
        ),
        pytest.param(
            "AT201",
            lambda k: k.document(
                templated(
                    k,
                    "aws_iam_policy",
                    "policy",
                    '{"Statement": [{"Effect": "${var.effect}", "Action": "s3:GetObject", '
                    '"Resource": "${aws_s3_bucket.b.arn}/*"}]}',
                )
            ),
            [],
            id="AT201-unknown-effect-and-resource",
        ),
        pytest.param(
            "AT201",
            lambda k: k.document(
                k.resource(
                    "aws_iam_policy",
                    "p",
                    values={"policy": UNKNOWN},
                    references={"policy": "data.aws_iam_policy_document.d"},
                ),
                replace(
                    k.resource(
                        "aws_iam_policy_document",
                        "d",
                        values={"statement": [{"actions": ["s3:GetObject"]}]},
                    ),
                    address="data.aws_iam_policy_document.d",
                    mode="data",
                ),
            ),
            [(E, "Policy statement must contain resources")],
            id="AT201-fail-policy-document-data-source",
        ),
        pytest.param(
            "AT201",
            lambda k: k.document(
                k.resource(
                    "aws_iam_policy",
                    "p",
                    values={"policy": UNKNOWN},
                    references={"policy": "data.aws_iam_policy_document.d"},
                ),
                replace(
                    k.resource(
                        "aws_iam_policy_document",
                        "d",
                        values={"statement": [{"actions": ["s3:GetObject"], "resources": UNKNOWN}]},
                    ),
                    address="data.aws_iam_policy_document.d",
                    mode="data",
                ),
            ),
            [],
            id="AT201-unknown-data-source-resources",
        ),
        # AT202 Sid
        pytest.param(
            "AT202",
            lambda k: k.document(
                k.resource("aws_iam_policy", values={"policy": doc({**ALLOW_S3, "Sid": "Read1"})})
            ),
            [],
            id="AT202-pass",
        ),
        pytest.param(
            "AT202",
            lambda k: k.document(
                k.resource(
                    "aws_iam_policy", values={"policy": doc({**ALLOW_S3, "Sid": "read-objects"})}
                )
            ),
            [(E, "Statement IDs (SID) must be alpha-numeric")],
            id="AT202-fail-dash",
        ),
        pytest.param(
            "AT202",
            lambda k: k.document(
                k.resource(
                    "aws_iam_role",
                    values={
                        "assume_role_policy": doc({**TRUST, "Sid": "A"}, {**TRUST, "Sid": "A"})
                    },
                )
            ),
            [(E, "must be unique")],
            id="AT202-fail-duplicate-in-trust-policy",
        ),
        pytest.param(
            "AT202",
            lambda k: k.document(
                k.resource(
                    "aws_s3_bucket_policy",
                    values={"policy": doc({**ALLOW_S3, "Principal": "*", "Sid": "Public read"})},
                )
            ),
            [],
            id="AT202-pass-bucket-policy-may-have-spaces",
        ),
        pytest.param(
            "AT202",
            lambda k: k.document(
                templated(
                    k,
                    "aws_iam_policy",
                    "policy",
                    '{"Statement": [{"Sid": "${var.sid}-x", "Effect": "Allow", "Action": "*", '
                    '"Resource": "*"}]}',
                )
            ),
            [],
            id="AT202-unknown-sid",
        ),
        # AT203 Resource in a trust policy
        pytest.param(
            "AT203",
            lambda k: k.document(
                k.resource("aws_iam_role", values={"assume_role_policy": doc(TRUST)})
            ),
            [],
            id="AT203-pass",
        ),
        pytest.param(
            "AT203",
            lambda k: k.document(
                k.resource(
                    "aws_iam_role", values={"assume_role_policy": doc({**TRUST, "Resource": "*"})}
                )
            ),
            [(E, "Has prohibited field Resource")],
            id="AT203-fail",
        ),
        pytest.param(
            "AT203",
            lambda k: k.document(
                templated(
                    k,
                    "aws_iam_role",
                    "assume_role_policy",
                    '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": '
                    '"arn:aws:iam::${data.aws_caller_identity.c.account_id}:root"}, '
                    '"Action": "sts:AssumeRole", "Resource": "*"}]}',
                )
            ),
            [(E, "Has prohibited field Resource")],
            id="AT203-fail-template-with-reference",
        ),
        pytest.param(
            "AT203",
            lambda k: k.document(
                templated(k, "aws_iam_role", "assume_role_policy", '${file("trust.json")}')
            ),
            [],
            id="AT203-unknown",
        ),
        # AT204 trust policy principal and actions
        pytest.param(
            "AT204",
            lambda k: k.document(
                k.resource(
                    "aws_iam_role",
                    values={
                        "assume_role_policy": doc(
                            {**TRUST, "Action": ["sts:AssumeRole", "sts:TagSession"]}
                        )
                    },
                )
            ),
            [],
            id="AT204-pass",
        ),
        pytest.param(
            "AT204",
            lambda k: k.document(
                k.resource(
                    "aws_iam_role",
                    values={
                        "assume_role_policy": doc({"Effect": "Allow", "Action": "sts:AssumeRole"})
                    },
                )
            ),
            [(E, "has no Principal")],
            id="AT204-fail-no-principal",
        ),
        pytest.param(
            "AT204",
            lambda k: k.document(
                k.resource(
                    "aws_iam_role",
                    values={
                        "assume_role_policy": doc(
                            {**TRUST, "Action": ["sts:AssumeRole", "s3:GetObject"]}
                        )
                    },
                )
            ),
            [(W, "allows s3:GetObject")],
            id="AT204-warn-non-sts-action",
        ),
        pytest.param(
            "AT204",
            lambda k: k.document(
                templated(
                    k,
                    "aws_iam_role",
                    "assume_role_policy",
                    '{"Statement": [{"Effect": "Allow", "Principal": {"Service": "x"}, '
                    '"Action": "${var.action}"}]}',
                )
            ),
            [],
            id="AT204-unknown-action",
        ),
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
        # AT206 KMS lockout
        pytest.param(
            "AT206",
            lambda k: k.document(
                k.resource("aws_kms_key", values=key_policy(ROOT_ADMIN, USE_ONLY))
            ),
            [],
            id="AT206-pass-root-admin",
        ),
        pytest.param(
            "AT206",
            lambda k: k.document(
                k.resource(
                    "aws_kms_key",
                    values=key_policy({**USE_ONLY, "Action": ["kms:Put*", "kms:Decrypt"]}),
                )
            ),
            [],
            id="AT206-pass-wildcard-put",
        ),
        pytest.param(
            "AT206",
            lambda k: k.document(k.resource("aws_kms_key", values=key_policy(USE_ONLY))),
            [(E, "The new key policy will not allow you to update the key policy in the future")],
            id="AT206-fail-lockout",
        ),
        pytest.param(
            "AT206",
            lambda k: k.document(
                k.resource(
                    "aws_kms_key_policy",
                    values=key_policy({**ROOT_ADMIN, "Effect": "Deny"}, USE_ONLY),
                )
            ),
            [(E, "no Allow statement granting kms:PutKeyPolicy")],
            id="AT206-fail-only-deny",
        ),
        pytest.param(
            "AT206",
            lambda k: k.document(
                k.resource(
                    "aws_kms_key",
                    values=key_policy(USE_ONLY, bypass_policy_lockout_safety_check=True),
                )
            ),
            [],
            id="AT206-pass-bypass",
        ),
        pytest.param(
            "AT206",
            lambda k: k.document(
                templated(
                    k,
                    "aws_kms_key",
                    "policy",
                    '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "${var.admins}"}, '
                    '"Action": "kms:*", "Resource": "*"}]}',
                )
            ),
            [],
            id="AT206-pass-template-principal",
        ),
        pytest.param(
            "AT206",
            lambda k: k.document(
                templated(
                    k,
                    "aws_kms_key",
                    "policy",
                    '{"Statement": [{"Effect": "Allow", "Principal": "*", '
                    '"Action": "${var.actions}", "Resource": "*"}]}',
                )
            ),
            [],
            id="AT206-unknown-actions",
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
        # AT209 action and resource format
        pytest.param(
            "AT209",
            lambda k: k.document(
                k.resource("aws_iam_policy", values={"policy": doc({**ALLOW_S3, "Action": "*"})})
            ),
            [],
            id="AT209-pass",
        ),
        pytest.param(
            "AT209",
            lambda k: k.document(
                k.resource(
                    "aws_iam_policy",
                    values={"policy": doc({**ALLOW_S3, "Resource": "catalog-logs"})},
                )
            ),
            [(E, 'Resource catalog-logs must be in ARN format or "*"')],
            id="AT209-fail-bucket-name",
        ),
        pytest.param(
            "AT209",
            lambda k: k.document(
                k.resource(
                    "aws_iam_role_policy",
                    values={
                        "policy": doc(
                            {
                                **ALLOW_S3,
                                "Action": [
                                    "s3:GetObject",
                                    "GetObject",
                                    "s3:Get:Object",
                                    "*:Untag*",
                                ],
                            }
                        )
                    },
                )
            ),
            [
                (E, "has no service prefix"),
                (E, "has more than one colon"),
                (E, "has a wildcard in its service prefix"),
            ],
            id="AT209-fail-actions",
        ),
        pytest.param(
            "AT209",
            lambda k: k.document(
                templated(
                    k,
                    "aws_iam_policy",
                    "policy",
                    '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
                    '"Resource": "${var.bucket_arn}"}]}',
                )
            ),
            [],
            id="AT209-unknown-resource",
        ),
        # AT208 sizes
        pytest.param(
            "AT208",
            lambda k: k.document(k.resource("aws_iam_policy", values={"policy": doc(ALLOW_S3)})),
            [],
            id="AT208-pass",
        ),
        pytest.param(
            "AT208",
            lambda k: k.document(
                k.resource(
                    "aws_iam_policy",
                    values={"policy": doc(*[{**ALLOW_S3, "Sid": f"S{i}"} for i in range(100)])},
                )
            ),
            [(E, "Cannot exceed quota for PolicySize: 6144")],
            id="AT208-fail-managed",
        ),
        pytest.param(
            "AT208",
            lambda k: k.document(
                k.resource(
                    "aws_iam_role",
                    values={
                        "assume_role_policy": doc(*[{**TRUST, "Sid": f"S{i}"} for i in range(30)])
                    },
                )
            ),
            [(W, "ACLSizePerRole: 2048")],
            id="AT208-warn-trust",
        ),
        pytest.param(
            "AT208",
            lambda k: k.document(
                k.resource("aws_iam_role", "r", values={"name": "app"}),
                *[
                    k.resource(
                        "aws_iam_role_policy",
                        f"p{n}",
                        values={
                            "role": UNKNOWN,
                            "policy": doc(*[{**ALLOW_S3, "Sid": f"S{i}"} for i in range(40)]),
                        },
                        references={"role": "aws_iam_role.r"},
                    )
                    for n in range(4)
                ],
            ),
            [(E, "inline policies of aws_iam_role.r add up to at least")],
            id="AT208-fail-role-inline-total",
        ),
        pytest.param(
            "AT208",
            lambda k: k.document(
                templated(
                    k,
                    "aws_iam_policy",
                    "policy",
                    '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
                    '"Resource": ${jsonencode(var.many_arns)}}]}',
                )
            ),
            [],
            id="AT208-unknown",
        ),
    ],
)
def test_document_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)


def test_template_tokens_become_unknown_parts(kit):
    resource = templated(
        kit,
        "aws_iam_policy",
        "policy",
        '{"Statement": [{"Effect": "Allow", "Action": "s3:*", '
        '"Resource": ["${aws_s3_bucket.b.arn}", "${aws_s3_bucket.b.arn}/*"], '
        '"Condition": {"StringEquals": {"aws:username": "$${aws:username}"}}}]}',
    )
    parsed = read_document(kit.document(resource), resource, "policy")
    assert parsed is not None and parsed.source == "template"
    statement = parsed.statements()[0]
    assert statement["Resource"][0] is UNKNOWN
    assert statement["Resource"][1] == f"{HOLE}/*"
    assert statement["Condition"]["StringEquals"]["aws:username"] == "${aws:username}"


def test_loader_keeps_policy_templates_for_the_rules(tmp_path: Path) -> None:
    config = {
        "resource": {
            "aws_iam_role": {
                "role": {
                    "name": "app",
                    "assume_role_policy": json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Principal": {"Service": "lambda.amazonaws.com"},
                                    "Action": "sts:AssumeRole",
                                    "Resource": "${aws_s3_bucket.b.arn}",
                                }
                            ],
                        }
                    ),
                }
            }
        }
    }
    path = tmp_path / "main.tf.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    document = load_file(path)
    findings = list(REGISTRY["AT203"].check(document))
    assert [f.address for f in findings] == ["aws_iam_role.role"]


def test_parliament_is_not_imported_for_well_formed_documents(tmp_path: Path) -> None:
    # The CLI's start-up time matters: parliament (~0.5 s) loads only for a suspect statement.
    config = {
        "resource": {
            "aws_iam_policy": {
                "p": {"policy": doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})}
            }
        }
    }
    path = tmp_path / "main.tf.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    code = (
        "import sys; from policies.cli import run; "
        f"run(['check', {str(path)!r}, '--format', 'json']); "
        "sys.stderr.write(str('parliament' in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.stderr.strip().endswith("False"), result.stderr
