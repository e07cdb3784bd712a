"""Rules of policies/rules/rds: table-driven passing, failing and unknown cases."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity
from policies.rules.rds.engines import offered_versions
from tests.policies.rules.builders import subnet, subnet_user

E, W = Severity.ERROR, Severity.WARNING


def db(
    k,
    type_="aws_db_instance",
    group_type="aws_db_parameter_group",
    family="postgres16",
    attribute="parameter_group_name",
    **values,
):
    return k.document(
        k.resource(
            type_, values={attribute: UNKNOWN, **values}, references={attribute: f"{group_type}.pg"}
        ),
        k.resource(group_type, "pg", values={"name": "pg", "family": family}),
    )


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        # AT211 DB subnet group AZs
        pytest.param(
            "AT211",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet(k, "b", "10.0.2.0/24", "eu-north-1b"),
                subnet_user(k, "aws_db_subnet_group", "subnet_ids", ["a", "b"]),
            ),
            [],
            id="AT211-pass",
        ),
        pytest.param(
            "AT211",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet(k, "b", "10.0.2.0/24", "eu-north-1a"),
                subnet_user(k, "aws_db_subnet_group", "subnet_ids", ["a", "b"]),
            ),
            [(E, "DBSubnetGroupDoesNotCoverEnoughAZs")],
            id="AT211-fail-one-az",
        ),
        pytest.param(
            "AT211",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet(k, "b", "10.0.2.0/24", UNKNOWN),
                subnet_user(k, "aws_db_subnet_group", "subnet_ids", ["a", "b"]),
            ),
            [],
            id="AT211-unknown-zone",
        ),
        pytest.param(
            "AT211",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                k.resource("aws_db_subnet_group", values={"subnet_ids": UNKNOWN}),
            ),
            [],
            id="AT211-unknown-subnet-list",
        ),
        # AT212 parameter group family
        pytest.param(
            "AT212",
            lambda k: db(k, engine="postgres", engine_version="16.4"),
            [],
            id="AT212-pass",
        ),
        pytest.param(
            "AT212",
            lambda k: db(k, engine="postgres", engine_version="17.2"),
            [(E, "family postgres16, but postgres 17.2 needs family postgres17")],
            id="AT212-fail-postgres",
        ),
        pytest.param(
            "AT212",
            lambda k: db(
                k,
                "aws_rds_cluster",
                "aws_rds_cluster_parameter_group",
                "aurora-mysql5.7",
                "db_cluster_parameter_group_name",
                engine="aurora-mysql",
                engine_version="8.0.mysql_aurora.3.05.2",
            ),
            [(E, "needs family aurora-mysql8.0")],
            id="AT212-fail-aurora-mysql",
        ),
        pytest.param(
            "AT212",
            lambda k: db(k, family="mysql8.0", engine="mysql", engine_version="8.0.35"),
            [],
            id="AT212-pass-mysql",
        ),
        pytest.param(
            "AT212",
            lambda k: db(k, engine="postgres", engine_version=UNKNOWN),
            [],
            id="AT212-unknown-version",
        ),
    ],
)
def test_relation_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)


# -- AT329: Serverless v2 scaling ----------------------------------------------------------------


def serverless(k, scaling, instance_class="db.serverless"):
    cluster = {"cluster_identifier": "main", "engine": "aurora-postgresql"}
    if scaling is not None:
        cluster["serverlessv2_scaling_configuration"] = scaling
    return k.document(
        k.resource("aws_rds_cluster", "main", values=cluster),
        k.resource(
            "aws_rds_cluster_instance",
            values={"cluster_identifier": UNKNOWN, "instance_class": instance_class},
            references={"cluster_identifier": "aws_rds_cluster.main"},
        ),
    )


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: serverless(k, None), [(E, "Serverless v2 scaling")], id="AT329-fail"
        ),
        pytest.param(lambda k: serverless(k, []), [(E, "no serverlessv2")], id="AT329-fail-empty"),
        pytest.param(
            lambda k: serverless(k, [{"min_capacity": 0.5, "max_capacity": 4}]),
            [],
            id="AT329-pass",
        ),
        pytest.param(
            lambda k: serverless(k, None, instance_class="db.r6g.large"),
            [],
            id="AT329-pass-provisioned",
        ),
        pytest.param(lambda k: serverless(k, UNKNOWN), [], id="AT329-unknown-scaling"),
        pytest.param(
            lambda k: serverless(k, None, instance_class=UNKNOWN), [], id="AT329-unknown-class"
        ),
    ],
)
def test_serverless_v2_without_scaling(kit, build, expected):
    kit.expect("AT329", build(kit), expected)


# -- Row edge cases (rows of rds, s3, ecr, events, apigateway, ssm, eks) ----------------------


def test_multi_az_switch_on_an_existing_instance_is_not_judged(kit):
    # ModifyDBInstance takes no AvailabilityZone: the planned zone is where RDS placed it.
    before = {"identifier": "db", "multi_az": False, "availability_zone": "eu-north-1a", "id": "x"}
    after = {**before, "multi_az": True}
    document = kit.document(
        kit.resource("aws_db_instance", values=after, actions=("update",), before=before),
        kind="plan",
    )
    assert kit.findings("AT300", document) == []


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
    ],
)
def test_rds_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
