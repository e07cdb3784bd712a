"""What pr.yml promises beyond what zizmor and actionlint check on every workflow."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gate.options import HEAVY_STEPS
from tests.workflows import workflow_files


@pytest.fixture(scope="module")
def pr() -> workflow_files.Workflow:
    path = workflow_files.WORKFLOWS_DIR / "pr.yml"
    return workflow_files.load(path.name, path.read_text(encoding="utf-8"))


def _step(job: dict[str, Any], fragment: str) -> dict[str, Any]:
    matches = [
        s for s in job["steps"] if fragment in str(s.get("uses", "")) + str(s.get("run", ""))
    ]
    assert matches, f"no step with {fragment!r}"
    return matches[0]


def test_runs_on_pull_requests_to_main_only(pr: workflow_files.Workflow) -> None:
    assert pr.triggers == {"pull_request": {"branches": ["main"]}}


def test_one_concurrency_group_per_pr_cancels_superseded_runs(pr: workflow_files.Workflow) -> None:
    concurrency = pr.data["concurrency"]
    assert "github.event.pull_request.number" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is True


def test_pr_code_never_holds_aws_credentials(pr: workflow_files.Workflow) -> None:
    for job_id, job in pr.jobs.items():
        assert "id-token" not in (job.get("permissions") or {}), job_id
        uses = [str(step.get("uses", "")) for step in job.get("steps", [])]
        assert not [u for u in uses if "configure-aws-credentials" in u], job_id
    assert "id-token" not in str(pr.data.get("permissions"))
    assert "scripts/plan.sh" not in pr.text


def test_status_check_needs_every_job_and_always_runs(pr: workflow_files.Workflow) -> None:
    status = pr.jobs["status-check"]
    others = set(pr.jobs) - {"status-check"}
    assert set(status["needs"]) == others
    assert "always()" in status["if"]
    script = status["steps"][-1]["run"]
    # Anything but success blocks, a skipped job included.
    assert '.value.result != "success"' in script


def test_the_heavy_tiers_run_beside_the_verdict_through_the_same_gate(
    pr: workflow_files.Workflow,
) -> None:
    """validate leaves out exactly the heavy tiers, and each has a job of its own that runs
    only it: together the jobs run what the gate without flags runs."""
    for tier in HEAVY_STEPS:
        job = pr.jobs[tier]
        assert "needs" not in job, f"{tier} must not wait for the verdict"
        assert _step(job, "scripts/pre-validate-iac.sh")["run"].strip() == (
            f"scripts/pre-validate-iac.sh --only {tier}"
        )
        assert job["permissions"] == {"contents": "read"}
        assert isinstance(job["timeout-minutes"], int)
        assert "hashicorp/setup-terraform" in {
            str(s.get("uses", "")).split("@")[0] for s in job["steps"]
        }
        # act runs pr.yml inside the rehearsal: neither tier starts the suite again there, and
        # status-check accepts exactly their skips, only under act.
        assert job["if"] == "${{ !github.event.act }}"
    skippable = pr.jobs["status-check"]["steps"][-1]["env"]["SKIPPABLE"]
    assert skippable == (
        "${{ github.event.act && '"
        + json.dumps(list(HEAVY_STEPS), separators=(",", ":"))
        + "' || '[]' }}"
    )
