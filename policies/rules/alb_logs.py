"""ALB access logs: Elastic Load Balancing can only write to buckets encrypted with SSE-S3."""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import Document, Severity, Violation
from policies.registry import rule
from policies.rules._helpers import (
    Unresolved,
    blocks,
    first_block,
    flag,
    linked_resource,
    resources_linked_to,
    text,
)

LOAD_BALANCER = "aws_lb"
BUCKET = "aws_s3_bucket"
BUCKET_ENCRYPTION = "aws_s3_bucket_server_side_encryption_configuration"
KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})


@rule(
    id="AT011",
    title="ALB access logs go to a bucket encrypted with SSE-KMS",
    severity=Severity.ERROR,
    service="elbv2",
    failure_class="cross-resource",
    source="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
    category="apply-time",
    resource_types=(LOAD_BALANCER, BUCKET, BUCKET_ENCRYPTION),
)
def access_logs_to_kms_bucket(document: Document) -> Iterator[Violation]:
    for load_balancer in document.of_type(LOAD_BALANCER):
        access_logs = first_block(load_balancer.values, "access_logs")
        if access_logs is None or flag(access_logs.get("enabled")) is not True:
            continue  # the provider's default is enabled = false
        bucket = linked_resource(
            document,
            load_balancer,
            path="access_logs.bucket",
            target_types=(BUCKET,),
            name_attribute="bucket",
        )
        if bucket is None:
            continue
        try:
            configurations = resources_linked_to(
                document,
                bucket,
                source_type=BUCKET_ENCRYPTION,
                path="bucket",
                name_attribute="bucket",
            )
        except Unresolved:
            continue
        for configuration in configurations:
            for _, encryption_rule in blocks(configuration.values, "rule"):
                default = first_block(encryption_rule, "apply_server_side_encryption_by_default")
                algorithm = text(default.get("sse_algorithm")) if default else None
                if algorithm in KMS_ALGORITHMS:
                    yield Violation(
                        address=load_balancer.address,
                        resource=load_balancer,
                        message=(
                            f"access_logs go to {bucket.address}, which "
                            f"{configuration.address} encrypts with {algorithm}; ELB can only "
                            "write to SSE-S3 buckets and the apply fails "
                            "(InvalidConfigurationRequest: Access Denied for bucket); use "
                            'sse_algorithm = "AES256" for the log bucket'
                        ),
                    )
