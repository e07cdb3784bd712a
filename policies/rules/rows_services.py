"""Table rows for services beyond the catalog stack: RDS, S3, ECR, EventBridge, API Gateway,
SSM and EKS (AT300-AT319).

Each row is one rule (see ``policies/rules/tables.py``); every failing example here passes
``terraform validate`` and ``terraform plan`` with the AWS provider (proved by
``python -m policies.validate_examples --rules 'AT3*'``) and fails when AWS sees it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from policies.model import UNKNOWN, is_known
from policies.rules._helpers import blocks, number
from policies.rules.rows_compute import _containers
from policies.rules.tables import (
    Block,
    Row,
    custom,
    exclusive,
    forbidden,
    read,
    register,
    required,
)

DB_INSTANCE = "aws_db_instance"
LIFECYCLE = "aws_s3_bucket_lifecycle_configuration"
ECR_LIFECYCLE = "aws_ecr_lifecycle_policy"
EVENT_RULE = "aws_cloudwatch_event_rule"
REST_METHOD = "aws_api_gateway_method"
HTTP_ROUTE = "aws_apigatewayv2_route"
PARAMETER = "aws_ssm_parameter"
NODE_GROUP = "aws_eks_node_group"
TASK_DEFINITION = "aws_ecs_task_definition"

_DB: dict[str, Any] = {
    "identifier": "catalog-api-dev",
    "engine": "postgres",
    "engine_version": "16.4",
    "instance_class": "db.t4g.micro",
    "allocated_storage": 20,
    "username": "catalog",
    "manage_master_user_password": True,
    "skip_final_snapshot": True,
}


def _known_number(block: Block, path: str) -> float | None:
    value = read(block, path)
    if value is UNKNOWN or not is_known(value):
        return None
    return number(value)


# -- RDS ---------------------------------------------------------------------------------------


_AZ_WITH_MULTI_AZ = forbidden("availability_zone", when={"multi_az": {True, "true"}})


def _multi_az_pinned(block: Block) -> str | None:
    """CreateDBInstance refuses AvailabilityZone with MultiAZ. An existing instance (its id is
    known in a plan) is modified instead, and ModifyDBInstance takes no AvailabilityZone: the
    zone in its planned values is only the one RDS placed it in."""
    if read(block, "id") is not None:
        return None
    return _AZ_WITH_MULTI_AZ(block)


def _max_storage_not_above(block: Block) -> str | None:
    """max_allocated_storage (0 or absent: autoscaling off) must exceed allocated_storage."""
    maximum = _known_number(block, "max_allocated_storage")
    allocated = _known_number(block, "allocated_storage")
    if not maximum or allocated is None or maximum > allocated:
        return None
    return f"max_allocated_storage ({maximum}) is not greater than allocated_storage ({allocated})"


# -- S3 lifecycle ------------------------------------------------------------------------------


def _days(block: Block, key: str, days_key: str) -> list[float] | None:
    """The known day counts of every ``key`` block; None when one is unknown."""
    found = []
    raw = block.get(key) if isinstance(block, Mapping) else None
    if raw is UNKNOWN:
        return None
    for _, action in blocks(block, key):
        value = read(action, days_key)
        if value is UNKNOWN or not is_known(value):
            return None
        days = number(value)
        if days is not None:
            found.append(days)
    return found


def _expiration_before_transition(block: Block) -> str | None:
    pairs = (
        ("expiration", "days", "transition", "days"),
        (
            "noncurrent_version_expiration",
            "noncurrent_days",
            "noncurrent_version_transition",
            "noncurrent_days",
        ),
    )
    for expire_key, expire_days, move_key, move_days in pairs:
        expirations = _days(block, expire_key, expire_days)
        transitions = _days(block, move_key, move_days)
        if not expirations or not transitions:
            continue
        expirations = [days for days in expirations if days > 0]  # 0: a date is used
        if not expirations:
            continue
        expiry, latest = min(expirations), max(transitions)
        if expiry <= latest:
            return (
                f"{expire_key} after {expiry} days is not later than its {move_key} "
                f"after {latest} days"
            )
    return None


# -- ECR lifecycle policy ----------------------------------------------------------------------


def _ecr_policy_problem(block: Block) -> str | None:
    raw = read(block, "policy")
    if not isinstance(raw, str) or "${" in raw:
        return None
    try:
        policy = json.loads(raw)
    except ValueError:
        return None  # the provider validates the JSON syntax
    rules = policy.get("rules") if isinstance(policy, Mapping) else None
    if not isinstance(rules, list):
        return None
    any_priority: int | None = None
    priorities: list[int] = []
    for rule in rules:
        if not isinstance(rule, Mapping):
            return None
        priority = rule.get("rulePriority")
        selection = rule.get("selection")
        if not isinstance(selection, Mapping):
            continue
        status = selection.get("tagStatus")
        count_type = selection.get("countType")
        name = f"rule {priority}"
        if status == "tagged" and not (
            selection.get("tagPrefixList") or selection.get("tagPatternList")
        ):
            return f"{name} selects tagStatus tagged without tagPrefixList or tagPatternList"
        if status in ("untagged", "any") and (
            "tagPrefixList" in selection or "tagPatternList" in selection
        ):
            return f"{name} lists tag prefixes or patterns with tagStatus {status}"
        if count_type == "sinceImagePushed" and "countUnit" not in selection:
            return f"{name} uses countType sinceImagePushed without countUnit"
        if count_type == "imageCountMoreThan" and "countUnit" in selection:
            return f"{name} sets countUnit with countType imageCountMoreThan"
        if isinstance(priority, int) and not isinstance(priority, bool):
            priorities.append(priority)
            if status == "any":
                any_priority = priority
    duplicated = sorted({p for p in priorities if priorities.count(p) > 1})
    if duplicated:
        return f"uses rulePriority {duplicated[0]} for more than one rule"
    if any_priority is not None and any_priority != max(priorities):
        return (
            f"rule {any_priority} with tagStatus any does not have the highest rulePriority "
            f"({max(priorities)})"
        )
    return None


def _ecr_policy(*rules: Mapping[str, Any]) -> dict[str, Any]:
    return {"repository": "catalog-api", "policy": json.dumps({"rules": list(rules)})}


_ECR_KEEP_RELEASES = {
    "rulePriority": 1,
    "description": "keep the last 30 release images",
    "selection": {
        "tagStatus": "tagged",
        "tagPrefixList": ["v"],
        "countType": "imageCountMoreThan",
        "countNumber": 30,
    },
    "action": {"type": "expire"},
}


# -- EventBridge -------------------------------------------------------------------------------


def _schedule_on_custom_bus(block: Block) -> str | None:
    schedule = read(block, "schedule_expression")
    bus = read(block, "event_bus_name", "default")
    if not isinstance(schedule, str) or not isinstance(bus, str) or "${" in bus:
        return None
    name = bus.rsplit("/", 1)[-1] if bus.startswith("arn:") else bus
    if name == "default":
        return None
    return f"sets schedule_expression on the custom event bus {name}"


# -- SSM ---------------------------------------------------------------------------------------


def _standard_parameter_too_long(block: Block) -> str | None:
    tier = read(block, "tier", "Standard")
    if tier != "Standard":
        return None
    for attribute in ("value", "insecure_value"):
        value = read(block, attribute)
        if isinstance(value, str) and "${" not in value and len(value) > 4096:
            # Never quote the value: it may be a secret.
            return f"{attribute} has {len(value)} characters, above 4096 for a Standard parameter"
    return None


register(
    Row(
        id="AT300",
        title="RDS Multi-AZ instance pinned to one availability_zone",
        service="rds",
        failure_class="value-combination",
        resource_types=(DB_INSTANCE,),
        predicate=custom(_multi_az_pinned),
        error=(
            "InvalidParameterCombination: Requesting a specific availability zone is not valid "
            "for Multi-AZ instances."
        ),
        source="https://github.com/hashicorp/terraform-provider-aws/issues/39225",
        extra_sources=(
            "https://github.com/hashicorp/terraform-provider-aws/issues/485",
            "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        ),
        why=(
            "A Multi-AZ instance has a standby in another zone and RDS chooses both zones; the "
            "CreateDBInstance API states that AvailabilityZone cannot be given when MultiAZ is "
            "true. The provider accepts both arguments, and RDS refuses the instance at create "
            "(and a later switch to `multi_az = true` at modify)."
        ),
        fix="Remove availability_zone (RDS picks the zones), or keep multi_az = false.",
        failing={**_DB, "multi_az": True, "availability_zone": "eu-north-1a"},
        passing={**_DB, "multi_az": True},
        more_passing=({**_DB, "multi_az": False, "availability_zone": "eu-north-1a"},),
    ),
    Row(
        id="AT301",
        title="RDS max_allocated_storage not above allocated_storage",
        service="rds",
        failure_class="value-combination",
        resource_types=(DB_INSTANCE,),
        predicate=custom(_max_storage_not_above),
        error=("InvalidParameterCombination: Max storage size must be greater than storage size"),
        source="https://github.com/ministryofjustice/cloud-platform-environments/pull/7483",
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html",
        ),
        why=(
            "`max_allocated_storage` turns on storage autoscaling and is its ceiling, so it "
            "must be greater than `allocated_storage` (0 or unset turns autoscaling off). The "
            "provider accepts any value; RDS rejects an equal or smaller ceiling at create or "
            "modify. It happens most when `allocated_storage` is raised and the ceiling is not."
        ),
        fix=(
            "Raise max_allocated_storage above allocated_storage (by at least 10%), or set it "
            "to 0 to turn storage autoscaling off."
        ),
        failing={**_DB, "allocated_storage": 100, "max_allocated_storage": 100},
        passing={**_DB, "allocated_storage": 100, "max_allocated_storage": 200},
        more_failing=({**_DB, "allocated_storage": 100, "max_allocated_storage": 50},),
        more_passing=({**_DB, "allocated_storage": 100, "max_allocated_storage": 0},),
    ),
    Row(
        id="AT303",
        title="S3 lifecycle expiration not later than the same rule's transition",
        service="s3",
        failure_class="value-combination",
        resource_types=(LIFECYCLE,),
        scope=("rule",),
        predicate=custom(_expiration_before_transition),
        error=(
            "InvalidArgument: 'Days' in the Expiration action for filter '(prefix=logs/)' must "
            "be greater than 'Days' in the Transition action"
        ),
        source="https://github.com/hashicorp/terraform-provider-aws/issues/23882",
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html",
        ),
        why=(
            "Within one lifecycle rule S3 requires the expiration to come after every "
            "transition (for current versions `days`, for noncurrent versions "
            "`noncurrent_days`): moving an object to another class on the day it is deleted "
            "makes no sense, so S3 rejects the whole configuration when it is put. The "
            "provider checks each number alone."
        ),
        fix="Expire later than the last transition, or drop the transition.",
        failing={
            "bucket": "catalog-api-logs-123456789012",
            "rule": [
                {
                    "id": "archive",
                    "status": "Enabled",
                    "filter": [{"prefix": "logs/"}],
                    "transition": [{"days": 90, "storage_class": "GLACIER"}],
                    "expiration": [{"days": 60}],
                }
            ],
        },
        passing={
            "bucket": "catalog-api-logs-123456789012",
            "rule": [
                {
                    "id": "archive",
                    "status": "Enabled",
                    "filter": [{"prefix": "logs/"}],
                    "transition": [{"days": 90, "storage_class": "GLACIER"}],
                    "expiration": [{"days": 365}],
                }
            ],
        },
        more_failing=(
            {
                "bucket": "catalog-api-logs-123456789012",
                "rule": [
                    {
                        "id": "old-versions",
                        "status": "Enabled",
                        "filter": [{}],
                        "noncurrent_version_transition": [
                            {"noncurrent_days": 30, "storage_class": "STANDARD_IA"}
                        ],
                        "noncurrent_version_expiration": [{"noncurrent_days": 30}],
                    }
                ],
            },
        ),
    ),
    Row(
        id="AT304",
        title="ECR lifecycle policy rule that ECR's policy schema rejects",
        service="ecr",
        failure_class="invalid-value",
        resource_types=(ECR_LIFECYCLE,),
        predicate=custom(_ecr_policy_problem),
        error=(
            "InvalidParameterException: Invalid parameter at 'LifecyclePolicyText' failed to "
            "satisfy constraint: 'Lifecycle policy validation failure: ...'"
        ),
        source="https://github.com/cloudposse/terraform-aws-ecr/issues/158",
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html",
            "https://github.com/cloud-custodian/cloud-custodian/issues/5597",
        ),
        why=(
            "ECR validates a lifecycle policy against its own rules when it is put: "
            "`tagStatus: tagged` needs `tagPrefixList` or `tagPatternList` (and only it may "
            "have them), `sinceImagePushed` needs `countUnit` while `imageCountMoreThan` must "
            "not have one, every `rulePriority` is unique, and the `tagStatus: any` rule must "
            "have the highest priority. The provider only checks that the policy is JSON."
        ),
        fix=(
            "Follow ECR's lifecycle policy rules: a tag list for tagged rules, countUnit only "
            "with sinceImagePushed, unique priorities, the 'any' rule last."
        ),
        failing=_ecr_policy(
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "tagged",
                    "countType": "imageCountMoreThan",
                    "countNumber": 30,
                },
                "action": {"type": "expire"},
            }
        ),
        passing=_ecr_policy(_ECR_KEEP_RELEASES),
        more_failing=(
            _ecr_policy(
                {
                    "rulePriority": 1,
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "imageCountMoreThan",
                        "countUnit": "days",
                        "countNumber": 5,
                    },
                    "action": {"type": "expire"},
                }
            ),
            _ecr_policy(
                {
                    "rulePriority": 1,
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": 100,
                    },
                    "action": {"type": "expire"},
                },
                {**_ECR_KEEP_RELEASES, "rulePriority": 2},
            ),
        ),
        more_passing=(
            _ecr_policy(
                _ECR_KEEP_RELEASES,
                {
                    "rulePriority": 2,
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": 7,
                    },
                    "action": {"type": "expire"},
                },
            ),
        ),
    ),
    Row(
        id="AT305",
        title="EventBridge scheduled rule on a custom event bus",
        service="events",
        failure_class="value-combination",
        resource_types=(EVENT_RULE,),
        predicate=custom(_schedule_on_custom_bus),
        error="ValidationException: ScheduleExpression is supported only on the default event bus.",
        source="https://github.com/aws-controllers-k8s/community/issues/1984",
        extra_sources=(
            "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html",
            "https://github.com/anomalyco/sst/issues/1629",
        ),
        why=(
            "Scheduled rules only run on the account's default event bus; a rule on a custom "
            "bus must match an event pattern. The provider accepts `schedule_expression` "
            "together with any `event_bus_name`, and PutRule fails at apply."
        ),
        fix=(
            "Put the scheduled rule on the default bus (omit event_bus_name), or use "
            "aws_scheduler_schedule."
        ),
        failing={
            "name": "catalog-api-nightly",
            "event_bus_name": "catalog-events",
            "schedule_expression": "rate(1 day)",
        },
        passing={
            "name": "catalog-api-nightly",
            "event_bus_name": "default",
            "schedule_expression": "rate(1 day)",
        },
    ),
    Row(
        id="AT306",
        title="API Gateway method with CUSTOM or Cognito authorization but no authorizer_id",
        service="apigateway",
        failure_class="value-combination",
        resource_types=(REST_METHOD,),
        predicate=required(
            "authorizer_id", when={"authorization": {"CUSTOM", "COGNITO_USER_POOLS"}}
        ),
        error=(
            "BadRequestException: Invalid authorizer ID specified. Setting the authorization "
            "type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."
        ),
        source="https://github.com/aws/aws-cdk/issues/5618",
        extra_sources=(
            "https://github.com/serverless-operations/serverless-apigateway-service-proxy/issues/51",
            "https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethod.html",
        ),
        why=(
            '`authorization = "CUSTOM"` (a Lambda authorizer) and `"COGNITO_USER_POOLS"` '
            "name an `aws_api_gateway_authorizer` through `authorizer_id`. The provider keeps "
            "`authorizer_id` optional, and API Gateway rejects the method at create."
        ),
        fix="Set authorizer_id = aws_api_gateway_authorizer.<name>.id, or another authorization.",
        failing={
            "rest_api_id": "a1b2c3d4e5",
            "resource_id": "abc123",
            "http_method": "GET",
            "authorization": "COGNITO_USER_POOLS",
        },
        passing={
            "rest_api_id": "a1b2c3d4e5",
            "resource_id": "abc123",
            "http_method": "GET",
            "authorization": "COGNITO_USER_POOLS",
            "authorizer_id": "x1y2z3",
        },
    ),
    Row(
        id="AT307",
        title="HTTP API route with JWT or CUSTOM authorization but no authorizer_id",
        service="apigateway",
        failure_class="value-combination",
        resource_types=(HTTP_ROUTE,),
        predicate=required("authorizer_id", when={"authorization_type": {"JWT", "CUSTOM"}}),
        error=(
            "BadRequestException: Invalid authorizer ID specified. Setting the authorization "
            "type to JWT requires a valid JWT authorizer."
        ),
        source="https://github.com/anomalyco/ion/issues/1104",
        extra_sources=(
            "https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes.html",
        ),
        why=(
            'A route with `authorization_type = "JWT"` or `"CUSTOM"` must name its '
            "`aws_apigatewayv2_authorizer`. The provider accepts the route without "
            "`authorizer_id`, and API Gateway rejects it at create."
        ),
        fix=(
            "Set authorizer_id = aws_apigatewayv2_authorizer.<name>.id, or authorization_type NONE."
        ),
        failing={"api_id": "a1b2c3d4e5", "route_key": "GET /items", "authorization_type": "JWT"},
        passing={
            "api_id": "a1b2c3d4e5",
            "route_key": "GET /items",
            "authorization_type": "JWT",
            "authorizer_id": "x1y2z3",
        },
    ),
    Row(
        id="AT311",
        title="SSM Standard parameter value longer than 4,096 characters",
        service="ssm",
        failure_class="value-combination",
        resource_types=(PARAMETER,),
        predicate=custom(_standard_parameter_too_long),
        error=(
            "ValidationException: Standard tier parameters support a maximum parameter value "
            "of 4096 characters. To create a larger parameter value, upgrade the parameter to "
            "use the advanced-parameter tier."
        ),
        source="https://github.com/aws/aws-sdk-net/issues/3157",
        extra_sources=(
            "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
            "https://github.com/hashicorp/terraform-provider-aws/pull/31151",
        ),
        why=(
            "A Standard parameter's value holds at most 4,096 characters; Advanced (and "
            "Intelligent-Tiering, which upgrades when needed) hold 8 KB. `tier` defaults to "
            "Standard, and the provider does not check the value's length against the tier "
            "(a pull request adding that check is still open), so a large JSON document or "
            "certificate plans fine and fails at PutParameter. The finding never quotes the "
            "value."
        ),
        fix='Set tier = "Advanced" (or "Intelligent-Tiering"), or store less.',
        failing={"name": "/catalog/config", "type": "String", "value": "x" * 5000},
        passing={
            "name": "/catalog/config",
            "type": "String",
            "value": "x" * 5000,
            "tier": "Advanced",
        },
    ),
)

_NODE_GROUP: dict[str, Any] = {
    "cluster_name": "catalog",
    "node_group_name": "general",
    "node_role_arn": "arn:aws:iam::123456789012:role/catalog-eks-nodes",
    "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
    "scaling_config": [{"min_size": 1, "max_size": 3, "desired_size": 2}],
}
_LAUNCH_TEMPLATE = [{"id": "lt-0123456789abcdef0", "version": "3"}]

register(
    Row(
        id="AT313",
        title="EKS node group sets disk_size together with a launch template",
        service="eks",
        failure_class="value-combination",
        resource_types=(NODE_GROUP,),
        predicate=exclusive("disk_size", "launch_template"),
        error="InvalidParameterException: Disk size must be specified within the launch template.",
        source="https://github.com/crossplane-contrib/provider-upjet-aws/issues/866",
        extra_sources=(
            "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html",
            "https://github.com/terraform-aws-modules/terraform-aws-eks/pull/1239",
        ),
        why=(
            "With a launch template, EKS takes the node's disk from the template's block device "
            "mappings; the CreateNodegroup API reference says a node group that also sets "
            "`diskSize` fails. The provider accepts both arguments and the create fails at apply."
        ),
        fix=(
            "Set the volume size in the launch template's block_device_mappings and drop disk_size."
        ),
        failing={**_NODE_GROUP, "disk_size": 50, "launch_template": _LAUNCH_TEMPLATE},
        passing={**_NODE_GROUP, "launch_template": _LAUNCH_TEMPLATE},
        more_passing=({**_NODE_GROUP, "disk_size": 50},),
    ),
    Row(
        id="AT314",
        title="EKS node group sets remote_access together with a launch template",
        service="eks",
        failure_class="value-combination",
        resource_types=(NODE_GROUP,),
        predicate=exclusive("remote_access", "launch_template"),
        error=(
            "InvalidParameterException: Remote access configuration cannot be specified with a "
            "launch template."
        ),
        source="https://github.com/terraform-aws-modules/terraform-aws-eks/issues/2219",
        extra_sources=(
            "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html",
            "https://github.com/hashicorp/terraform-provider-aws/pull/35917",
        ),
        why=(
            "`remote_access` (SSH key and source security groups) only works with the launch "
            "template EKS creates itself; with your own launch template the key and security "
            "groups go into the template. The provider documents the conflict but does not "
            "enforce it, and CreateNodegroup fails at apply."
        ),
        fix=(
            "Put key_name and the security groups in the launch template, or prefer SSM Session "
            "Manager to SSH."
        ),
        failing={
            **_NODE_GROUP,
            "launch_template": _LAUNCH_TEMPLATE,
            "remote_access": [{"ec2_ssh_key": "catalog-admin"}],
        },
        passing={**_NODE_GROUP, "launch_template": _LAUNCH_TEMPLATE},
        more_passing=({**_NODE_GROUP, "remote_access": [{"ec2_ssh_key": "catalog-admin"}]},),
    ),
)


def _container_without_memory(block: Block) -> str | None:
    """Without a task-level memory, every container needs memory or memoryReservation."""
    task_memory = read(block, "memory")
    if task_memory is UNKNOWN or task_memory is not None:
        return None
    containers = _containers(block)
    if containers is None:
        return None
    for container in containers:
        if container.get("memory") is None and container.get("memoryReservation") is None:
            name = container.get("name", "?")
            return (
                f"container '{name}' sets neither memory nor memoryReservation and the task "
                "sets no memory"
            )
    return None


def _task(*containers: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "family": "catalog-worker",
        "requires_compatibilities": ["EC2"],
        "network_mode": "bridge",
        "container_definitions": json.dumps(list(containers)),
    }


_WORKER = {
    "name": "worker",
    "image": "public.ecr.aws/docker/library/busybox:1.36",
    "essential": True,
}

register(
    Row(
        id="AT315",
        title="ECS container without memory or memoryReservation in a task without memory",
        service="ecs",
        failure_class="value-combination",
        resource_types=(TASK_DEFINITION,),
        predicate=custom(_container_without_memory),
        error=(
            "ClientException: Invalid setting for container 'worker'. At least one of 'memory' "
            "or 'memoryReservation' must be specified."
        ),
        source="https://github.com/sil-org/ecs-deploy/issues/59",
        extra_sources=(
            "https://github.com/getmoto/moto/pull/7280",
            "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html",
        ),
        why=(
            "When a task definition sets no task-level `memory` (common for EC2 tasks), ECS "
            "needs a hard (`memory`) or soft (`memoryReservation`) limit on every container to "
            "place it. The provider only checks that `container_definitions` is JSON, so the "
            "task definition plans fine and RegisterTaskDefinition fails at apply."
        ),
        fix=(
            "Set memory or memoryReservation on every container, or a task-level memory for "
            "the task definition."
        ),
        failing=_task(_WORKER),
        passing=_task({**_WORKER, "memoryReservation": 256}),
        more_passing=({**_task(_WORKER), "memory": "512"},),
    ),
)
