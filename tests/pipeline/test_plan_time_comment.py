"""The PR plan comment puts a plan-time finding beside the replacement it concerns (issue 19).

The plan is the real one of tests/fixtures/plan-time/ec2-security-group-replaced-in-use: a
security group renamed while a network interface and another group's rule still use it. The
comment is rendered the way scripts/plan.sh does it: the policy pack's JSON and Markdown, then
``plan-report --findings``, then ``plan-comment``; the result is compared with a snapshot.

UPDATE_SNAPSHOTS=1 rewrites the snapshot (then review its diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from policies.cli import run as policies
from tests.fixture_paths import REPO_ROOT

PLAN = REPO_ROOT / "tests/fixtures/plan-time/ec2-security-group-replaced-in-use/plan.json"
SNAPSHOT = Path(__file__).parent / "fixtures" / "plan_time_security_group_comment.md"


@pytest.fixture
def comment(run_cli, tmp_path, monkeypatch, capsys) -> str:
    for name in ("GITHUB_RUN_ID", "GITHUB_REPOSITORY", "GITHUB_SERVER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(REPO_ROOT)  # the findings name the plan by its repository path
    findings_json, findings_md = tmp_path / "policies.json", tmp_path / "policies.md"
    code = policies(
        ["check", str(PLAN.relative_to(REPO_ROOT)), "--env", "dev",
         "--format", "json", "--output", str(findings_json),
         "--format", "markdown", "--output", str(findings_md)]
    )  # fmt: skip
    capsys.readouterr()
    assert code == 1  # the finding blocks
    summary = tmp_path / "summary.md"
    result = run_cli(
        "plan-report", PLAN, "--title", "Terraform plan: dev", "--markdown", summary,
        "--findings", findings_json,
    )  # fmt: skip
    assert result.code == 0, result.err
    output = tmp_path / "comment.md"
    result = run_cli(
        "plan-comment", "--env", "dev", "--stack", "catalog-api-dev", "--summary", summary,
        "--findings", findings_md, "--plan-exit", "0", "--policies-exit", "1",
        "--output", output,
    )  # fmt: skip
    assert result.code == 0, result.err
    return output.read_text(encoding="utf-8")


def test_the_finding_sits_in_the_row_of_the_replaced_group(comment: str) -> None:
    # The summary's resource row (the findings report below has its own table).
    (row,) = [x for x in comment.splitlines() if x.startswith("| replace | `aws_security_group")]
    assert row.startswith("| replace | `aws_security_group.app` |")
    assert "forces replacement\\: name" in row  # pipeline.markdown.text escapes punctuation
    assert "⛔ **PLAN110** error:" in row
    assert "aws\\_network\\_interface\\.app" in row and "DependencyViolation" in row
    assert "create\\_before\\_destroy" in row and "name\\_prefix" in row
    assert "AWS will refuse at apply time" in comment
    assert "❌ blocking policy findings" in comment
    # The rows of what is only updated carry no finding.
    (interface,) = [x for x in comment.splitlines() if x.startswith("| update | `aws_network_in")]
    assert "PLAN" not in interface


def test_the_rendered_comment_matches_the_snapshot(comment: str) -> None:
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(comment, encoding="utf-8")
    assert comment == SNAPSHOT.read_text(encoding="utf-8")


def test_the_deploy_summary_json_carries_the_finding_and_a_missing_report_adds_nothing(
    run_cli, tmp_path, write_json
) -> None:
    report = write_json(
        "policies.json",
        {
            "findings": [
                {"rule_id": "PLAN110", "severity": "error", "address": "aws_security_group.app",
                 "message": "in use", "waived": False},
                {"rule_id": "PLAN110", "severity": "error", "address": "aws_security_group.app",
                 "message": "waived one", "waived": True},
                {"rule_id": "OPS004", "severity": "error", "address": "aws_security_group.app",
                 "message": "tags", "waived": False},
                {"rule_id": "PLAN150", "severity": "warning", "address": "aws_s3_bucket.gone",
                 "message": "not in this plan", "waived": False},
                "not a finding",
            ]
        },
    )  # fmt: skip
    out = tmp_path / "summary.json"
    assert run_cli("plan-report", PLAN, "--json", out, "--findings", report).code == 0
    rows = {r["address"]: r for r in json.loads(out.read_text())["resources"]}
    assert rows["aws_security_group.app"]["findings"] == [
        {"rule_id": "PLAN110", "severity": "error", "message": "in use"}
    ]
    assert rows["aws_network_interface.app"]["findings"] == []
    missing = tmp_path / "never-written.json"
    assert run_cli("plan-report", PLAN, "--json", out, "--findings", missing).code == 0
    assert all(r["findings"] == [] for r in json.loads(out.read_text())["resources"])


def test_a_hostile_message_cannot_break_the_table_or_inject_html(run_cli, tmp_path, write_json):
    report = write_json(
        "policies.json",
        {"findings": [{"rule_id": "PLAN110", "severity": "error",
                       "address": "aws_security_group.app", "waived": False,
                       "message": "a | b\n| x | y |\n<img src=x onerror=alert(1)>"}]},
    )  # fmt: skip
    out = tmp_path / "summary.md"
    assert run_cli("plan-report", PLAN, "--markdown", out, "--findings", report).code == 0
    (row,) = [x for x in out.read_text().splitlines() if x.startswith("| replace |")]
    # pipeline.markdown.text: punctuation backslash-escaped, each newline shown as \n.
    assert "a \\| b\\n\\| x \\| y \\|\\n\\<img src\\=x onerror\\=alert\\(1\\)\\>" in row
    # "\\<img" is text: the HTML a parser finds is the summary's own, none of the message's.
    tokens = MarkdownIt("commonmark").enable("table").parse(out.read_text())
    html = [c.content for t in tokens for c in [t, *(t.children or [])] if "html" in c.type]
    assert "<br>" in html and not [h for h in html if "<img" in h or "onerror" in h]
