"""The sticky plan comment: one marker per environment, under GitHub's limit, says what it cut."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from gate.plan_comment import GITHUB_COMMENT_LIMIT, Section, fit, marker, render
from tests.gate.conftest import REPO_ROOT

POST_SCRIPT = REPO_ROOT / "scripts" / "post-plan-comment.sh"
PLAN_SCRIPT = REPO_ROOT / "scripts" / "plan.sh"


def _render(**changes):
    arguments = {
        "environment": "dev",
        "stack": "catalog-api-dev",
        "summary": "# Terraform plan: dev\n\n2 to add, 0 to change, 0 to destroy.\n",
        "findings": "No findings.\n",
        "plan_exit": 0,
        "policies_exit": 0,
        "plan_log": None,
        "run_url": "https://github.com/o/r/actions/runs/1",
    }
    return render(**{**arguments, **changes})


def test_small_comment_is_complete_and_starts_with_the_environment_marker() -> None:
    body = _render()
    assert body.splitlines()[0] == marker("dev") == "<!-- catalog-api-plan:dev -->"
    assert "✅ plan ready for review" in body
    assert "2 to add" in body
    assert "No findings." in body
    assert "shortened" not in body


def test_markers_differ_per_environment() -> None:
    assert marker("dev") != marker("prod")
    assert _render(environment="prod").startswith("<!-- catalog-api-plan:prod -->")


def test_huge_parts_are_cut_under_the_limit_and_the_cut_is_explained() -> None:
    resources = "".join(f"| aws_s3_bucket.b{i} | create |\n" for i in range(6000))
    findings = "```text\n" + "".join(f"OPS004 resource {i} missing tags\n" for i in range(4000))
    body = _render(
        summary="| resource | action |\n|---|---|\n" + resources, findings=findings + "```\n"
    )
    assert len(body) <= GITHUB_COMMENT_LIMIT
    assert "shortened to stay under GitHub's 65,536-character limit" in body
    assert "plan summary: kept" in body and "policy findings: kept" in body
    assert "lines cut); full text in the `plan-dev` artifact" in body
    # the findings were cut inside a code block: it is closed again
    findings_part = body.split("### Policy findings")[1]
    assert findings_part.count("```") % 2 == 0


def test_a_short_part_keeps_everything_when_another_is_cut() -> None:
    sections = [
        Section(title="plan summary", text="x\n" * 50_000, full_text_at="artifact"),
        Section(title="policy findings", text="one finding", full_text_at="artifact"),
    ]
    fitted, cuts = fit(sections, budget=10_000)
    assert fitted[1].text == "one finding"
    assert [cut.title for cut in cuts] == ["plan summary"]
    assert sum(len(s.text) for s in fitted) <= 10_000 + 100


def test_failed_plan_shows_the_end_of_the_terraform_log() -> None:
    log = "\n".join(f"line {i}" for i in range(200)) + "\nError: AccessDenied"
    body = _render(plan_exit=1, plan_log=log, summary=None, findings=None, policies_exit=None)
    assert "❌ terraform plan failed" in body
    assert "Error: AccessDenied" in body
    assert "line 10\n" not in body  # only the tail


def test_blocking_findings_are_the_verdict() -> None:
    assert "❌ blocking policy findings" in _render(policies_exit=1)
    assert "❌ the policy check could not run" in _render(policies_exit=2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "dev", "--pr", "7", "--bogus"], "error: unknown option '--bogus'"),
        (["--env", "dev", "--pr", "x1", "--body", "f"], "error: --pr must be a PR number"),
        (["--env", "dev", "--pr", "7"], "error: --env, --pr and --body are required"),
    ],
)
def test_post_script_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = subprocess.run(
        ["bash", str(POST_SCRIPT), *args], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stderr.startswith(message)


def test_post_script_refuses_a_body_without_the_environment_marker(tmp_path: Path) -> None:
    body = tmp_path / "comment.md"
    body.write_text(_render(environment="prod"))
    result = subprocess.run(
        ["bash", str(POST_SCRIPT), "--env", "dev", "--pr", "7", "--body", str(body)],
        env={**os.environ, "GITHUB_REPOSITORY": "o/r"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "does not start with the marker for dev" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "dev", "--bogus"], "error: unknown option '--bogus'"),
        ([], "error: --env NAME is required"),
        (["--env"], "error: --env needs a value"),
    ],
)
def test_plan_script_usage_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = subprocess.run(
        ["bash", str(PLAN_SCRIPT), *args], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1
