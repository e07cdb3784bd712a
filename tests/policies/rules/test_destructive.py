"""Rules of policies/rules/destructive: table-driven passing, failing and unknown cases."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity

E, W = Severity.ERROR, Severity.WARNING


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "PLAN001",
            lambda k: k.document(
                k.resource("aws_rds_cluster", actions=("update",)),
                k.resource("aws_ecs_service", actions=("delete", "create")),
                kind="plan",
            ),
            [],
            id="PLAN001-pass-update-and-stateless-replace",
        ),
        pytest.param(
            "PLAN001",
            lambda k: k.document(
                k.resource(
                    "aws_rds_cluster",
                    "db",
                    actions=("delete", "create"),
                    action_reason="replace_because_cannot_update",
                ),
                k.resource("aws_s3_bucket", "logs", actions=("delete",)),
                k.resource("aws_kms_key", "state", actions=("create", "delete")),
                kind="plan",
            ),
            [
                (
                    E,
                    "this plan replaces aws_rds_cluster.db; Terraform says: an argument that "
                    "cannot be updated in place changed (replace_because_cannot_update)",
                ),
                (E, "this plan deletes aws_s3_bucket.logs;"),
                (E, "replaces aws_kms_key.state (create before destroy)"),
            ],
            id="PLAN001-fail-replace-and-delete",
        ),
        pytest.param(
            "PLAN001",
            lambda k: k.document(k.resource("aws_s3_bucket", actions=("delete",))),
            [],
            id="PLAN001-pass-config-documents-not-checked",
        ),
        pytest.param(
            "PLAN001",
            lambda k: k.document(
                k.resource(
                    "aws_secretsmanager_secret", values={"name": UNKNOWN}, actions=("create",)
                ),
                kind="plan",
            ),
            [],
            id="PLAN001-unknown-values-create",
        ),
    ],
)
def test_tag_and_plan_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
