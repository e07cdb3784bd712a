"""Required tags, from the provider's default_tags or on the resource itself."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from policies.model import UNKNOWN, Document, Severity, Violation
from policies.registry import rule
from policies.toolkit.context import by_environment, provider_default_tags

REQUIRED_TAGS = ("Project", "Environment", "ManagedBy", "Owner")

# Types with a ``tags`` argument (AWS provider 6.x) that this kind of stack uses. Only these are
# checked: a type without tags (e.g. aws_s3_bucket_policy) can never satisfy the rule.
TAGGABLE_TYPES = frozenset(
    {
        "aws_acm_certificate",
        "aws_appautoscaling_target",
        "aws_cloudfront_distribution",
        "aws_cloudwatch_log_group",
        "aws_cloudwatch_metric_alarm",
        "aws_db_instance",
        "aws_db_parameter_group",
        "aws_db_subnet_group",
        "aws_dynamodb_table",
        "aws_ecr_repository",
        "aws_ecs_cluster",
        "aws_ecs_service",
        "aws_ecs_task_definition",
        "aws_eip",
        "aws_flow_log",
        "aws_iam_openid_connect_provider",
        "aws_iam_policy",
        "aws_iam_role",
        "aws_internet_gateway",
        "aws_kms_key",
        "aws_lambda_function",
        "aws_lb",
        "aws_lb_listener",
        "aws_lb_listener_rule",
        "aws_lb_target_group",
        "aws_nat_gateway",
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
        "aws_rds_cluster_parameter_group",
        "aws_route_table",
        "aws_s3_bucket",
        "aws_secretsmanager_secret",
        "aws_security_group",
        "aws_sns_topic",
        "aws_sqs_queue",
        "aws_subnet",
        "aws_vpc",
        "aws_vpc_endpoint",
        "aws_wafv2_web_acl",
    }
)


def _keys(tags: object) -> set[str] | None:
    """Tag keys; None when unknown. Unknown tag *values* do not matter, only the keys."""
    if tags is None:
        return set()
    if tags is UNKNOWN or not isinstance(tags, Mapping):
        return None
    return set(tags)


@rule(
    id="OPS004",
    title="Resource missing required tags",
    severity=Severity.ERROR,
    service="aws",
    failure_class="posture",
    source="https://registry.terraform.io/providers/hashicorp/aws/latest/docs#default_tags-configuration-block",
    resource_types=tuple(sorted(TAGGABLE_TYPES)),
)
def required_tags(document: Document) -> Iterator[Violation]:
    severity = by_environment(document)
    for resource in document.of_type(*TAGGABLE_TYPES):
        if "delete" in resource.actions and "create" not in resource.actions:
            continue
        # Plans carry the provider-merged tags in tags_all; config needs the merge done here.
        tags_all = resource.values.get("tags_all") if document.kind == "plan" else None
        merged = set(tags_all) if isinstance(tags_all, Mapping) else None
        if merged is None:
            own = _keys(resource.values.get("tags"))
            defaults = provider_default_tags(document, resource)
            if own is None or defaults is None:
                continue
            merged = own | set(defaults)
        missing = [tag for tag in REQUIRED_TAGS if tag not in merged]
        if missing:
            yield Violation(
                address=resource.address,
                resource=resource,
                severity=severity,
                message=(
                    f"missing required tag{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(missing)}; set them in the provider's default_tags (or on the "
                    "resource)"
                ),
            )
