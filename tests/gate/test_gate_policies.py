"""The gate fails when a step fails: a policy error injected through a broken fixture stack.

--stacks-dir evaluates pre-made stacks, so these runs need no synth; --only keeps the gate
from running pytest (no recursion).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gate.options import GateOptions
from gate.runner import Status, StepLog
from gate.steps import policies
from tests.gate.conftest import REPO_ROOT, minimal_stack, write_stacks

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


@pytest.mark.parametrize(
    "case",
    [
        # The interpreter could not even start the CLI: exit 1 is not "blocking findings".
        (1, "/venv/bin/python: No module named policies\n", None, "could not run (exit 1)"),
        # Exit 1 whose report blocks nothing is not a findings verdict.
        (1, "", '{"findings": [], "internal_errors": []}', "could not run (exit 1)"),
        (0, "", '{"findings": [], "internal_errors": ["AT001: boom"]}', "could not run (exit 0)"),
        (0, "", '{"findings": [], "internal_errors": []}', "no blocking findings"),
    ],
)
def test_the_verdict_comes_from_the_exit_code_and_the_json_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: tuple[int, str, str | None, str]
) -> None:
    returncode, stderr, report, detail = case
    stacks = write_stacks(tmp_path / "out", {"catalog-api-dev": minimal_stack()})
    options = GateOptions(
        root=REPO_ROOT,
        steps=("policies",),
        environment=None,
        stacks_dir=stacks,
        stacks_dir_given=True,
        reports_dir=tmp_path / "reports",
        cache_dir=tmp_path / "cache",
        use_cache=True,
        jobs=1,
    )

    def fake_run(self, args, **_):
        if report is not None:
            (options.reports_dir / "policies.json").write_text(report)
        return subprocess.CompletedProcess(args, returncode, "", stderr)

    monkeypatch.setattr(StepLog, "run", fake_run)
    options.reports_dir.mkdir()
    with (tmp_path / "step.log").open("w") as handle:
        result = policies.run(options, StepLog(path=tmp_path / "step.log", handle=handle))

    assert detail in result.detail
    assert (result.status is Status.PASSED) is (detail == "no blocking findings")
    if stderr:
        assert result.lines == ("/venv/bin/python: No module named policies",)
