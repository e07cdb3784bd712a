"""RDS rules: AT006 engine versions, AT009 password conflict, AT014 final snapshot id,
OPS002 prod protection, SEC003 encryption at rest."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity
from policies.rules.rds_engine import offered_versions

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
CLUSTER, INSTANCE = "aws_rds_cluster", "aws_db_instance"
APG = {"engine": "aurora-postgresql"}
SAFE = {
    "deletion_protection": True,
    "skip_final_snapshot": False,
    "final_snapshot_identifier": "catalog-final",
    "storage_encrypted": True,
}


def test_data_file_keeps_versions_infra_relies_on():
    from infra.config import ENVIRONMENTS, SUPPORTED_REGIONS

    data = offered_versions()
    for region in SUPPORTED_REGIONS:
        for engine in ("aurora-postgresql", "aurora-mysql", "postgres", "mysql"):
            assert data[region][engine], (region, engine)
        for env in ENVIRONMENTS.values():
            assert env.database.engine_version in data[region]["aurora-postgresql"], region
    assert "15.3" not in data["eu-north-1"]["aurora-postgresql"]


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "AT006",
            lambda k: k.document(k.resource(CLUSTER, values={**APG, "engine_version": "16.6"})),
            [],
            id="AT006-pass-16.6-eu-north-1",
        ),
        pytest.param(
            "AT006",
            lambda k: k.document(
                k.resource(INSTANCE, values={"engine": "postgres", "engine_version": "16"})
            ),
            [],
            id="AT006-pass-major-only",
        ),
        pytest.param(
            "AT006",
            lambda k: k.document(k.resource(CLUSTER, values={**APG, "engine_version": "15.3"})),
            [(E, "aurora-postgresql 15.3 is not offered in eu-north-1")],
            id="AT006-fail-15.3-eu-north-1",
        ),
        pytest.param(
            "AT006",
            lambda k: k.document(
                k.resource(CLUSTER, values={**APG, "engine_version": "15.3"}),
                region="ap-south-2",
            ),
            [(W, "region ap-south-2 is not in policies/data/rds_engine_versions.json")],
            id="AT006-warn-region-not-in-data",
        ),
        pytest.param(
            "AT006",
            lambda k: k.document(
                k.resource(
                    CLUSTER,
                    values={**APG, "engine_version": "15.3"},
                    actions=("no-op",),
                    before={**APG, "engine_version": "15.3"},
                ),
                kind="plan",
            ),
            [],
            id="AT006-pass-plan-existing-cluster-untouched",
        ),
        pytest.param(
            "AT006",
            lambda k: k.document(
                k.resource(CLUSTER, values={**APG, "engine_version": UNKNOWN}),
                k.resource(INSTANCE, values={"engine": "postgres", "engine_version": "9.1"}),
                region=UNKNOWN,
            ),
            [],
            id="AT006-unknown-version-or-region",
        ),
        pytest.param(
            "AT009",
            lambda k: k.document(k.resource(CLUSTER, values={"manage_master_user_password": True})),
            [],
            id="AT009-pass",
        ),
        pytest.param(
            "AT009",
            lambda k: k.document(
                k.resource(
                    CLUSTER,
                    values={"manage_master_user_password": True, "master_password": UNKNOWN},
                    references={"master_password": "random_password.db"},
                )
            ),
            [(E, "master_password is set together with manage_master_user_password = true")],
            id="AT009-fail-referenced-password",
        ),
        pytest.param(
            "AT009",
            lambda k: k.document(
                k.resource(
                    INSTANCE, values={"manage_master_user_password": True, "password": "hunter22x"}
                )
            ),
            [(E, "password is set together with manage_master_user_password")],
            id="AT009-fail-instance-literal",
        ),
        pytest.param(
            "AT009",
            lambda k: k.document(
                k.resource(
                    CLUSTER,
                    values={"manage_master_user_password": True, "master_password": UNKNOWN},
                )
            ),
            [],
            id="AT009-unknown",
        ),
        pytest.param(
            "AT014",
            lambda k: k.document(k.resource(CLUSTER, values={"skip_final_snapshot": True})),
            [],
            id="AT014-pass-skips",
        ),
        pytest.param(
            "AT014",
            lambda k: k.document(k.resource(CLUSTER, values={})),
            [(W, "RDS Cluster FinalSnapshotIdentifier is required")],
            id="AT014-warn-default-false-without-identifier",
        ),
        pytest.param(
            "AT014",
            lambda k: k.document(
                k.resource(
                    INSTANCE,
                    values={"skip_final_snapshot": False, "final_snapshot_identifier": None},
                    actions=("delete",),
                ),
                kind="plan",
            ),
            [(E, "this plan deletes it")],
            id="AT014-fail-plan-deletes",
        ),
        pytest.param(
            "AT014",
            lambda k: k.document(
                k.resource(
                    CLUSTER,
                    values={"skip_final_snapshot": False, "final_snapshot_identifier": "final"},
                    before={"skip_final_snapshot": False, "final_snapshot_identifier": None},
                    actions=("delete", "create"),
                ),
                kind="plan",
            ),
            # The destroy half of a replace uses the state: the new identifier comes too late.
            [(E, "this plan deletes it")],
            id="AT014-fail-replace-deletes-the-object-in-the-state",
        ),
        pytest.param(
            "AT014",
            lambda k: k.document(
                k.resource(
                    CLUSTER,
                    values={"skip_final_snapshot": False, "final_snapshot_identifier": None},
                    before={"skip_final_snapshot": False, "final_snapshot_identifier": "final"},
                    actions=("delete", "create"),
                ),
                kind="plan",
            ),
            # The old object is destroyed with its identifier; only the new one lacks it.
            [(W, "final_snapshot_identifier is not set")],
            id="AT014-warn-replace-with-identifier-in-the-state",
        ),
        pytest.param(
            "AT014",
            lambda k: k.document(
                k.resource(CLUSTER, values={"final_snapshot_identifier": UNKNOWN})
            ),
            [],
            id="AT014-unknown",
        ),
        pytest.param(
            "OPS002",
            lambda k: k.document(k.resource(CLUSTER, values=SAFE), environment="prod"),
            [],
            id="OPS002-pass",
        ),
        pytest.param(
            "OPS002",
            lambda k: k.document(
                k.resource(CLUSTER, values={"skip_final_snapshot": True}), environment="prod"
            ),
            [
                (E, "deletion_protection is not true"),
                (E, "skip_final_snapshot = true in production"),
            ],
            id="OPS002-fail-prod",
        ),
        pytest.param(
            "OPS002",
            lambda k: k.document(
                k.resource(CLUSTER, values={"skip_final_snapshot": True}), environment="dev"
            ),
            [],
            id="OPS002-pass-dev-not-checked",
        ),
        pytest.param(
            "OPS002",
            lambda k: k.document(
                k.resource(
                    CLUSTER, values={"deletion_protection": UNKNOWN, "skip_final_snapshot": UNKNOWN}
                ),
                environment="prod",
            ),
            [],
            id="OPS002-unknown",
        ),
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
