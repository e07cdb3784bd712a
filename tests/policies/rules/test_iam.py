"""Rules of policies/rules/iam: table-driven passing, failing and unknown cases."""

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
from tests.policies.rules.builders import doc, templated

E, W = Severity.ERROR, Severity.WARNING


ALLOW_S3 = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}


ROOT = {"AWS": "arn:aws:iam::123456789012:root"}


TRUST = {
    "Effect": "Allow",
    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole",
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


# -- AT326: managed policies per role ----------------------------------------------------------


def role_with(k, attachments, *, inline=None, deleted=0, literal_name=False):
    role_values = {"name": "worker"}
    if inline is not None:
        role_values["managed_policy_arns"] = inline
    resources = [k.resource("aws_iam_role", "worker", values=role_values)]
    for index in range(attachments + deleted):
        values = {
            "role": "worker" if literal_name else UNKNOWN,
            "policy_arn": f"arn:aws:iam::aws:policy/P{index}",
        }
        resources.append(
            k.resource(
                "aws_iam_role_policy_attachment",
                f"a{index}",
                values=values,
                references={} if literal_name else {"role": "aws_iam_role.worker"},
                actions=("delete",) if index >= attachments else (),
            )
        )
    return k.document(*resources, kind="plan" if deleted else "config")


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: role_with(k, 11), [(W, "has 11 managed policies")], id="AT326-warn-11"
        ),
        pytest.param(
            lambda k: role_with(k, 6, inline=[f"arn:aws:iam::aws:policy/Q{i}" for i in range(5)]),
            [(W, "has 11")],
            id="AT326-warn-inline-and-attachments",
        ),
        pytest.param(
            lambda k: role_with(k, 21, literal_name=True),
            [(E, "at most 20 even with a quota increase")],
            id="AT326-fail-21",
        ),
        pytest.param(lambda k: role_with(k, 10), [], id="AT326-pass-10"),
        pytest.param(
            lambda k: role_with(k, 10, deleted=3), [], id="AT326-pass-deleted-do-not-count"
        ),
        pytest.param(
            lambda k: role_with(k, 11, inline=UNKNOWN), [], id="AT326-unknown-inline-list"
        ),
    ],
)
def test_managed_policies_per_role(kit, build, expected):
    kit.expect("AT326", build(kit), expected)


def test_the_same_policy_attached_twice_counts_once(kit):
    document = role_with(kit, 10)
    extra = kit.resource(
        "aws_iam_role_policy_attachment",
        "again",
        values={"role": UNKNOWN, "policy_arn": "arn:aws:iam::aws:policy/P0"},
        references={"role": "aws_iam_role.worker"},
    )
    document = kit.document(*document.resources, extra)
    kit.expect("AT326", document, [])
