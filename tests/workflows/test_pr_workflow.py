"""What pr.yml promises beyond what zizmor and actionlint check on every workflow."""

from __future__ import annotations

from typing import Any

import pytest

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


def test_validate_calls_the_gate_script_and_publishes_its_reports(
    pr: workflow_files.Workflow,
) -> None:
    validate = pr.jobs["validate"]
    assert _step(validate, "scripts/pre-validate-iac.sh")["run"].strip() == (
        "scripts/pre-validate-iac.sh"
    )
    setups = {str(s.get("uses", "")).split("@")[0]: s for s in validate["steps"]}
    assert setups["actions/setup-python"]["with"]["python-version"] == "3.11"
    assert setups["actions/setup-node"]["with"]["node-version"] == "22"
    assert "hashicorp/setup-terraform" in setups
    assert "terraform-linters/setup-tflint" in setups
    cached = {
        s["with"]["path"] for s in validate["steps"] if "actions/cache@" in str(s.get("uses"))
    }
    assert {".venv", ".venv-checkov"} <= cached
    sarif = {
        s["with"]["category"]: s["with"]["sarif_file"]
        for s in validate["steps"]
        if "upload-sarif@" in str(s.get("uses", ""))
    }
    assert sarif == {"policies": "reports/policies.sarif", "checkov": "reports/checkov.sarif"}
    assert _step(validate, "upload-artifact@")["with"]["path"] == "reports/"
    assert "$GITHUB_STEP_SUMMARY" in _step(validate, "reports/summary.md")["run"]
    assert validate["permissions"]["security-events"] == "write"


def test_plan_uses_oidc_with_the_read_only_role_and_skips_forks(
    pr: workflow_files.Workflow,
) -> None:
    setup, plan = pr.jobs["setup"], pr.jobs["plan"]
    assert plan["permissions"]["id-token"] == "write"
    assert set(plan["needs"]) == {"setup", "validate"}
    assert "needs.setup.outputs.can-plan == 'true'" in plan["if"]
    origin = _step(setup, "HEAD_REPOSITORY")
    assert (
        origin["env"]["HEAD_REPOSITORY"] == "${{ github.event.pull_request.head.repo.full_name }}"
    )
    assert "::notice" in origin["run"]
    assert "pipeline matrix" in _step(setup, "pipeline matrix")["run"]
    assert plan["strategy"]["matrix"] == "${{ fromJSON(needs.setup.outputs.matrix) }}"
    credentials = _step(plan, "aws-actions/configure-aws-credentials@")["with"]
    assert credentials["role-to-assume"] == (
        "arn:aws:iam::${{ vars.AWS_ACCOUNT_ID }}:role/${{ matrix.plan_role }}"
    )
    assert "scripts/plan.sh" in _step(plan, "scripts/plan.sh")["run"]
    assert "scripts/post-plan-comment.sh" in _step(plan, "scripts/post-plan-comment.sh")["run"]
    uploaded = _step(plan, "upload-artifact@")["with"]["path"].split()
    assert any(p.endswith("/plan.redacted.json") for p in uploaded)
    # The raw plan holds sensitive values in clear text: never an artifact.
    assert not [p for p in uploaded if p.endswith(("/plan.json", "tfplan"))]


def test_status_check_needs_every_job_and_always_runs(pr: workflow_files.Workflow) -> None:
    status = pr.jobs["status-check"]
    others = set(pr.jobs) - {"status-check"}
    assert set(status["needs"]) == others
    assert "always()" in status["if"]
    script = status["steps"][-1]["run"]
    assert '"failure"' in script and '"cancelled"' in script
