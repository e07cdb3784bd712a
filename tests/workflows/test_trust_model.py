"""The trust model in the workflows: who runs which code with which AWS role.

See docs/trust-model.md.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.fixture_paths import REPO_ROOT
from tests.workflows import workflow_files
from tests.workflows.workflow_files import WORKFLOW_FILES, WORKFLOWS_DIR

# INTERFACES.md, configuration contract: every job that synthesizes passes these.
CATALOG_SETTINGS = {
    "CATALOG_REGION": "${{ vars.CATALOG_REGION }}",
    "CATALOG_STATE_BUCKET": "${{ vars.CATALOG_STATE_BUCKET }}",
    "CATALOG_STATE_REGION": "${{ vars.CATALOG_STATE_REGION }}",
    "CATALOG_STATE_KMS_KEY_ID": "${{ vars.CATALOG_STATE_KMS_KEY_ID }}",
    "CATALOG_HOSTED_ZONE": "${{ vars.CATALOG_HOSTED_ZONE }}",
    "CATALOG_BOOTSTRAP_BACKEND": "${{ vars.CATALOG_BOOTSTRAP_BACKEND }}",
    "CATALOG_GITHUB_REPOSITORY": "${{ github.repository }}",
}
SYNTHESIZING = ("pre-validate-iac.sh", "scripts/plan.sh", "deploy-environment.sh", "drift-check.sh")


def _load(name: str) -> workflow_files.Workflow:
    return workflow_files.load(name, (WORKFLOWS_DIR / name).read_text(encoding="utf-8"))


def _step(job: dict[str, Any], fragment: str) -> tuple[int, dict[str, Any]]:
    for index, step in enumerate(job["steps"]):
        if fragment in str(step.get("uses", "")) + str(step.get("run", "")):
            return index, step
    raise AssertionError(f"no step with {fragment!r}")


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=[p.name for p in WORKFLOW_FILES])
def test_no_pull_request_workflow_can_mint_an_oidc_token(path: Path) -> None:
    workflow = _load(path.name)
    if not {"pull_request", "pull_request_target"} & set(workflow.triggers):
        return
    for job_id, job in workflow.jobs.items():
        assert (job.get("permissions") or {}).get("id-token") is None, job_id
        assert "configure-aws-credentials" not in json.dumps(job), job_id


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=[p.name for p in WORKFLOW_FILES])
def test_every_synthesizing_job_passes_every_catalog_setting(path: Path) -> None:
    workflow = _load(path.name)
    for job_id, job in workflow.jobs.items():
        if "uses" in job:
            continue
        for step in job["steps"]:
            if any(script in str(step.get("run", "")) for script in SYNTHESIZING):
                env = {**workflow.data.get("env", {}), **job.get("env", {}), **step.get("env", {})}
                missing = {k: v for k, v in CATALOG_SETTINGS.items() if env.get(k) != v}
                assert not missing, (path.name, job_id, missing)


PR_PLAN = _load("pr-plan.yml")


def test_pr_plan_follows_the_pr_workflow_from_the_default_branch() -> None:
    assert PR_PLAN.triggers == {"workflow_run": {"workflows": ["pr"], "types": ["completed"]}}
    setup = PR_PLAN.jobs["setup"]
    assert "github.event.workflow_run.event == 'pull_request'" in setup["if"]
    assert "github.event.workflow_run.conclusion == 'success'" in setup["if"]
    # Never the PR's code: every checkout is the default branch (no ref, no repository).
    for job_id, job in PR_PLAN.jobs.items():
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert not {"ref", "repository"} & set(step["with"]), job_id
                assert step["with"]["persist-credentials"] is False, job_id


def test_pr_plan_posts_comments_from_a_job_without_aws_access() -> None:
    comment = PR_PLAN.jobs["comment"]
    assert comment["permissions"] == {"contents": "read", "pull-requests": "write"}
    # The order (artifact check, policies, then the role) is the rehearsal's to show
    # (tests/rehearsal, test_pr_plan); which tokens each job may hold, only this file can.
    assert PR_PLAN.jobs["plan"]["permissions"] == {
        "contents": "read",
        "actions": "read",
        "id-token": "write",
    }
    _, post = _step(comment, "scripts/post-plan-comment.sh")
    assert post["env"]["PR_NUMBER"] == "${{ needs.setup.outputs.pr-number }}"
    assert "pull-requests" not in PR_PLAN.jobs["plan"]["permissions"]


def test_pr_plan_status_check_needs_every_job() -> None:
    status = PR_PLAN.jobs["status-check"]
    assert set(status["needs"]) == set(PR_PLAN.jobs) - {"status-check"}
    assert "always()" in status["if"]


# --- the small scripts the workflows call -------------------------------------------------------


def _run(script: str, *args: str, env: dict[str, str], tmp_path: Path) -> tuple[int, str, str]:
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    result = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / script), *args],
        env={"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, output.read_text(encoding="utf-8"), result.stderr


DEV, PROD = "111111111111", "333333333333"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"AWS_ACCOUNT_ID": DEV}, DEV),
        ({"AWS_ACCOUNT_IDS": json.dumps({"dev": DEV, "prod": PROD})}, DEV),
        ({"AWS_ACCOUNT_IDS": json.dumps({"dev": DEV}), "AWS_ACCOUNT_ID": DEV}, DEV),
        ({"AWS_ACCOUNT_IDS": json.dumps({"prod": PROD}), "AWS_ACCOUNT_ID": DEV}, DEV),
        ({"AWS_ACCOUNT_ID": DEV, "EXPECTED_ACCOUNT_ID": DEV}, DEV),
    ],
)
def test_aws_account_resolves_one_account_per_environment(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    code, output, err = _run("aws-account.sh", "dev", env=env, tmp_path=tmp_path)
    assert code == 0, err
    assert output == f"account_id={expected}\n"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "no 12-digit AWS account for dev"),
        ({"AWS_ACCOUNT_ID": "12345"}, "no 12-digit AWS account"),
        ({"AWS_ACCOUNT_IDS": "[1]"}, "must be a JSON object"),
        ({"AWS_ACCOUNT_IDS": json.dumps({"dev": DEV}), "AWS_ACCOUNT_ID": PROD}, "fix one of them"),
        ({"AWS_ACCOUNT_ID": DEV, "EXPECTED_ACCOUNT_ID": PROD}, "refusing to apply it"),
    ],
)
def test_aws_account_refuses_a_misconfiguration(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    code, output, err = _run("aws-account.sh", "dev", env=env, tmp_path=tmp_path)
    assert code == 1
    assert output == ""
    assert message in err


SHA = "a" * 40


def _fake_gh(tmp_path: Path, pr: dict[str, Any]) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (tmp_path / "pr.json").write_text(json.dumps(pr), encoding="utf-8")
    gh = bin_dir / "gh"
    gh.write_text(
        f'#!/usr/bin/env bash\necho "$*" >>"{tmp_path}/gh.log"\ncat "{tmp_path}/pr.json"\n'
    )
    gh.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def _pr(**changes: Any) -> dict[str, Any]:
    pr = {
        "state": "open",
        "base": {"ref": "main"},
        "head": {"sha": SHA, "repo": {"full_name": "acme/infra"}},
    }
    pr.update(changes)
    return pr


EVENT = {"HEAD_SHA": SHA, "HEAD_REPOSITORY": "acme/infra", "GH_REPO": "acme/infra"}


def test_find_pr_plans_an_open_same_repository_pr_at_the_tested_commit(tmp_path: Path) -> None:
    env = {**EVENT, "PR_NUMBERS": "[42]", **_fake_gh(tmp_path, _pr())}
    code, output, err = _run("find-pr.sh", env=env, tmp_path=tmp_path)
    assert code == 0, err
    assert output == f"can_plan=true\npr_number=42\nhead_sha={SHA}\n"
    assert (tmp_path / "gh.log").read_text() == "api repos/acme/infra/pulls/42\n"


@pytest.mark.parametrize(
    ("event", "pr", "notice"),
    [
        ({"HEAD_REPOSITORY": "someone/fork"}, _pr(), "PRs from forks are not planned"),
        ({"PR_NUMBERS": "[]"}, _pr(), "belongs to no open pull request"),
        ({}, _pr(state="closed"), "PR #42 is closed"),
        ({}, _pr(base={"ref": "release"}), "targets release"),
        ({}, _pr(head={"sha": "b" * 40, "repo": {"full_name": "acme/infra"}}), "moved on"),
        ({}, _pr(head={"sha": SHA, "repo": {"full_name": "x/y"}}), "comes from x/y"),
    ],
)
def test_find_pr_skips_what_must_not_be_planned(
    tmp_path: Path, event: dict[str, str], pr: dict[str, Any], notice: str
) -> None:
    env = {**EVENT, "PR_NUMBERS": "[42]", **event, **_fake_gh(tmp_path, pr)}
    code, output, err = _run("find-pr.sh", env=env, tmp_path=tmp_path)
    assert code == 0, err
    assert output == "can_plan=false\n"
