"""PLAN130 (parameter/option group in use), PLAN160 (deletion protection), PLAN161 (final
snapshot identifier taken)."""

from __future__ import annotations

import pytest

from policies.model import Severity
from tests.policies.rules.plan_time_kit import (
    CREATE_FIRST,
    DELETE,
    REPLACE,
    UPDATE,
    change,
    plan,
)

E, W = Severity.ERROR, Severity.WARNING
PG = {"id": "app", "name": "app", "family": "aurora-postgresql15"}
CLUSTER = {"id": "app", "cluster_identifier": "app", "db_cluster_parameter_group_name": "app"}
DB_PG = {"id": "db", "name": "db", "family": "postgres16"}
INSTANCE = {"id": "db", "identifier": "db", "parameter_group_name": "db"}


def protected(value, actions=DELETE, resource="aws_rds_cluster.app"):
    before = {"cluster_identifier": "app", "deletion_protection": value}
    return lambda k: plan(k, change(k, resource, actions, before), prior={resource: before})


def final(identifier, snapshots=None, actions=DELETE, skip=False, resource="aws_rds_cluster.app"):
    before = {
        "cluster_identifier": "app",
        "skip_final_snapshot": skip,
        "final_snapshot_identifier": identifier,
    }
    state = {resource: before, **(snapshots or {})}
    return lambda k: plan(k, change(k, resource, actions, before), prior=state)


CLUSTER_SNAPSHOT = {
    "aws_db_cluster_snapshot.manual": {
        "db_cluster_identifier": "app",
        "db_cluster_snapshot_identifier": "app-final",
    }
}


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "PLAN130",
            lambda k: plan(
                k,
                change(k, "aws_rds_cluster_parameter_group.app", REPLACE, PG, forced_by="family"),
                prior={"aws_rds_cluster_parameter_group.app": PG, "aws_rds_cluster.app": CLUSTER},
            ),
            [(E, "(family forces it) while aws_rds_cluster.app still uses app")],
            id="PLAN130-fail-cluster",
        ),
        pytest.param(
            "PLAN130",
            lambda k: plan(
                k,
                change(k, "aws_db_parameter_group.db", REPLACE, DB_PG),
                change(k, "aws_db_instance.db", UPDATE, INSTANCE),
                prior={"aws_db_parameter_group.db": DB_PG, "aws_db_instance.db": INSTANCE},
            ),
            [(E, "InvalidDBParameterGroupState: One or more database instances")],
            id="PLAN130-fail-instance",
        ),
        pytest.param(
            "PLAN130",
            lambda k: plan(
                k,
                change(k, "aws_rds_cluster_parameter_group.app", CREATE_FIRST, PG),
                prior={"aws_rds_cluster_parameter_group.app": PG, "aws_rds_cluster.app": CLUSTER},
            ),
            [],
            id="PLAN130-pass-create-before-destroy",
        ),
        pytest.param(
            "PLAN130",
            # A cluster naming the same group as a *DB* parameter group is no user of it.
            lambda k: plan(
                k,
                change(k, "aws_db_parameter_group.db", REPLACE, DB_PG),
                prior={
                    "aws_db_parameter_group.db": DB_PG,
                    "aws_rds_cluster.x": {"db_cluster_parameter_group_name": "db"},
                },
            ),
            [(W, "nothing in the prior state uses db")],
            id="PLAN130-pass-other-kind-of-group",
        ),
        pytest.param(
            "PLAN130",
            lambda k: plan(
                k, change(k, "aws_rds_cluster_parameter_group.app", REPLACE, {}), prior={}
            ),
            [(W, "no ID of the cluster parameter group")],
            id="PLAN130-unknown-no-name",
        ),
        pytest.param(
            "PLAN160",
            protected(True),
            [(E, "Cannot delete protected Cluster")],
            id="PLAN160-fail-delete",
        ),
        pytest.param(
            "PLAN160",
            protected(True, actions=REPLACE, resource="aws_db_instance.db"),
            [(E, "Cannot delete protected Instance")],
            id="PLAN160-fail-replace-instance",
        ),
        pytest.param("PLAN160", protected(False), [], id="PLAN160-pass-unprotected"),
        pytest.param(
            "PLAN160",
            protected(True, actions=CREATE_FIRST),
            [(E, "two-step change")],
            id="PLAN160-fail-create-before-destroy",
        ),
        pytest.param("PLAN160", protected(None), [], id="PLAN160-unknown-not-in-state"),
        pytest.param(
            "PLAN161",
            final("app-final", CLUSTER_SNAPSHOT),
            [(E, "aws_db_cluster_snapshot.manual already holds a snapshot of that name")],
            id="PLAN161-fail-cluster-snapshot-taken",
        ),
        pytest.param(
            "PLAN161",
            final(
                "db-final",
                {"aws_db_snapshot.old": {"db_snapshot_identifier": "db-final"}},
                resource="aws_db_instance.db",
            ),
            [(E, "DBSnapshotAlreadyExists")],
            id="PLAN161-fail-instance-snapshot-taken",
        ),
        pytest.param(
            "PLAN161",
            final("app-final-2", CLUSTER_SNAPSHOT),
            [(W, "describe-db-cluster-snapshots --db-cluster-snapshot-identifier app-final-2")],
            id="PLAN161-pass-free-identifier-warns-to-check",
        ),
        pytest.param(
            "PLAN161",
            final("app-final", CLUSTER_SNAPSHOT, skip=True),
            [],
            id="PLAN161-pass-skip-final-snapshot",
        ),
        pytest.param(
            "PLAN161",
            final("app-final", CLUSTER_SNAPSHOT, actions=UPDATE),
            [],
            id="PLAN161-pass-not-deleted",
        ),
        pytest.param(
            "PLAN161", final(None, CLUSTER_SNAPSHOT), [], id="PLAN161-unknown-no-identifier"
        ),
    ],
)
def test_rds_plan_time_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
