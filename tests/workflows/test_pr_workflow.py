"""What pr.yml promises beyond what zizmor and actionlint check on every workflow."""

from __future__ import annotations

import pytest

from tests.workflows import workflow_files


@pytest.fixture(scope="module")
def pr() -> workflow_files.Workflow:
    path = workflow_files.WORKFLOWS_DIR / "pr.yml"
    return workflow_files.load(path.name, path.read_text(encoding="utf-8"))


def test_runs_on_pull_requests_to_main_only(pr: workflow_files.Workflow) -> None:
    assert pr.triggers == {"pull_request": {"branches": ["main"]}}


def test_one_concurrency_group_per_pr_cancels_superseded_runs(pr: workflow_files.Workflow) -> None:
    concurrency = pr.data["concurrency"]
    assert "github.event.pull_request.number" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is True


def test_status_check_needs_every_job_and_always_runs(pr: workflow_files.Workflow) -> None:
    status = pr.jobs["status-check"]
    others = set(pr.jobs) - {"status-check"}
    assert set(status["needs"]) == others
    assert "always()" in status["if"]
    script = status["steps"][-1]["run"]
    # Only validate is needed, and it never skips on purpose: anything but success blocks.
    assert '.value.result != "success"' in script
