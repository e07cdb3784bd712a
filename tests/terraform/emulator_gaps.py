"""Where moto answers unlike AWS on a round trip, and the lifecycle.ignore_changes that keeps a
second plan of unchanged code empty anyway (docs/terraform-tier.md, the emulator gaps the loop
found). Shared by the loop tests and the workflow rehearsal, which both redeploy unchanged code."""

from __future__ import annotations

from typing import Any

# Resource type -> (attributes moto does not round-trip, why).
EMULATOR_GAPS: dict[str, tuple[tuple[str, ...], str]] = {
    "aws_acm_certificate": (
        ("key_algorithm",),
        "moto issues every certificate as RSA_2048 whatever KeyAlgorithm asks (EC_prime256v1); "
        "key_algorithm forces replacement, which cascades to the validation records, the "
        "validation, the ALB listener and CloudFront",
    ),
    "aws_ecs_service": (
        (
            "capacity_provider_strategy",
            "health_check_grace_period_seconds",
            "enable_ecs_managed_tags",
            "availability_zone_rebalancing",
        ),
        "moto's CreateService keeps none of these (it reports launch type EC2); "
        "capacity_provider_strategy would force a replacement",
    ),
    "aws_rds_cluster": (
        ("scaling_configuration",),
        "moto returns a Serverless v1 ScalingConfigurationInfo for a provisioned cluster",
    ),
    "aws_rds_cluster_instance": (
        (
            "performance_insights_enabled",
            "performance_insights_kms_key_id",
            "performance_insights_retention_period",
        ),
        "moto does not keep Performance Insights settings",
    ),
    "aws_vpc_security_group_ingress_rule": (
        ("description",),
        "moto drops the description of rules that reference a security group or prefix list",
    ),
    "aws_vpc_security_group_egress_rule": (
        ("description",),
        "moto drops the description of rules that reference a security group or prefix list",
    ),
}


def override(stack: dict[str, Any]) -> dict[str, Any]:
    """lifecycle.ignore_changes for EMULATOR_GAPS, keeping the stack's own ignore_changes."""
    resources: dict[str, Any] = {}
    for type_, (attributes, _reason) in EMULATOR_GAPS.items():
        for name, body in stack["resource"].get(type_, {}).items():
            own = body.get("lifecycle", {}).get("ignore_changes", [])
            resources.setdefault(type_, {})[name] = {
                "lifecycle": {"ignore_changes": [*own, *attributes]}
            }
    return {"resource": resources}
