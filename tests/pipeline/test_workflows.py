"""What deploy.yml, deploy-environment.yml and drift.yml promise, beyond the generic hardening
checks every workflow gets: order, approvals, concurrency, saved-plan apply, least privilege."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.config import ENVIRONMENTS
from tests.fixture_paths import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # PyYAML reads the bare key `on` as the boolean True.
    data["on"] = data.pop(True, data.get("on"))
    return data


DEPLOY = _load("deploy.yml")
ENVIRONMENT_JOB = _load("deploy-environment.yml")["jobs"]["deploy"]
DRIFT = _load("drift.yml")


def test_deploy_chains_the_configured_environments_in_order() -> None:
    jobs = DEPLOY["jobs"]

    assert list(jobs) == list(ENVIRONMENTS)
    previous = None
    for name, job in jobs.items():
        assert job["uses"] == "./.github/workflows/deploy-environment.yml"
        assert job["with"] == {"environment": name}
        assert job.get("needs") == previous
        if previous is not None:
            # A failed (or cancelled) earlier environment stops this one.
            assert f"needs.{previous}.result == 'success'" in job["if"]
            assert "always()" not in job["if"]
        assert "github.ref == 'refs/heads/main'" in job["if"]
        previous = name


def test_deploy_triggers() -> None:
    triggers = DEPLOY["on"]

    assert triggers["push"]["branches"] == ["main"]
    assert "infra/**" in triggers["push"]["paths"]
    dispatch = triggers["workflow_dispatch"]["inputs"]["environment"]
    assert dispatch["options"] == ["all", *ENVIRONMENTS]


def test_each_environment_job_is_bound_to_its_environment_and_never_cancelled() -> None:
    assert ENVIRONMENT_JOB["environment"] == {"name": "${{ inputs.environment }}"}
    assert ENVIRONMENT_JOB["concurrency"] == {
        "group": "deploy-${{ inputs.environment }}",
        "cancel-in-progress": False,
    }
    assert ENVIRONMENT_JOB["permissions"] == {"contents": "read", "id-token": "write"}


def _runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_deploy_steps_run_in_order() -> None:
    steps = [
        match.group(1)
        for step in ENVIRONMENT_JOB["steps"]
        if (match := re.search(r"scripts/deploy-environment\.sh (\S+)", step.get("run", "")))
    ]

    assert steps == [
        "describe",
        "synth",
        "check-config",
        "plan",
        "check-plan",
        "apply",
        "outputs",
        "report-failure",
    ]


def test_deploy_assumes_the_apply_role_and_uploads_no_secret_bearing_plan() -> None:
    by_id = {step.get("id"): step for step in ENVIRONMENT_JOB["steps"]}

    assert "steps.describe.outputs.apply_role" in by_id["aws"]["with"]["role-to-assume"]
    uploaded = by_id["upload"]["with"]["path"].split()
    assert not any(p.endswith(("/plan.json", "tfplan")) for p in uploaded)
    assert any(p.endswith("plan.redacted.json") for p in uploaded)


def test_drift_schedule_matrix_and_polite_concurrency() -> None:
    assert DRIFT["on"]["schedule"]
    assert "workflow_dispatch" in DRIFT["on"]
    check = DRIFT["jobs"]["check"]
    assert check["strategy"]["matrix"] == "${{ fromJSON(needs.environments.outputs.matrix) }}"
    assert check["strategy"]["fail-fast"] is False
    assert check["concurrency"] == {
        "group": "drift-${{ matrix.environment }}",
        "cancel-in-progress": False,
    }
    # A GitHub environment would hold scheduled prod runs for reviewers.
    assert "environment" not in check
    role = next(s for s in check["steps"] if "role-to-assume" in s.get("with", {}))
    assert "matrix.plan_role" in role["with"]["role-to-assume"]


def test_the_failure_summary_also_runs_when_a_timeout_cancels_the_job() -> None:
    report = next(s for s in ENVIRONMENT_JOB["steps"] if "report-failure" in s.get("run", ""))

    assert report["if"] == "${{ failure() || cancelled() }}"


def test_drift_keeps_aws_and_issue_permissions_in_separate_jobs() -> None:
    jobs = DRIFT["jobs"]

    assert jobs["check"]["permissions"] == {"contents": "read", "id-token": "write"}
    assert jobs["issues"]["permissions"] == {"contents": "read", "issues": "write"}
    assert jobs["environments"]["permissions"] == {"contents": "read"}
    assert any("scripts/drift-issue.sh" in run for run in _runs(jobs["issues"]))


@pytest.mark.parametrize(
    ("outcomes", "heading"),
    [
        (
            "checkout=success synth=success plan=failure check-plan=skipped apply=skipped",
            "### Deploy of zz-test failed at step: plan\n",
        ),
        (
            # timeout-minutes reached during apply: GitHub cancels the job.
            "checkout=success plan=success check-plan=success apply=cancelled outputs=skipped",
            "### Deploy of zz-test failed at step: apply (cancelled or timed out)\n",
        ),
    ],
)
def test_report_failure_names_the_first_failed_step(
    tmp_path: Path, outcomes: str, heading: str
) -> None:
    summary = tmp_path / "summary.md"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(summary),
        "STEP_OUTCOMES": outcomes,
    }
    reports = REPO_ROOT / "reports" / "deploy"
    had_reports = reports.exists()

    try:
        result = subprocess.run(
            [
                "bash",
                str(REPO_ROOT / "scripts" / "deploy-environment.sh"),
                "report-failure",
                "zz-test",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    finally:
        shutil.rmtree(reports / "zz-test", ignore_errors=True)
        if not had_reports and reports.is_dir() and not any(reports.iterdir()):
            reports.rmdir()

    assert result.returncode == 0, result.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.startswith(heading)
    assert "later environments will not deploy" in text


@pytest.mark.parametrize("name", ["deploy.yml", "deploy-environment.yml", "drift.yml"])
def test_every_job_has_a_timeout_or_calls_a_workflow_that_has_one(name: str) -> None:
    for job in _load(name)["jobs"].values():
        if "uses" in job:
            called = _load(Path(job["uses"]).name)
            assert all("timeout-minutes" in j for j in called["jobs"].values())
        else:
            assert isinstance(job["timeout-minutes"], int)


def test_apply_step_applies_exactly_the_saved_plan(tmp_path: Path) -> None:
    """The real script with a fake terraform: init, then `apply tfplan`, never a fresh plan."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "terraform"
    fake.write_text('#!/usr/bin/env bash\necho "$*" >>"$FAKE_TF_LOG"\n', encoding="utf-8")
    fake.chmod(0o755)
    log = tmp_path / "tf.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CATALOG_", "GITHUB_", "TF_", "PIPELINE_"))
    } | {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_TF_LOG": str(log),
        "REPORTS_DIR": str(tmp_path / "reports"),
        "CDKTF_OUTDIR": str(tmp_path / "cdktf.out"),
    }

    result = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "deploy-environment.sh"), "apply", "dev"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    stack_dir = tmp_path / "cdktf.out" / "stacks" / "catalog-api-dev"
    assert log.read_text(encoding="utf-8") == (
        f"-chdir={stack_dir} init -input=false\n"
        f"-chdir={stack_dir} apply -input=false -lock-timeout=5m tfplan\n"
    )


