"""RDS / Aurora databases: password management conflicts, final snapshots, prod protection."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Severity, Violation, is_known
from policies.registry import rule
from policies.rules._helpers import flag, is_set, text
from policies.rules._plan_time import InUse, change_text, in_use, known_text, user_list

CLUSTER = "aws_rds_cluster"
INSTANCE = "aws_db_instance"
DATABASES = (CLUSTER, INSTANCE)


def _password_attribute(resource_type: str) -> str:
    return "master_password" if resource_type == CLUSTER else "password"


@rule(
    id="AT009",
    title="Database sets a master password and manage_master_user_password together",
    severity=Severity.ERROR,
    service="rds",
    failure_class="value-combination",
    source="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html",
    category="apply-time",
    resource_types=DATABASES,
)
def password_with_managed_password(document: Document) -> Iterator[Violation]:
    for resource in document.of_type(*DATABASES):
        if flag(resource.values.get("manage_master_user_password")) is not True:
            continue
        base = _password_attribute(resource.type)
        for attribute in (base, f"{base}_wo"):
            if is_set(resource, attribute) is True:
                yield Violation(
                    address=resource.address,
                    resource=resource,
                    # Never echo the password: name the attribute only.
                    message=(
                        f"{attribute} is set together with manage_master_user_password = true; "
                        f'they conflict ("{attribute}": conflicts with '
                        "manage_master_user_password; RDS: InvalidParameterCombination); "
                        f"remove {attribute} and read the password from the managed secret"
                    ),
                )


def _skips_final_snapshot(resource_values: Mapping[str, Any]) -> bool | None:
    raw = resource_values.get("skip_final_snapshot")
    if not is_known(raw):
        return None
    return False if raw is None else flag(raw)  # the provider default is false


def _lacks_final_snapshot_identifier(values: Mapping[str, Any]) -> bool:
    """A final snapshot is required on delete but has no identifier (False when unknown)."""
    if _skips_final_snapshot(values) is not False:
        return False
    source = values.get("replicate_source_db")
    if source is UNKNOWN or source not in (None, ""):
        return False  # read replicas are deleted without a final snapshot
    identifier = values.get("final_snapshot_identifier")
    return is_known(identifier) and text(identifier) is None


@rule(
    id="AT014",
    title="Database takes a final snapshot on delete but has no final_snapshot_identifier",
    severity=Severity.WARNING,
    service="rds",
    failure_class="value-combination",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/4910",
    category="apply-time",
    resource_types=DATABASES,
)
def final_snapshot_identifier(document: Document) -> Iterator[Violation]:
    for resource in document.of_type(*DATABASES):
        kind = "RDS Cluster" if resource.type == CLUSTER else "DB Instance"
        failure = (
            "skip_final_snapshot is false but final_snapshot_identifier is not set, so "
            f"destroying it fails ({kind} FinalSnapshotIdentifier is required when a final "
            "snapshot is required); set final_snapshot_identifier"
        )
        # Terraform destroys the object in the state: a plan that deletes (or replaces) it
        # fails with the *before* values, whatever the new configuration says.
        deleted = resource.before if resource.before is not None else resource.values
        if "delete" in resource.actions and _lacks_final_snapshot_identifier(deleted):
            yield Violation(
                address=resource.address,
                resource=resource,
                severity=Severity.ERROR,
                message=f"{failure}; this plan deletes it",
            )
        elif resource.actions != ("delete",) and _lacks_final_snapshot_identifier(resource.values):
            # Only a destroy fails, so a configuration that would make it fail later warns.
            yield Violation(address=resource.address, resource=resource, message=failure)


@rule(
    id="OPS002",
    title="Production database without deletion protection or final snapshot",
    severity=Severity.ERROR,
    service="rds",
    failure_class="posture",
    source="https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DeleteCluster.html",
    category="operations",
    resource_types=DATABASES,
)
def production_protection(document: Document) -> Iterator[Violation]:
    if not document.is_production:
        return
    for resource in document.of_type(*DATABASES):
        raw = resource.values.get("deletion_protection")
        if is_known(raw) and (raw is None or flag(raw) is False):
            yield Violation(
                address=resource.address,
                resource=resource,
                message=(
                    "deletion_protection is not true in production; one wrong destroy or "
                    "replace deletes the database; set deletion_protection = true"
                ),
            )
        if _skips_final_snapshot(resource.values) is True:
            yield Violation(
                address=resource.address,
                resource=resource,
                message=(
                    "skip_final_snapshot = true in production: deleting it keeps no final "
                    "snapshot; set skip_final_snapshot = false and final_snapshot_identifier"
                ),
            )


# --- plan-time: what the prior state says about a delete (PLAN130, PLAN160, PLAN161) --------

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
    category="plan",
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
    category="plan",
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
    category="plan",
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
