"""Per-environment views of the session's single synthesis (see tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra.synth_json import ENV_NAMES, stack_name


@pytest.fixture(params=ENV_NAMES)
def env_stack(
    request: pytest.FixtureRequest, synthesized_stacks: dict[str, dict[str, Any]]
) -> tuple[str, dict[str, Any]]:
    """(environment name, synthesized stack) for each environment in turn."""
    return request.param, synthesized_stacks[stack_name(request.param)]


@pytest.fixture
def dev(synthesized_stacks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return synthesized_stacks[stack_name("dev")]


@pytest.fixture
def staging(synthesized_stacks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return synthesized_stacks[stack_name("staging")]


@pytest.fixture
def prod(synthesized_stacks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return synthesized_stacks[stack_name("prod")]
