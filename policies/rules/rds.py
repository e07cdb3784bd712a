"""RDS / Aurora databases: password management conflicts, final snapshots, prod protection."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Severity, Violation, is_known
from policies.registry import rule
from policies.rules._helpers import flag, is_set, text

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
