"""The gate fails when a step fails: a policy error injected through a broken fixture stack.

--stacks-dir evaluates pre-made stacks, so these runs need no synth; --only keeps the gate
from running pytest (no recursion).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.gate.conftest import minimal_stack, write_stacks

# A Fargate size ECS rejects at apply time (cpu 256 allows at most 2048 MiB): policy AT012.
IMPOSSIBLE_FARGATE_TASK = {
    "aws_ecs_task_definition": {
        "service_task_1A2B3C4D": {
            "family": "catalog-api-dev",
            "cpu": "256",
            "memory": "4096",
            "network_mode": "awsvpc",
            "requires_compatibilities": ["FARGATE"],
            "container_definitions": "[]",
        }
    }
}


def test_clean_stack_passes_and_writes_every_policy_report(run_gate, tmp_path: Path) -> None:
    stacks = write_stacks(tmp_path / "clean", {"catalog-api-dev": minimal_stack()})
    result = run_gate("--only", "policies", "--stacks-dir", str(stacks))
    assert result.returncode == 0, result.stdout
    for name in ("policies.json", "policies.sarif", "policies.xml", "policies.md"):
        assert (result.reports / name).stat().st_size > 0, name
    assert json.loads((result.reports / "policies.sarif").read_text())["runs"]
    summary = (result.reports / "summary.md").read_text()
    assert "✅ **Gate passed**" in summary
    assert "| policies | ✅ passed |" in summary
    assert "policies.sarif`: policy findings for GitHub code scanning" in summary


def test_a_policy_violation_fails_the_gate_and_names_the_step(run_gate, tmp_path: Path) -> None:
    stack = minimal_stack(resources=IMPOSSIBLE_FARGATE_TASK)
    stacks = write_stacks(tmp_path / "broken", {"catalog-api-dev": stack})
    result = run_gate("--only", "policies", "--stacks-dir", str(stacks))
    assert result.returncode == 1
    assert "gate FAILED: policies" in result.stdout
    assert "service_task_1A2B3C4D" in result.stdout  # the finding itself is shown
    summary = (result.reports / "summary.md").read_text()
    assert "❌ **Gate failed** — blocking: `policies`" in summary
    assert "| policies | ❌ failed |" in summary
    assert (result.reports / "logs" / "policies.log").is_file()


def test_an_unreadable_stack_fails_the_gate_with_the_log_tail(run_gate, tmp_path: Path) -> None:
    stacks = write_stacks(tmp_path / "garbled", {"catalog-api-dev": '{"resource": '})
    result = run_gate("--only", "policies", "--stacks-dir", str(stacks))
    assert result.returncode == 1
    assert "policy check could not run (exit 2)" in result.stdout
    assert "invalid JSON" in result.stdout  # the policy CLI's one-line error is shown
    assert "gate FAILED: policies" in result.stdout
