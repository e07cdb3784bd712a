"""scripts/drift-issue.sh against a fake `gh` that records its calls: create, update, close."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixture_paths import REPO_ROOT
from tests.pipeline.support import drift_fixture

SCRIPT = REPO_ROOT / "scripts" / "drift-issue.sh"

# Records every call as a JSON list of arguments; `issue list` answers with $FAKE_GH_ISSUES.
# The body of --body-file is logged too, since the file may be gone when the test looks.
FAKE_GH = """#!{python}
import json, os, sys
args = sys.argv[1:]
entry = {{"args": args}}
if "--body-file" in args:
    entry["body"] = open(args[args.index("--body-file") + 1], encoding="utf-8").read()
with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(entry) + "\\n")
if args[:2] == ["issue", "list"]:
    print(open(os.environ["FAKE_GH_ISSUES"], encoding="utf-8").read())
"""


RUN_URL = "https://github.com/example-org/catalog-api-infra/actions/runs/42"


def _report_dir(tmp_path: Path, run_cli, *, environment: str, drift: bool) -> Path:
    """What scripts/drift-check.sh leaves for the issues job, written by the same command."""
    plan = drift_fixture("drift_with_pending.refresh.json" if drift else "drift_none.refresh.json")
    report = tmp_path / f"report-{environment}"
    result = run_cli("drift-check", "--env", environment, "--drift-plan", plan, "--full-plan", plan,
                     "--out", report, "--run-url", RUN_URL, "--no-promotion")  # fmt: skip
    assert result.code == 0, result.err
    assert (report / "verdict").read_text(encoding="utf-8") == ("drift\n" if drift else "clean\n")
    return report


def _run(tmp_path: Path, report: Path, *, environment: str, open_issues: list[dict]):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH.format(python=sys.executable), encoding="utf-8")
    gh.chmod(gh.stat().st_mode | stat.S_IXUSR)
    issues = tmp_path / "issues.json"
    issues.write_text(json.dumps(open_issues), encoding="utf-8")
    log = tmp_path / "gh.log"
    log.write_text("", encoding="utf-8")
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_GH_LOG": str(log),
        "FAKE_GH_ISSUES": str(issues),
        # Not the run in the report: the script must link the run that checked, not rebuild one.
        "GITHUB_RUN_ID": "99",
        "GITHUB_REPOSITORY": "someone-else/elsewhere",
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        ["bash", str(SCRIPT), environment, str(report)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return result, calls


def _issue(number: int, environment: str, *, marker: bool = True) -> dict:
    body = f"<!-- catalog-api-drift:{environment} -->\nold report" if marker else "hand-written"
    return {"number": number, "body": body}


def test_drift_without_an_open_issue_creates_one(tmp_path, run_cli) -> None:
    report = _report_dir(tmp_path, run_cli, environment="staging", drift=True)

    result, calls = _run(tmp_path, report, environment="staging", open_issues=[_issue(3, "prod")])

    assert result.returncode == 0, result.stderr
    assert [c["args"][:2] for c in calls] == [
        ["issue", "list"],
        ["label", "create"],
        ["label", "create"],
        ["issue", "create"],
    ]
    assert calls[0]["args"][2:] == [
        "--state",
        "open",
        "--label",
        "drift",
        "--limit",
        "200",
        "--json",
        "number,body",
    ]
    create = calls[3]
    assert create["args"][create["args"].index("--title") + 1] == "Drift detected in staging"
    labels = [create["args"][i + 1] for i, a in enumerate(create["args"]) if a == "--label"]
    assert labels == ["drift", "staging"]
    assert create["body"].startswith("<!-- catalog-api-drift:staging -->\n")
    assert "aws_security_group.alb" in create["body"]


def test_drift_with_an_open_issue_updates_it_and_never_duplicates(tmp_path, run_cli) -> None:
    report = _report_dir(tmp_path, run_cli, environment="prod", drift=True)
    open_issues = [_issue(7, "staging"), _issue(12, "prod"), _issue(15, "prod", marker=False)]

    result, calls = _run(tmp_path, report, environment="prod", open_issues=open_issues)

    assert result.returncode == 0, result.stderr
    assert [c["args"][:3] for c in calls] == [["issue", "list", "--state"], ["issue", "edit", "12"]]
    assert calls[1]["body"].startswith("<!-- catalog-api-drift:prod -->\n")
    assert "updated issue #12" in result.stderr


def test_drift_gone_closes_the_issue_with_a_comment(tmp_path, run_cli) -> None:
    report = _report_dir(tmp_path, run_cli, environment="dev", drift=False)

    result, calls = _run(tmp_path, report, environment="dev", open_issues=[_issue(9, "dev")])

    assert result.returncode == 0, result.stderr
    assert [c["args"][:3] for c in calls] == [["issue", "list", "--state"], ["issue", "close", "9"]]
    comment = calls[1]["args"][calls[1]["args"].index("--comment") + 1]
    assert "no drift in dev" in comment
    assert RUN_URL in comment
    assert "runs/99" not in comment


def test_no_drift_and_no_issue_does_nothing(tmp_path, run_cli) -> None:
    report = _report_dir(tmp_path, run_cli, environment="dev", drift=False)

    result, calls = _run(tmp_path, report, environment="dev", open_issues=[_issue(4, "prod")])

    assert result.returncode == 0, result.stderr
    assert [c["args"][:2] for c in calls] == [["issue", "list"]]


@pytest.mark.parametrize(
    ("verdict", "body_env", "message"),
    [
        ("maybe", "dev", "expected drift or clean"),
        ("drift", "prod", "does not start with the drift marker for dev"),
    ],
)
def test_a_bad_report_is_refused_before_any_gh_call(
    tmp_path, run_cli, verdict, body_env, message
) -> None:
    report = _report_dir(tmp_path, run_cli, environment=body_env, drift=True)
    (report / "verdict").write_text(verdict, encoding="utf-8")

    result, calls = _run(tmp_path, report, environment="dev", open_issues=[])

    assert result.returncode == 2
    assert message in result.stderr
    assert calls == []
