"""ECS services: launch type, capacity providers, load balancer target groups, network
configuration."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Resource, Severity, Violation, is_known
from policies.registry import rule
from policies.toolkit.links import Unresolved, linked_resource, resources_linked_to, resources_with
from policies.toolkit.values import blocks, creates_or_updates, text

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


# Task CPU units -> allowed memory (MiB), the table infra.config validates against too.


TARGET_GROUP_TYPES = (TARGET_GROUP, "aws_alb_target_group")
LISTENERS = ("aws_lb_listener", "aws_alb_listener")
LISTENER_RULES = ("aws_lb_listener_rule", "aws_alb_listener_rule")


class _Unresolved(Exception):
    pass


def _forward_target(document: Document, resource: Resource, path: str, value: Any) -> str | None:
    """The address of the target group ``value`` (at ``path``) names; raises when unsure."""
    if value is None or value == "":
        return None
    address = resource.reference(path)
    if address is not None:
        return address
    if value is UNKNOWN or not isinstance(value, str):
        raise _Unresolved(resource.address)
    groups = resources_with(document, TARGET_GROUP_TYPES, "arn", value)
    return groups[0].address if groups else None  # else a group outside this configuration


def _forwarded(document: Document) -> set[str]:
    """Addresses of target groups some listener or listener rule forwards to."""
    found: set[str] = set()
    for listener_type, key in [(t, "default_action") for t in LISTENERS] + [
        (t, "action") for t in LISTENER_RULES
    ]:
        for listener in document.of_type(listener_type):
            raw = listener.values.get(key)
            if raw is UNKNOWN:
                raise _Unresolved(listener.address)
            for index, action in blocks(listener.values, key):
                base = f"{key}.{index}"
                target = _forward_target(
                    document, listener, f"{base}.target_group_arn", action.get("target_group_arn")
                )
                if target:
                    found.add(target)
                for _, forward in blocks(action, "forward"):
                    if forward.get("target_group") is UNKNOWN:
                        raise _Unresolved(listener.address)
                    for group_index, group in blocks(forward, "target_group"):
                        target = _forward_target(
                            document,
                            listener,
                            f"{base}.forward.target_group.{group_index}.arn",
                            group.get("arn"),
                        )
                        if target:
                            found.add(target)
    return found


def _group_of(document: Document, service: Resource, index: int, block: Mapping[str, Any]):
    path = f"load_balancer.{index}.target_group_arn"
    address = service.reference(path)
    if address is None:
        value = text(block.get("target_group_arn"))
        matches = resources_with(document, TARGET_GROUP_TYPES, "arn", value) if value else []
        return matches[0] if len(matches) == 1 else None
    group = document.resource(address)
    return group if group is not None and group.type in TARGET_GROUP_TYPES else None


@rule(
    id="AT215",
    service="ecs",
    failure_class="cross-resource",
    source="https://github.com/hashicorp/terraform/issues/32908",
    title="ECS service registers into a target group that no listener forwards to",
    severity=Severity.ERROR,
    resource_types=("aws_ecs_service", TARGET_GROUP, *LISTENERS, *LISTENER_RULES),
)
def target_group_without_listener(document: Document) -> Iterator[Violation]:
    services = list(document.of_type("aws_ecs_service"))
    if not services:
        return
    try:
        forwarded = _forwarded(document)
    except _Unresolved:
        return
    for service in services:
        for index, block in blocks(service.values, "load_balancer"):
            group = _group_of(document, service, index, block)
            if group is None or group.address in forwarded:
                continue
            # A group that already exists may be attached by a listener in another
            # configuration; one this plan creates cannot be.
            certain = "create" in group.actions
            yield Violation(
                address=service.address,
                resource=service,
                severity=Severity.ERROR if certain else Severity.WARNING,
                message=(
                    f"load_balancer[{index}] registers tasks in {group.address}, but no "
                    "aws_lb_listener or aws_lb_listener_rule in this configuration forwards to "
                    "it; ECS rejects the service (InvalidParameterException: The target group "
                    "with targetGroupArn ... does not have an associated load balancer); add a "
                    "listener (and depends_on it from the service)"
                ),
            )


# -- AT324: ECS service network_configuration vs the task's network mode ------------------------

ECS_SERVICE = "aws_ecs_service"


@rule(
    id="AT324",
    title="ECS service network_configuration does not fit the task definition's network mode",
    severity=Severity.ERROR,
    resource_types=(ECS_SERVICE, TASK_DEFINITION),
    service="ecs",
    failure_class="cross-resource",
    source="https://github.com/tryretool/retool-onpremise/pull/84",
)
def service_network_configuration(document: Document) -> Iterator[Violation]:
    for service in document.of_type(ECS_SERVICE):
        if not creates_or_updates(service):
            continue
        task = linked_resource(
            document,
            service,
            path="task_definition",
            target_types=(TASK_DEFINITION,),
            name_attribute="family",
        )
        if task is None:
            continue
        raw_mode = task.values.get("network_mode")
        raw_network = service.values.get("network_configuration")
        if raw_mode is UNKNOWN or raw_network is UNKNOWN:
            continue
        mode = text(raw_mode) or "bridge"  # ECS's default network mode on EC2
        has_network = any(True for _ in blocks(service.values, "network_configuration"))
        if mode == "awsvpc" and not has_network:
            yield Violation(
                address=service.address,
                resource=service,
                message=(
                    f"runs {task.address} (network_mode awsvpc) without network_configuration; "
                    "ECS rejects the service (InvalidParameterException: Network Configuration "
                    "must be provided when networkMode 'awsvpc' is specified.); add "
                    "network_configuration with subnets and security_groups"
                ),
            )
        elif mode != "awsvpc" and has_network:
            yield Violation(
                address=service.address,
                resource=service,
                message=(
                    f"sets network_configuration, but {task.address} uses network_mode {mode}; "
                    "ECS rejects the service (InvalidParameterException: Network Configuration "
                    "is not valid for the given networkMode of this task definition.); remove "
                    'network_configuration or use network_mode = "awsvpc"'
                ),
            )