# --- which environments deploy: deploy.yml's `needs`/`if` evaluated like GitHub does ---------

_STATUS_FUNCTIONS = ("success()", "failure()", "always()", "cancelled()")


def _job_runs(
    job: dict[str, Any], *, event: str, selected: str | None, ref: str, results: dict[str, str]
) -> bool:
    """GitHub's decision for one job, for the operators deploy.yml's conditions use."""
    needs = job.get("needs") or []
    needs = [needs] if isinstance(needs, str) else needs
    condition = job.get("if", "")
    # No status function: GitHub adds an implicit success() over every needed job.
    implicit_success = not any(function in condition for function in _STATUS_FUNCTIONS)
    if implicit_success and any(results[name] != "success" for name in needs):
        return False
    if not condition:
        return True
    expression = condition.replace("!cancelled()", "True")
    expression = re.sub(r"needs\.([\w-]+)\.result", r'needs["\1"]', expression)
    for name, python in (
        ("github.ref", "ref"),
        ("github.event_name", "event"),
        ("inputs.environment", "selected"),
    ):
        expression = expression.replace(name, python)
    expression = expression.replace("&&", " and ").replace("||", " or ")
    # Nothing but these names, string literals, ==, and/or and parentheses may reach eval.
    leftover = re.sub(
        r"'[^']*'|needs\[\"[\w-]+\"\]|\b(ref|event|selected|True|and|or)\b", "", expression
    )
    assert re.fullmatch(r"[\s()=]*", leftover), f"evaluator cannot read: {leftover!r}"
    namespace = {"ref": ref, "event": event, "selected": selected, "needs": results}
    return bool(eval(expression, {"__builtins__": {}}, namespace))


def _deployed(*, event: str, selected: str | None, failing: str | None, ref: str) -> list[str]:
    results: dict[str, str] = {}
    for name, job in DEPLOY["jobs"].items():
        runs = _job_runs(job, event=event, selected=selected, ref=ref, results=results)
        results[name] = ("failure" if name == failing else "success") if runs else "skipped"
    return [name for name, result in results.items() if result != "skipped"]


_RUNS = [("push", None)] + [("workflow_dispatch", s) for s in ("all", *ENVIRONMENTS)]


@pytest.mark.parametrize(("event", "selected"), _RUNS)
@pytest.mark.parametrize("failing", [None, *ENVIRONMENTS])
def test_a_failed_environment_stops_every_later_one(event, selected, failing) -> None:
    chain = list(ENVIRONMENTS) if selected in (None, "all") else [selected]
    expected = chain[: chain.index(failing) + 1] if failing in chain else chain

    ran = _deployed(event=event, selected=selected, failing=failing, ref="refs/heads/main")

    assert ran == expected


@pytest.mark.parametrize(("event", "selected"), _RUNS)
def test_nothing_deploys_from_another_branch(event, selected) -> None:
    assert _deployed(event=event, selected=selected, failing=None, ref="refs/heads/x") == []
