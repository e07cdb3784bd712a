"""scripts/run-tests.sh: parallel by default, and a selection that matches nothing fails."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.fixture_paths import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "run-tests.sh"


def _run(*args: str, workers: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    if workers is not None:
        env["PYTEST_WORKERS"] = workers
    return subprocess.run(
        ["bash", str(SCRIPT), *args, "-p", "no:cacheprovider", "-o", "addopts="],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.mark.parametrize("workers", ["2", "0"])
def test_a_selection_that_matches_nothing_fails_in_parallel_and_serially(workers: str) -> None:
    result = _run("tests/tfjson", "-k", "no_such_test_anywhere", workers=workers)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.strip().endswith("error: pytest collected no tests")
    assert ("2 workers" in result.stdout) is (workers == "2")


def test_two_workers_run_the_selection(tmp_path) -> None:
    result = _run("tests/tfjson/test_tfjson_values.py", "-q", workers="2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" in result.stdout.splitlines()[-1]
    assert "bringing up nodes" in result.stdout  # xdist, quiet


def test_a_bad_worker_count_is_a_one_line_error() -> None:
    result = _run("tests/tfjson", workers="many")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "error: PYTEST_WORKERS must be a whole number, got 'many'"
    )
