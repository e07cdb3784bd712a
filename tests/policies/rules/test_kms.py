"""Rules of policies/rules/kms: table-driven passing, failing and unknown cases."""

from __future__ import annotations

import pytest

from policies.model import Severity
from tests.policies.rules.builders import doc, templated

E, W = Severity.ERROR, Severity.WARNING


ROOT = {"AWS": "arn:aws:iam::123456789012:root"}


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
    ],
)
def test_document_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
