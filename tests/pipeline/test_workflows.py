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
ENVIRONMENT_JOBS = _load("deploy-environment.yml")["jobs"]
PLAN_JOB = ENVIRONMENT_JOBS["plan"]
APPLY_JOB = ENVIRONMENT_JOBS["apply"]
DRIFT = _load("drift.yml")


def test_deploy_triggers() -> None:
    triggers = DEPLOY["on"]

    assert triggers["push"]["branches"] == ["main"]
    assert "infra/**" in triggers["push"]["paths"]
    dispatch = triggers["workflow_dispatch"]["inputs"]["environment"]
    assert dispatch["options"] == ["all", *ENVIRONMENTS]


def test_each_environment_has_a_plan_job_without_environment_then_a_bound_apply_job() -> None:
    assert list(ENVIRONMENT_JOBS) == ["plan", "apply"]
    # The plan is made, stored and summarized before anyone is asked to approve.
    assert "environment" not in PLAN_JOB
    assert APPLY_JOB["needs"] == "plan"
    assert APPLY_JOB["environment"] == {"name": "${{ inputs.environment }}"}
    assert APPLY_JOB["concurrency"] == {
        "group": "deploy-${{ inputs.environment }}",
        "cancel-in-progress": False,
    }
    assert PLAN_JOB["concurrency"]["cancel-in-progress"] is False
    for job in (PLAN_JOB, APPLY_JOB):
        assert job["permissions"] == {"contents": "read", "id-token": "write"}


def _runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def _script_steps(job: dict[str, Any]) -> list[str]:
    return [
        match.group(1)
        for step in job["steps"]
        if (match := re.search(r"scripts/deploy-environment\.sh (\S+)", step.get("run", "")))
    ]


def test_deploy_steps_run_in_order() -> None:
    assert _script_steps(PLAN_JOB) == [
        "describe",
        "synth",
        "check-config",
        "plan",
        "check-plan",
        "store-plan",
        "report-failure",
    ]
    assert _script_steps(APPLY_JOB) == [
        "describe",
        "synth",
        "fetch-plan",
        "check-order",
        # The record says "in progress" before the apply and "applied" after it.
        "record-start",
        "apply",
        "record",
        "outputs",
        "report-failure",
    ]


def test_deploy_uploads_no_secret_bearing_plan() -> None:
    by_id = {step.get("id"): step for step in PLAN_JOB["steps"]}
    uploaded = by_id["upload"]["with"]["path"].split()
    assert not any(p.endswith(("/plan.json", "tfplan")) for p in uploaded)
    assert any(p.endswith("plan.redacted.json") for p in uploaded)
    assert not any("upload-artifact" in str(s.get("uses")) for s in APPLY_JOB["steps"])


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


@pytest.mark.parametrize("job", [PLAN_JOB, APPLY_JOB], ids=["plan", "apply"])
def test_the_failure_summary_also_runs_when_a_timeout_cancels_the_job(job) -> None:
    report = next(s for s in job["steps"] if "report-failure" in s.get("run", ""))

    assert report["if"] == "${{ failure() || cancelled() }}"
    # Every step with an id is named in STEP_OUTCOMES, so the summary can point at it.
    named = {pair.split("=")[0] for pair in report["env"]["STEP_OUTCOMES"].split()}
    ids = {s["id"] for s in job["steps"] if "id" in s}
    assert ids - {"venv-cache", "provider-cache", "aws"} <= named


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


class _GitHubString(str):
    """A string compared the way GitHub expressions compare strings: ignoring case.

    https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#operators
    ("GitHub ignores case when comparing strings").
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.casefold() == other.casefold()

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__


def _github(value: str | None) -> _GitHubString | None:
    return None if value is None else _GitHubString(value)


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
    expression = re.sub(r"'([^']*)'", r"_github('\1')", expression)
    namespace = {
        "ref": _github(ref),
        "event": _github(event),
        "selected": _github(selected),
        "needs": {name: _github(result) for name, result in results.items()},
        "_github": _github,
    }
    return bool(eval(expression, {"__builtins__": {}}, namespace))


def _deployed(*, event: str, selected: str | None, failing: str | None, ref: str) -> list[str]:
    results: dict[str, str] = {}
    for name, job in DEPLOY["jobs"].items():
        runs = _job_runs(job, event=event, selected=selected, ref=ref, results=results)
        results[name] = ("failure" if name == failing else "success") if runs else "skipped"
    return [name for name, result in results.items() if result != "skipped"]


# A push's chain (a failing staging stops prod) runs for real in the rehearsal
# (tests/rehearsal, test_failing_staging_stops_prod); the dispatch choices are checked here.
_RUNS = [("workflow_dispatch", s) for s in ("all", *ENVIRONMENTS)]


@pytest.mark.parametrize(("event", "selected"), _RUNS)
@pytest.mark.parametrize("failing", [None, *ENVIRONMENTS])
def test_a_failed_environment_stops_every_later_one(event, selected, failing) -> None:
    chain = list(ENVIRONMENTS) if selected in (None, "all") else [selected]
    expected = chain[: chain.index(failing) + 1] if failing in chain else chain

    ran = _deployed(event=event, selected=selected, failing=failing, ref="refs/heads/main")

    assert ran == expected


def test_the_evaluator_compares_strings_like_github() -> None:
    job = {"if": "github.ref == 'refs/heads/main' && inputs.environment == 'dev'"}
    assert _job_runs(job, event="push", selected="DEV", ref="refs/heads/Main", results={})
    assert not _job_runs(job, event="push", selected="prod", ref="refs/heads/main", results={})
    assert not _job_runs(job, event="push", selected=None, ref="refs/heads/main", results={})
    needed = {"needs": "dev", "if": "!cancelled() && needs.dev.result == 'success'"}
    assert _job_runs(needed, event="push", selected=None, ref="x", results={"dev": "Success"})
    assert not _job_runs(needed, event="push", selected=None, ref="x", results={"dev": "failure"})


@pytest.mark.parametrize(("event", "selected"), _RUNS)
def test_nothing_deploys_from_another_branch(event, selected) -> None:
    assert _deployed(event=event, selected=selected, failing=None, ref="refs/heads/x") == []
