"""Load balancer wiring: an ECS service registering into a target group no listener uses."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Resource, Severity, Violation
from policies.registry import rule
from policies.rules._helpers import blocks, text
from policies.rules._index import resources_with

TARGET_GROUP = "aws_lb_target_group"
TARGET_GROUP_TYPES = (TARGET_GROUP, "aws_alb_target_group")
LISTENERS = ("aws_lb_listener", "aws_alb_listener")
LISTENER_RULES = ("aws_lb_listener_rule", "aws_alb_listener_rule")


class _Unresolved(Exception):
    pass


def _target(document: Document, resource: Resource, path: str, value: Any) -> str | None:
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
                target = _target(
                    document, listener, f"{base}.target_group_arn", action.get("target_group_arn")
                )
                if target:
                    found.add(target)
                for _, forward in blocks(action, "forward"):
                    if forward.get("target_group") is UNKNOWN:
                        raise _Unresolved(listener.address)
                    for group_index, group in blocks(forward, "target_group"):
                        target = _target(
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
    category="apply-time",
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
