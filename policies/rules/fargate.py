"""Fargate task definitions: the cpu/memory sizes and network mode Fargate accepts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from facts.aws import FARGATE_MEMORY_BY_CPU
from policies.model import Document, Resource, Severity, Violation, is_known
from policies.registry import rule
from policies.rules._helpers import number, text

TASK_DEFINITION = "aws_ecs_task_definition"

# Task CPU units -> allowed memory (MiB), the table infra.config validates against too.
FARGATE_SIZES: dict[int, frozenset[int]] = {
    cpu: frozenset(memory) for cpu, memory in FARGATE_MEMORY_BY_CPU.items()
}

_VCPU = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*vcpu\s*$", re.IGNORECASE)
_GB = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*gb\s*$", re.IGNORECASE)


def _units(value: object, pattern: re.Pattern[str]) -> int | None:
    """CPU units / MiB from "1024", 1024, "1 vCPU" or "2 GB"; None when not a fixed size."""
    plain = number(value)
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
    category="apply-time",
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
    category="apply-time",
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
