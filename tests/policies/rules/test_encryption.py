"""Rules of policies/rules/encryption: table-driven passing, failing and unknown cases."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


CLUSTER, INSTANCE = "aws_rds_cluster", "aws_db_instance"


APG = {"engine": "aurora-postgresql"}


SAFE = {
    "deletion_protection": True,
    "skip_final_snapshot": False,
    "final_snapshot_identifier": "catalog-final",
    "storage_encrypted": True,
}


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "SEC003",
            lambda k: k.document(
                k.resource(CLUSTER, values=SAFE),
                k.resource("aws_cloudwatch_log_group", values={"kms_key_id": UNKNOWN}),
                environment="prod",
            ),
            [],
            id="SEC003-pass",
        ),
        pytest.param(
            "SEC003",
            lambda k: k.document(
                k.resource(CLUSTER, values={**APG}),
                k.resource(INSTANCE, values={"storage_encrypted": False}),
                k.resource("aws_cloudwatch_log_group", values={"name": "/ecs/api"}),
                environment="prod",
            ),
            [
                (E, "storage_encrypted is not true"),
                (E, "storage_encrypted is not true"),
                (INFO, "log group has no kms_key_id"),
            ],
            id="SEC003-fail-prod",
        ),
        pytest.param(
            "SEC003",
            lambda k: k.document(k.resource(CLUSTER, values={}), environment="staging"),
            [(W, "storage_encrypted is not true")],
            id="SEC003-warn-staging",
        ),
        pytest.param(
            "SEC003",
            lambda k: k.document(
                k.resource(
                    CLUSTER, values={"storage_encrypted": False, "snapshot_identifier": "s"}
                ),
                k.resource(CLUSTER, "b", values={"storage_encrypted": UNKNOWN}),
                k.resource(CLUSTER, "c", values={}),
                kind="plan",
                environment="prod",
            ),
            [],
            id="SEC003-unknown-or-inherited",
        ),
    ],
)
def test_rds_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
