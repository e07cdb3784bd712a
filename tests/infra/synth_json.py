"""Small readers for synthesized Terraform JSON, shared by the infra tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.fixture_paths import REPO_ROOT

ENV_NAMES = ("dev", "staging", "prod")
# Written by the policy pack's owner; the same list its engine-version rule reads.
ENGINE_VERSIONS = REPO_ROOT / "policies" / "data" / "rds_engine_versions.json"


def stack_name(env: str) -> str:
    return f"catalog-api-{env}"


def resources(stack: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return list(stack.get("resource", {}).get(resource_type, {}).values())


def only(stack: dict[str, Any], resource_type: str) -> dict[str, Any]:
    found = resources(stack, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
    return found[0]


def blocks(value: Any) -> list[Any]:
    """A nested block as a list, whether cdktf wrote an object or a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def block(value: Any) -> dict[str, Any]:
    found = blocks(value)
    assert len(found) == 1, f"expected one block, found {len(found)}"
    return found[0]


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (dotted path, value) pair in a JSON tree, keys included."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}.{index}")


def container_definitions(stack: dict[str, Any]) -> list[dict[str, Any]]:
    return json.loads(only(stack, "aws_ecs_task_definition")["container_definitions"])


def policy_statements(policy: str) -> list[dict[str, Any]]:
    return json.loads(policy)["Statement"]
