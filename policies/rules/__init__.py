"""The rule pack: where the rules live, and the one place that imports them.

Rules live by AWS service: ``<service>.py`` (a package ``<service>/`` past ~600 lines) holds
every rule whose finding lands on that service's resources, Rows and functions, single- and
cross-resource; ``<service>`` is the rule's ``service`` (``lambda_`` for ``lambda``).
Cross-cutting rules have one module each (names, tags, encryption, plaintext_secrets,
destructive, plan_replacements), and so do the Terraform-level ones (backend, trust_boundary).
IDs are stable: ``AT`` apply-time failure predictors, ``SEC`` security, ``OPS`` operations,
``PLAN`` plan-only. Each rule has ``policies/docs/<ID>.md``. Rules are written with
``policies.toolkit`` (values, links, context, rows, documents).

Shared conventions:
- a value that is UNKNOWN, or a cross-resource link that cannot be resolved with certainty,
  produces no finding;
- a rule whose severity depends on the environment uses the production severity when the
  environment is unknown, and a production-only rule does not run then;
- a rule module's module level stays cheap: the standard library and
  ``policies``/``tfjson``/``facts`` only; import anything heavier (yaml, boto3, a large data
  file) inside the function that needs it. ``policies bench`` prints the start-up figures, and
  a test fails when ``check`` loads rich, yaml or jsonschema without need.

``policies.registry`` imports no rule module: ``all_rules`` here imports them, and a rule
module registers its rules with ``@rule`` or ``register(Row(...))`` on import.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection

from policies.registry import REGISTRY, Rule
from policies.toolkit.rows import ROW_MODULES

# Every rule module, and the resource types its rules are about (the union of their
# ``resource_types``): a rule finds nothing in a document without any of them, so a caller may
# import only the modules whose types occur in its input. None: always imported, for the
# cross-cutting and Terraform-level modules (they span services, and some read the document
# itself: backend, providers, blocks other than resources).
# tests/policies/rules/test_layout.py checks this map against the rules.
MODULES: dict[str, tuple[str, ...] | None] = {
    "apigateway": ("aws_api_gateway_method", "aws_apigatewayv2_api", "aws_apigatewayv2_route"),
    "autoscaling": ("aws_autoscaling_group",),
    "backend": None,
    "cloudfront": (
        "aws_acm_certificate",
        "aws_cloudfront_distribution",
        "aws_lambda_function",
        "aws_s3_bucket",
        "aws_s3_bucket_ownership_controls",
    ),
    "cloudwatch": ("aws_cloudwatch_metric_alarm",),
    "destructive": None,
    "dynamodb": ("aws_dynamodb_table",),
    "ec2": (
        "aws_ebs_volume",
        "aws_security_group",
        "aws_subnet",
        "aws_vpc",
        "aws_vpc_ipv4_cidr_block_association",
    ),
    "ecr": ("aws_ecr_lifecycle_policy", "aws_ecr_repository"),
    "ecs": (
        "aws_alb_listener",
        "aws_alb_listener_rule",
        "aws_ecs_cluster",
        "aws_ecs_cluster_capacity_providers",
        "aws_ecs_service",
        "aws_ecs_task_definition",
        "aws_lb_listener",
        "aws_lb_listener_rule",
        "aws_lb_target_group",
    ),
    "eks": ("aws_eks_node_group",),
    "elasticache": ("aws_elasticache_replication_group",),
    "elbv2": (
        "aws_alb",
        "aws_lb",
        "aws_lb_listener",
        "aws_lb_target_group",
        "aws_s3_bucket",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_subnet",
    ),
    "encryption": None,
    "events": ("aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_sqs_queue"),
    "iam": (
        "aws_ecr_repository_policy",
        "aws_iam_group_policy",
        "aws_iam_policy",
        "aws_iam_policy_attachment",
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_iam_role_policy_attachment",
        "aws_iam_user_policy",
        "aws_kms_key",
        "aws_kms_key_policy",
        "aws_s3_bucket",
        "aws_s3_bucket_policy",
        "aws_secretsmanager_secret",
        "aws_secretsmanager_secret_policy",
        "aws_sns_topic",
        "aws_sns_topic_policy",
        "aws_sqs_queue",
        "aws_sqs_queue_policy",
    ),
    "kms": ("aws_kms_key", "aws_kms_key_policy"),
    "lambda_": (
        "aws_dynamodb_table",
        "aws_kinesis_stream",
        "aws_lambda_event_source_mapping",
        "aws_lambda_function",
        "aws_msk_cluster",
        "aws_sqs_queue",
    ),
    "logs": ("aws_cloudwatch_log_metric_filter",),
    "names": None,
    "plaintext_secrets": None,
    "plan_replacements": None,
    "rds": (
        "aws_db_instance",
        "aws_db_parameter_group",
        "aws_db_subnet_group",
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
        "aws_rds_cluster_parameter_group",
        "aws_subnet",
    ),
    "route53": ("aws_route53_record", "aws_route53_zone"),
    "s3": (
        "aws_ecr_repository_policy",
        "aws_kms_key",
        "aws_kms_key_policy",
        "aws_s3_bucket",
        "aws_s3_bucket_acl",
        "aws_s3_bucket_lifecycle_configuration",
        "aws_s3_bucket_notification",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_replication_configuration",
        "aws_s3_bucket_versioning",
        "aws_secretsmanager_secret",
        "aws_secretsmanager_secret_policy",
        "aws_sns_topic",
        "aws_sns_topic_policy",
        "aws_sqs_queue",
        "aws_sqs_queue_policy",
    ),
    "scheduler": ("aws_scheduler_schedule",),
    "secretsmanager": ("aws_secretsmanager_secret",),
    "sns": ("aws_sns_topic", "aws_sns_topic_subscription", "aws_sqs_queue"),
    "sqs": ("aws_sqs_queue", "aws_sqs_queue_redrive_policy"),
    "ssm": ("aws_ssm_parameter",),
    "tags": None,
    "trust_boundary": None,
}


def modules_for(resource_types: Collection[str] | None = None) -> list[str]:
    """The rule modules to import for a document with ``resource_types`` (None: all of them)."""
    if resource_types is None:
        return list(MODULES)
    present = set(resource_types)
    return [
        name for name, types in MODULES.items() if types is None or not present.isdisjoint(types)
    ]


def module_of(rule: Rule) -> str:
    """The rule module that registered ``rule`` (``policies.rules.<module>``)."""
    return ROW_MODULES.get(rule.id) or rule.check.__module__


def load(modules: Collection[str]) -> None:
    """Import (and so register) the named rule modules; importing twice is free."""
    for name in modules:
        importlib.import_module(f"{__name__}.{name}")


def all_rules(resource_types: Collection[str] | None = None) -> list[Rule]:
    """The registered rules by ID: all of them, or those a document with ``resource_types``
    can need (importing only their modules)."""
    wanted = modules_for(resource_types)
    load(wanted)
    prefixes = tuple(f"{__name__}.{name}" for name in wanted)
    rules = (
        rule
        for rule in REGISTRY.values()
        if resource_types is None
        or module_of(rule) in prefixes
        or module_of(rule).startswith(tuple(f"{p}." for p in prefixes))
    )
    return sorted(rules, key=lambda r: r.id)
