"""Plan-only: deleting or replacing a resource that holds data nobody can recreate."""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import Document, Severity, Violation
from policies.registry import rule
from tfjson.actions import reason_text

# Types whose delete loses data or breaks every consumer: databases and their snapshots of
# truth, buckets, secrets, keys (deleting a KMS key makes everything it encrypted unreadable),
# log groups (audit history), plus the stores of the same kind this stack could grow into.
STATEFUL_TYPES = frozenset(
    {
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
        "aws_rds_global_cluster",
        "aws_db_instance",
        "aws_s3_bucket",
        "aws_secretsmanager_secret",
        "aws_kms_key",
        "aws_cloudwatch_log_group",
        "aws_dynamodb_table",
        "aws_efs_file_system",
        "aws_ebs_volume",
        "aws_ecr_repository",
        "aws_elasticache_replication_group",
        "aws_backup_vault",
    }
)


@rule(
    id="PLAN001",
    title="Plan deletes or replaces a stateful resource",
    severity=Severity.ERROR,
    service="aws",
    failure_class="plan-time",
    source="https://developer.hashicorp.com/terraform/internals/json-format#change-representation",
    resource_types=tuple(sorted(STATEFUL_TYPES)),
    applies_to=("plan",),
)
def destructive_change(document: Document) -> Iterator[Violation]:
    for resource in document.of_type(*STATEFUL_TYPES):
        if "delete" not in resource.actions:
            continue
        verb = "replaces" if "create" in resource.actions else "deletes"
        order = ""
        if resource.actions == ("create", "delete"):
            order = " (create before destroy)"
        because = ""
        if resource.action_reason:
            words = reason_text(resource.action_reason)
            because = f"; Terraform says: {words} ({resource.action_reason})"
        yield Violation(
            address=resource.address,
            resource=resource,
            message=(
                f"this plan {verb} {resource.address}{order}{because}; the data it holds is "
                "lost unless restored from a backup; waive this finding if that is intended"
            ),
        )
