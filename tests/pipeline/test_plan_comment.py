"""The sticky plan comment: one marker per environment, under GitHub's limit, says what it cut."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from facts.project import plan_comment_marker
from pipeline.comment import GITHUB_COMMENT_LIMIT, render
from pipeline.markdown import Section, assemble
from tests.fixture_paths import REPO_ROOT

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
    arguments |= changes
    return render(marker=plan_comment_marker(arguments["environment"]), **arguments)


def test_small_comment_is_complete_and_starts_with_the_environment_marker() -> None:
    body = _render()
    assert body.splitlines()[0] == plan_comment_marker("dev") == "<!-- catalog-api-plan:dev -->"
    assert "✅ plan ready for review" in body
    assert "2 to add" in body
    assert "No findings." in body
    assert "Output cut" not in body
    assert "[run](https://github.com/o/r/actions/runs/1)" in body


def test_markers_differ_per_environment() -> None:
    assert plan_comment_marker("dev") != plan_comment_marker("prod")
    assert _render(environment="prod").startswith("<!-- catalog-api-plan:prod -->")


def test_huge_parts_are_cut_under_the_limit_and_the_cut_is_explained() -> None:
    resources = "".join(f"| aws_s3_bucket.b{i} | create |\n" for i in range(6000))
    findings = "```text\n" + "".join(f"OPS004 resource {i} missing tags\n" for i in range(4000))
    body = _render(
        summary="| resource | action |\n|---|---|\n" + resources, findings=findings + "```\n"
    )
    assert len(body) <= GITHUB_COMMENT_LIMIT
    note = re.search(
        r"Output cut to stay under [\d,]+ characters: ([\d,]+) of 6,002 plan summary lines; "
        r"([\d,]+) of 4,002 policy finding lines not shown\. Everything is in the `plan-dev` "
        r"artifact of \[this run\]\(https://github.com/o/r/actions/runs/1\)",
        body,
    )
    assert note is not None, body[-800:]
    # Both parts keep a fair share: neither is squeezed out by the other.
    assert body.count("| create |") > 500
    assert body.count("missing tags") > 500
    # the findings were cut inside a code block: it is closed again
    findings_part = body.split("### Policy findings")[1]
    assert findings_part.count("```") % 2 == 0


def test_a_short_part_keeps_everything_when_another_is_cut() -> None:
    sections = [
        Section(heading="", items=["x\n"] * 50_000, noun="summary lines"),
        Section(heading="### Findings\n", items=["one finding\n"], noun="finding lines"),
    ]
    body = assemble(head="", sections=sections, limit=10_000)
    assert "one finding" in body
    assert len(body) <= 10_000
    assert "of 50,000 summary lines not shown" in body
    assert "finding lines" not in body.split("[!WARNING]")[1]


def test_a_later_priority_gets_only_the_room_left() -> None:
    rows = Section(heading="", items=[f"row {i}\n" for i in range(5_000)], noun="rows")
    details = Section(heading="", items=["detail\n"] * 10, noun="details", priority=1)
    body = assemble(head="", sections=[rows, details], limit=5_000)
    assert "detail\n" not in body  # rows were cut, so no details
    assert "10 of 10 details" in body

    body = assemble(head="", sections=[rows, details], limit=100_000)
    assert body.count("detail\n") == 10 and "Output cut" not in body


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


def test_plan_comment_command_writes_the_comment_with_this_run(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    monkeypatch.setenv("GITHUB_RUN_ID", "42")
    log = tmp_path / "plan.log"
    log.write_text("Error: AccessDenied\n", encoding="utf-8")
    output = tmp_path / "out" / "comment.md"

    result = run_cli(
        "plan-comment",
        "--env",
        "staging",
        "--stack",
        "catalog-api-staging",
        "--summary",
        tmp_path / "missing-summary.md",
        "--plan-log",
        log,
        "--plan-exit",
        "1",
        "--output",
        output,
    )

    assert result.code == 0, result.err
    body = output.read_text(encoding="utf-8")
    assert body.startswith("<!-- catalog-api-plan:staging -->\n")
    assert "❌ terraform plan failed" in body
    assert "Error: AccessDenied" in body
    assert "https://github.com/o/r/actions/runs/42" in body


def test_the_marker_command_prints_the_one_definition(run_cli):
    assert run_cli("comment-marker", "--env", "prod").out == "<!-- catalog-api-plan:prod -->\n"


def test_a_refused_artifact_gets_the_same_comment_with_the_reason(run_cli, tmp_path):
    log = tmp_path / "artifact-check.log"
    log.write_text("error: pr-stacks.zip: stacks/x/../../etc: path escapes the archive\n")
    findings = tmp_path / "artifact-policies.md"
    findings.write_text("SEC016 error provider.aws: endpoint override\n" * 5000)
    output = tmp_path / "comment.md"

    result = run_cli(
        "plan-comment", "--env", "prod", "--refused", log, "--findings", findings,
        "--output", output,
    )  # fmt: skip

    assert result.code == 0, result.err
    body = output.read_text(encoding="utf-8")
    assert body.startswith("<!-- catalog-api-plan:prod -->\n## Plan: `prod` — ⛔ not planned")
    assert "No AWS role was used" in body
    assert "path escapes the archive" in body
    assert len(body) <= GITHUB_COMMENT_LIMIT and "policy finding lines not shown" in body


def test_plan_comment_needs_a_plan_exit_or_a_refusal(run_cli, tmp_path):
    result = run_cli("plan-comment", "--env", "dev", "--output", tmp_path / "c.md")
    assert result.code == 2
    assert result.err == "error: give either --plan-exit or --refused\n"
