"""RDS / Aurora databases: subnet group AZs, password management, final snapshots, production
protection, Serverless v2 scaling."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Severity, Violation, is_known
from policies.registry import rule
from policies.toolkit.links import linked_resource, subnet_zones
from policies.toolkit.values import blocks, creates_or_updates, flag, is_set, text

SUBNET = "aws_subnet"


@rule(
    id="AT211",
    service="rds",
    failure_class="cross-resource",
    source="https://github.com/terraform-aws-modules/terraform-aws-vpc/issues/821",
    title="DB subnet group with subnets in only one Availability Zone",
    severity=Severity.ERROR,
    resource_types=("aws_db_subnet_group", SUBNET),
)
def db_subnet_group_zones(document: Document) -> Iterator[Violation]:
    for group in document.of_type("aws_db_subnet_group"):
        zones = subnet_zones(document, group, "subnet_ids")
        if zones and len(set(zones)) < 2:
            yield Violation(
                address=group.address,
                resource=group,
                message=(
                    f"subnet_ids are all in {zones[0]}; RDS rejects the group "
                    "(DBSubnetGroupDoesNotCoverEnoughAZs: The DB subnet group doesn't meet "
                    "Availability Zone (AZ) coverage requirement. Add subnets to cover at "
                    "least 2 AZs)"
                ),
            )


CLUSTER = "aws_rds_cluster"
CLUSTER_INSTANCE = "aws_rds_cluster_instance"
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


# -- AT329: Serverless v2 instance in a cluster without a v2 scaling configuration ---------------


@rule(
    id="AT329",
    title="Aurora db.serverless instance in a cluster without serverlessv2_scaling_configuration",
    severity=Severity.ERROR,
    resource_types=(CLUSTER_INSTANCE, CLUSTER),
    service="rds",
    failure_class="cross-resource",
    source="https://github.com/cloudposse/terraform-aws-rds-cluster/pull/181",
)
def serverless_v2_without_scaling(document: Document) -> Iterator[Violation]:
    for instance in document.of_type(CLUSTER_INSTANCE):
        if (
            not creates_or_updates(instance)
            or instance.values.get("instance_class") != "db.serverless"
        ):
            continue
        cluster = linked_resource(
            document,
            instance,
            path="cluster_identifier",
            target_types=(CLUSTER,),
            name_attribute="cluster_identifier",
        )
        if cluster is None:
            continue
        scaling = cluster.values.get("serverlessv2_scaling_configuration")
        if scaling is UNKNOWN or any(
            True for _ in blocks(cluster.values, "serverlessv2_scaling_configuration")
        ):
            continue
        yield Violation(
            address=instance.address,
            resource=instance,
            message=(
                f"is a db.serverless instance of {cluster.address}, which has no "
                "serverlessv2_scaling_configuration; RDS rejects the instance "
                "(InvalidDBClusterStateFault: Set the Serverless v2 scaling configuration on "
                "the parent DB cluster before creating a Serverless v2 DB instance.); add "
                "serverlessv2_scaling_configuration { min_capacity, max_capacity } to the cluster"
            ),
        )
