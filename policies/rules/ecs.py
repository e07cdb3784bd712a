"""ECS services: launch type and capacity provider settings the ECS API rejects at apply time."""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import Document, Severity, Violation, is_known
from policies.registry import rule
from policies.rules._helpers import (
    Unresolved,
    blocks,
    linked_resource,
    resources_linked_to,
    text,
)

SERVICE = "aws_ecs_service"
CLUSTER = "aws_ecs_cluster"
CLUSTER_PROVIDERS = "aws_ecs_cluster_capacity_providers"


@rule(
    id="AT003",
    title="ECS service sets both launch_type and capacity_provider_strategy",
    severity=Severity.ERROR,
    service="ecs",
    failure_class="value-combination",
    source="https://github.com/terraform-linters/tflint-ruleset-aws/issues/349",
    category="apply-time",
    resource_types=(SERVICE,),
)
def launch_type_with_strategy(document: Document) -> Iterator[Violation]:
    for service in document.of_type(SERVICE):
        launch_type = text(service.values.get("launch_type"))
        if launch_type is None or not any(
            True for _ in blocks(service.values, "capacity_provider_strategy")
        ):
            continue
        yield Violation(
            address=service.address,
            resource=service,
            message=(
                f"capacity_provider_strategy and launch_type ({launch_type}) are mutually "
                "exclusive; ECS rejects the service (InvalidParameterException: Specifying both "
                "a launch type and capacity provider strategy is not supported); remove "
                "launch_type"
            ),
        )


@rule(
    id="AT004",
    title="ECS service capacity provider is not attached to its cluster",
    severity=Severity.ERROR,
    service="ecs",
    failure_class="cross-resource",
    source="https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html",
    category="apply-time",
    resource_types=(SERVICE, CLUSTER, CLUSTER_PROVIDERS),
)
def strategy_provider_not_attached(document: Document) -> Iterator[Violation]:
    for service in document.of_type(SERVICE):
        strategy = [
            name
            for _, entry in blocks(service.values, "capacity_provider_strategy")
            if (name := text(entry.get("capacity_provider"))) is not None
        ]
        if not strategy:
            continue
        cluster = linked_resource(
            document, service, path="cluster", target_types=(CLUSTER,), name_attribute="name"
        )
        if cluster is None:
            continue
        try:
            attachments = resources_linked_to(
                document,
                cluster,
                source_type=CLUSTER_PROVIDERS,
                path="cluster_name",
                name_attribute="name",
            )
        except Unresolved:
            continue
        if not attachments:
            continue  # providers may be attached outside this configuration: cannot tell
        attached: set[str] = set()
        for attachment in attachments:
            providers = attachment.values.get("capacity_providers")
            if not is_known(providers) or not isinstance(providers, list):
                break
            attached.update(p for p in providers if isinstance(p, str))
        else:
            for name in strategy:
                if name not in attached:
                    yield Violation(
                        address=service.address,
                        resource=service,
                        message=(
                            f"capacity_provider_strategy names '{name}', which "
                            f"{attachments[0].address} does not attach to {cluster.address} "
                            f"(attached: {', '.join(sorted(attached)) or 'none'}); ECS rejects "
                            "the service (InvalidParameterException: The specified capacity "
                            "provider strategy cannot contain a capacity provider that is not "
                            "associated with the cluster)"
                        ),
                    )


TARGET_GROUP = "aws_lb_target_group"
TASK_DEFINITION = "aws_ecs_task_definition"
# Network mode -> the target type a load-balanced service in that mode must register as.
TARGET_TYPE_FOR_MODE = {"awsvpc": "ip", "bridge": "instance", "host": "instance"}


@rule(
    id="AT016",
    title="ECS service target group target_type does not fit the task's network mode",
    severity=Severity.ERROR,
    service="ecs",
    failure_class="cross-resource",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/11723",
    category="apply-time",
    resource_types=(SERVICE, TARGET_GROUP, TASK_DEFINITION),
)
def target_type_for_network_mode(document: Document) -> Iterator[Violation]:
    for service in document.of_type(SERVICE):
        task = linked_resource(
            document,
            service,
            path="task_definition",
            target_types=(TASK_DEFINITION,),
            name_attribute="family",
        )
        mode = text(task.values.get("network_mode")) if task is not None else None
        needed = TARGET_TYPE_FOR_MODE.get(mode or "")
        if task is None or needed is None:
            continue
        for index, _ in blocks(service.values, "load_balancer"):
            address = service.reference(f"load_balancer.{index}.target_group_arn")
            group = document.resource(address) if address else None
            if group is None or group.type != TARGET_GROUP:
                continue
            raw = group.values.get("target_type")
            if not is_known(raw):
                continue
            target_type = "instance" if raw is None else text(raw)  # the provider default
            if target_type is not None and target_type != needed:
                yield Violation(
                    address=service.address,
                    resource=service,
                    message=(
                        f"load_balancer[{index}] registers tasks of {task.address} (network_mode "
                        f"{mode}) in {group.address}, whose target_type is {target_type}; ECS "
                        f"rejects the service (InvalidParameterException: The provided target "
                        f"group ... has target type {target_type}, which is incompatible with "
                        f"the {mode} network mode specified in the task definition); set "
                        f'target_type = "{needed}"'
                    ),
                )
