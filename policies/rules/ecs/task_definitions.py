"""ECS task definitions: Fargate sizes and network mode, containers, port mappings."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from itertools import pairwise
from typing import Any

from facts.aws import FARGATE_MEMORY_BY_CPU
from policies.model import UNKNOWN, Document, Resource, Severity, Violation, is_known
from policies.registry import rule
from policies.toolkit.rows import Block, Row, custom, register
from policies.toolkit.values import number, read, text

TASK_DEFINITION = "aws_ecs_task_definition"
# Task CPU units -> allowed memory (MiB), the table infra.config validates against too.
FARGATE_SIZES: dict[int, frozenset[int]] = {
    cpu: frozenset(memory) for cpu, memory in FARGATE_MEMORY_BY_CPU.items()
}

_VCPU = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*vcpu\s*$", re.IGNORECASE)
_GB = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*gb\s*$", re.IGNORECASE)


def _units(value: object, pattern: re.Pattern[str]) -> int | None:
    """CPU units / MiB from "1024", 1024, "1 vCPU" or "2 GB"; None when not a fixed size."""
    plain = number(value, whole=True)
    if plain is not None:
        return plain
    if isinstance(value, str) and (match := pattern.match(value)):
        scaled = float(match.group(1)) * 1024
        return int(scaled) if scaled.is_integer() else None
    return None


def _describe(sizes: frozenset[int]) -> str:
    """'1024-4096 MiB in 1024 MiB steps', or the list when the steps are uneven."""
    ordered = sorted(sizes)
    steps = {b - a for a, b in pairwise(ordered)}
    if len(steps) == 1 and len(ordered) > 3:
        return f"{ordered[0]}-{ordered[-1]} MiB in {steps.pop()} MiB steps"
    return ", ".join(str(size) for size in ordered) + " MiB"


def _fargate_tasks(document: Document) -> Iterator[Resource]:
    for task in document.of_type(TASK_DEFINITION):
        compatibilities = task.values.get("requires_compatibilities")
        known_list = is_known(compatibilities) and isinstance(compatibilities, list)
        if known_list and "FARGATE" in compatibilities:
            yield task


@rule(
    id="AT012",
    title="Fargate task cpu/memory combination Fargate does not offer",
    severity=Severity.ERROR,
    service="ecs",
    failure_class="offering",
    source="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size",
    resource_types=(TASK_DEFINITION,),
)
def fargate_size(document: Document) -> Iterator[Violation]:
    for task in _fargate_tasks(document):
        cpu_raw, memory_raw = task.values.get("cpu"), task.values.get("memory")
        if not is_known(cpu_raw) or not is_known(memory_raw):
            continue
        if cpu_raw is None or memory_raw is None:
            absent = [n for n, v in (("cpu", cpu_raw), ("memory", memory_raw)) if v is None]
            yield Violation(
                address=task.address,
                resource=task,
                message=(
                    f"a FARGATE task definition needs task-level {' and '.join(absent)}; ECS "
                    f"rejects it (ClientException: Fargate requires that '{absent[0]}' be "
                    "defined at the task level)"
                ),
            )
            continue
        cpu, memory = _units(cpu_raw, _VCPU), _units(memory_raw, _GB)
        if cpu is None or memory is None:
            continue
        allowed = FARGATE_SIZES.get(cpu)
        if allowed is None:
            yield Violation(
                address=task.address,
                resource=task,
                message=(
                    f"cpu {cpu} is not a Fargate size (allowed: "
                    f"{', '.join(str(c) for c in FARGATE_SIZES)}); ECS rejects it "
                    "(ClientException: No Fargate configuration exists for given values)"
                ),
            )
        elif memory not in allowed:
            yield Violation(
                address=task.address,
                resource=task,
                message=(
                    f"Fargate offers no cpu {cpu} / memory {memory} task; with cpu {cpu}, memory "
                    f"must be {_describe(allowed)}; ECS rejects it (ClientException: No Fargate "
                    "configuration exists for given values)"
                ),
            )


@rule(
    id="AT013",
    title="Fargate task definition without network_mode awsvpc",
    severity=Severity.ERROR,
    service="ecs",
    failure_class="value-combination",
    source="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html",
    resource_types=(TASK_DEFINITION,),
)
def fargate_network_mode(document: Document) -> Iterator[Violation]:
    for task in _fargate_tasks(document):
        mode = task.values.get("network_mode")
        if not is_known(mode):
            continue
        if document.kind == "plan" and mode is None:
            continue  # computed in plans; only config tells us it was left out
        if text(mode) != "awsvpc":
            shown = (
                f'network_mode "{mode}"' if text(mode) else "no network_mode (ECS default bridge)"
            )
            yield Violation(
                address=task.address,
                resource=task,
                message=(
                    f"a FARGATE task definition has {shown}; ECS rejects it (ClientException: "
                    "Fargate only supports network mode 'awsvpc'); set network_mode = \"awsvpc\""
                ),
            )


def _containers(block: Block) -> list[Mapping[str, Any]] | None:
    """The parsed container definitions, or None when they are not known JSON."""
    raw = read(block, "container_definitions")
    if not isinstance(raw, str):
        return None
    try:
        parsed = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(parsed, list) or not all(isinstance(c, Mapping) for c in parsed):
        return None
    return parsed


def _container_memory_above_task(block: Block) -> str | None:
    task_memory = number(read(block, "memory"), whole=True)
    containers = _containers(block)
    if task_memory is None or containers is None:
        return None
    for container in containers:
        memory = container.get("memory")
        if isinstance(memory, int) and not isinstance(memory, bool) and memory > task_memory:
            name = container.get("name", "?")
            return (
                f"container '{name}' memory {memory} MiB is above the task memory {task_memory} MiB"
            )
    return None


def _port_mappings(containers: list[Mapping[str, Any]]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for container in containers:
        mappings = container.get("portMappings")
        if isinstance(mappings, list):
            for mapping in mappings:
                if isinstance(mapping, Mapping):
                    yield str(container.get("name", "?")), mapping


def _awsvpc_host_port(block: Block) -> str | None:
    if read(block, "network_mode") != "awsvpc":
        return None
    containers = _containers(block)
    if containers is None:
        return None
    for name, mapping in _port_mappings(containers):
        host, container_port = mapping.get("hostPort"), mapping.get("containerPort")
        if (
            isinstance(host, int)
            and isinstance(container_port, int)
            and host not in (0, container_port)
        ):
            return (
                f"container '{name}' maps hostPort {host} to containerPort {container_port} "
                "in awsvpc mode"
            )
    return None


def _container_definitions(*containers: Mapping[str, Any]) -> str:
    return json.dumps(list(containers), separators=(",", ":"))


_TASK: dict[str, Any] = {
    "family": "catalog-api",
    "network_mode": "awsvpc",
    "requires_compatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
}


register(
    Row(
        id="AT112",
        title="ECS container memory above the task memory",
        service="ecs",
        failure_class="value-combination",
        resource_types=(TASK_DEFINITION,),
        predicate=custom(_container_memory_above_task),
        error=(
            "ClientException: The 'memory' setting for container 'app' is greater than for the "
            "task."
        ),
        source="https://github.com/pulumi/pulumi-awsx/issues/188",
        extra_sources=(
            "https://github.com/pulumi/pulumi-awsx/issues/1220",
            "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
        ),
        why=(
            "A container's hard memory limit (`memory` in `container_definitions`) cannot exceed "
            "the task-level `memory`. Both are plain values to the provider (the container "
            "definitions are a JSON string), so the mismatch surfaces when ECS registers the "
            "task definition."
        ),
        fix="Raise the task memory (a size Fargate offers) or lower the container's memory.",
        failing={
            **_TASK,
            "container_definitions": _container_definitions(
                {"name": "app", "image": "nginx:1.27", "essential": True, "memory": 1024}
            ),
        },
        passing={
            **_TASK,
            "memory": "1024",
            "container_definitions": _container_definitions(
                {"name": "app", "image": "nginx:1.27", "essential": True, "memory": 1024}
            ),
        },
    ),
    Row(
        id="AT113",
        title="ECS awsvpc task maps a hostPort different from its containerPort",
        service="ecs",
        failure_class="value-combination",
        resource_types=(TASK_DEFINITION,),
        predicate=custom(_awsvpc_host_port),
        error=(
            "ClientException: When networkMode=awsvpc, the host ports and container ports in "
            "port mappings must match."
        ),
        source="https://github.com/pulumi/pulumi-awsx/issues/935",
        extra_sources=(
            "https://github.com/aws/amazon-ecs-cli/issues/1014",
            "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_portmappings",
        ),
        why=(
            "In `awsvpc` mode (all Fargate tasks) each task has its own network interface, so "
            "there is no host port to remap: `hostPort` must be omitted, 0 or equal to "
            "`containerPort`. ECS rejects anything else when it registers the task definition."
        ),
        fix=(
            "Drop hostPort (or set it to the containerPort); put the port change in the load "
            "balancer or security group."
        ),
        failing={
            **_TASK,
            "container_definitions": _container_definitions(
                {
                    "name": "app",
                    "image": "nginx:1.27",
                    "essential": True,
                    "portMappings": [{"containerPort": 80, "hostPort": 8080, "protocol": "tcp"}],
                }
            ),
        },
        passing={
            **_TASK,
            "container_definitions": _container_definitions(
                {
                    "name": "app",
                    "image": "nginx:1.27",
                    "essential": True,
                    "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                }
            ),
        },
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
