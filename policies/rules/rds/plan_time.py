"""RDS plan-time rules: what the prior state says about a delete.

PLAN130 a parameter or option group deleted while a database uses it (found by name in the
prior state), PLAN160 a database deleted while its deletion protection is on, PLAN161 a final
snapshot identifier a snapshot already holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import Document, Severity, Violation
from policies.registry import rule
from policies.rules._plan_time import InUse, change_text, in_use, known_text, user_list
from policies.rules.rds.databases import CLUSTER, DATABASES, INSTANCE, _skips_final_snapshot
from policies.toolkit.values import flag

PARAMETER_GROUPS: dict[str, InUse] = {
    "aws_db_parameter_group": InUse(
        identifiers=("name", "id"),
        paths=("parameter_group_name", "db_parameter_group_name"),
        user_types=frozenset({INSTANCE, "aws_rds_cluster_instance"}),
        error=(
            "InvalidDBParameterGroupState: One or more database instances are still members "
            "of this parameter group {id}, so the group cannot be deleted"
        ),
        fix=(
            "replace name with name_prefix and add lifecycle { create_before_destroy = true }, "
            "so the database moves to the new group before the old one is deleted"
        ),
        check=(
            'aws rds describe-db-instances --query "DBInstances[?DBParameterGroups'
            "[?DBParameterGroupName=='{id}']].DBInstanceIdentifier\""
        ),
        noun="parameter group",
    ),
    "aws_rds_cluster_parameter_group": InUse(
        identifiers=("name", "id"),
        paths=("db_cluster_parameter_group_name",),
        user_types=frozenset({CLUSTER}),
        error=(
            "InvalidDBParameterGroupState: One or more clusters are still members of this "
            "parameter group {id}, so the group cannot be deleted"
        ),
        fix=(
            "replace name with name_prefix and add lifecycle { create_before_destroy = true }, "
            "so the cluster moves to the new group before the old one is deleted"
        ),
        check=(
            "aws rds describe-db-clusters --query \"DBClusters[?DBClusterParameterGroup=='{id}']"
            '.DBClusterIdentifier"'
        ),
        noun="cluster parameter group",
    ),
    "aws_db_option_group": InUse(
        identifiers=("name", "id"),
        paths=("option_group_name",),
        user_types=frozenset({INSTANCE}),
        error=(
            "InvalidOptionGroupStateFault: The option group '{id}' cannot be deleted because "
            "it is in use"
        ),
        fix=(
            "replace name with name_prefix and add lifecycle { create_before_destroy = true }, "
            "so the instance moves to the new group before the old one is deleted"
        ),
        check=(
            'aws rds describe-db-instances --query "DBInstances[?OptionGroupMemberships'
            "[?OptionGroupName=='{id}']].DBInstanceIdentifier\""
        ),
        noun="option group",
    ),
}


@rule(
    id="PLAN130",
    title="DB parameter or option group replaced or deleted while a database uses it",
    severity=Severity.ERROR,
    service="rds",
    failure_class="plan-time",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/6448",
    resource_types=tuple(sorted(PARAMETER_GROUPS)),
    applies_to=("plan",),
)
def parameter_group_in_use(document: Document) -> Iterator[Violation]:
    for resource_type, spec in PARAMETER_GROUPS.items():
        yield from in_use(document, (resource_type,), spec)


PROTECTED = (
    CLUSTER,
    INSTANCE,
    "aws_rds_global_cluster",
    "aws_docdb_cluster",
    "aws_neptune_cluster",
)


@rule(
    id="PLAN160",
    title="Database deleted or replaced while its deletion protection is on",
    severity=Severity.ERROR,
    service="rds",
    failure_class="plan-time",
    source="https://github.com/gruntwork-io/cloud-nuke/issues/907",
    resource_types=PROTECTED,
    applies_to=("plan",),
)
def deletion_protected(document: Document) -> Iterator[Violation]:
    for resource in document.of_type(*PROTECTED):
        if "delete" not in resource.actions or resource.before is None:
            continue
        # Terraform deletes with the prior values: turning protection off in the same plan
        # updates nothing before the delete.
        if flag(resource.before.get("deletion_protection")) is not True:
            continue
        kind = "Instance" if resource.type == INSTANCE else "Cluster"
        yield Violation(
            address=resource.address,
            resource=resource,
            message=(
                f"{change_text(resource)}, but its deletion_protection is true in the prior "
                f"state; AWS refuses the delete (InvalidParameterCombination: Cannot delete "
                f"protected {kind}, please disable deletion protection and try again); fix: a "
                "two-step change: apply deletion_protection = false first, then the delete"
            ),
        )


SNAPSHOTS = {
    CLUSTER: ("aws_db_cluster_snapshot", "db_cluster_snapshot_identifier"),
    INSTANCE: ("aws_db_snapshot", "db_snapshot_identifier"),
}


@rule(
    id="PLAN161",
    title="Database deleted with a final snapshot identifier that already exists",
    severity=Severity.ERROR,
    service="rds",
    failure_class="plan-time",
    source="https://github.com/cloudposse/terraform-aws-rds-cluster/issues/129",
    resource_types=DATABASES,
    applies_to=("plan",),
)
def final_snapshot_taken(document: Document) -> Iterator[Violation]:
    for resource in document.of_type(*DATABASES):
        before = resource.before
        if "delete" not in resource.actions or before is None:
            continue
        if _skips_final_snapshot(before) is not False:
            continue
        identifier = known_text(before, "final_snapshot_identifier")
        if identifier is None:
            continue  # AT014 reports a final snapshot without an identifier
        snapshot_type, attribute = SNAPSHOTS[resource.type]
        fault = (
            "DBClusterSnapshotAlreadyExistsFault: Cannot create the cluster snapshot because "
            f"one with the identifier {identifier} already exists"
            if resource.type == CLUSTER
            else "DBSnapshotAlreadyExists: Cannot create the snapshot because a snapshot with "
            f"the identifier {identifier} already exists"
        )
        fix = (
            "give final_snapshot_identifier a suffix unique to this object (a timestamp or a "
            "random_id kept in state), or delete or rename the old snapshot first"
        )
        prior = document.prior_state
        taken = (
            prior.users_of([identifier], paths=(attribute,), types=(snapshot_type,))
            if prior is not None
            else []
        )
        if taken:
            yield Violation(
                address=resource.address,
                resource=resource,
                message=(
                    f"{change_text(resource)} with final_snapshot_identifier {identifier!r}, "
                    f"but {user_list(taken)} already holds a snapshot of that name; AWS "
                    f"refuses the delete ({fault}); fix: {fix}"
                ),
            )
        else:
            kind = "cluster-" if resource.type == CLUSTER else ""
            # The prior state holds only the snapshots Terraform manages; a final snapshot an
            # earlier replacement or destroy left is invisible to it.
            yield Violation(
                address=resource.address,
                resource=resource,
                severity=Severity.WARNING,
                message=(
                    f"{change_text(resource)} with the fixed final_snapshot_identifier "
                    f"{identifier!r}; if a snapshot of that name exists (an earlier "
                    f"replacement or destroy left one) AWS refuses the delete ({fault}); "
                    f"check: aws rds describe-db-{kind}snapshots "
                    f"--db-{kind}snapshot-identifier {identifier}; fix: {fix}"
                ),
            )
