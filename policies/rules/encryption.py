"""Encryption at rest where AWS leaves it off by default or lets a customer key be chosen."""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import Document, Severity, Violation, is_known
from policies.registry import rule
from policies.toolkit.context import by_environment
from policies.toolkit.values import flag, is_set, text

RDS_TYPES = ("aws_rds_cluster", "aws_db_instance")
LOG_GROUP = "aws_cloudwatch_log_group"


@rule(
    id="SEC003",
    title="Data at rest not encrypted (RDS storage) or without a customer managed key (logs)",
    severity=Severity.ERROR,
    service="aws",
    failure_class="posture",
    source="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html#Overview.Encryption.Limitations",
    resource_types=(*RDS_TYPES, LOG_GROUP),
)
def encryption_at_rest(document: Document) -> Iterator[Violation]:
    severity = by_environment(document)
    for resource in document.of_type(*RDS_TYPES):
        values = resource.values
        # Serverless v1 is always encrypted; restores and replicas inherit the source's setting.
        if text(values.get("engine_mode")) == "serverless":
            continue
        inherited = ("snapshot_identifier", "replicate_source_db", "replication_source_identifier")
        if any(is_set(resource, attribute) is not False for attribute in inherited):
            continue
        raw = values.get("storage_encrypted")
        if not is_known(raw) or (raw is not None and flag(raw) is None):
            continue
        if raw is None and document.kind == "plan":
            continue
        if raw is None or flag(raw) is False:
            yield Violation(
                address=resource.address,
                resource=resource,
                severity=severity,
                message=(
                    "storage_encrypted is not true; RDS storage, backups and snapshots stay "
                    "unencrypted and encryption cannot be switched on later without a "
                    "snapshot-restore; set storage_encrypted = true"
                ),
            )
    for log_group in document.of_type(LOG_GROUP):
        if is_set(log_group, "kms_key_id") is False:
            yield Violation(
                address=log_group.address,
                resource=log_group,
                severity=Severity.INFO,
                message=(
                    "log group has no kms_key_id: CloudWatch Logs encrypts it with an AWS owned "
                    "key you cannot audit or revoke; set kms_key_id to a customer managed key "
                    "if the logs hold personal or sensitive data"
                ),
            )
