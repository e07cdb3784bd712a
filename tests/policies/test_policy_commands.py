"""Every ``policies`` command keeps one contract: click, one-line errors with exit 2, one writer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from policies import catalog
from policies.command import UsageError, guarded, write_output
from policies.dev import bench
from tests.fixture_paths import REPO_ROOT
from tfjson.reader import InputError


@pytest.mark.parametrize(
    ("failure", "expected", "code"),
    [
        (InputError("x.json: file is empty"), "tool: error: x.json: file is empty\n", 2),
        (UsageError("give --write\n  or --check"), "tool: error: give --write or --check\n", 2),
        (KeyboardInterrupt(), "tool: error: interrupted\n", 130),
        (RuntimeError("boom"), "tool: error: internal error: RuntimeError: boom\n", 2),
    ],
)
def test_every_failure_is_one_line(
    capsys: pytest.CaptureFixture[str], failure: BaseException, expected: str, code: int
) -> None:
    def command() -> int:
        raise failure

    assert guarded("tool", command) == code
    assert capsys.readouterr().err == expected


def test_the_writer_creates_parents_and_names_a_file_it_cannot_write(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "deep" / "r.json"
    write_output("{}\n", target)
    assert target.read_text(encoding="utf-8") == "{}\n"
    with pytest.raises(InputError, match=r"r\.json/x: cannot write"):
        write_output("{}", target / "x")


def test_the_writer_ends_stdout_with_a_newline(capsys: pytest.CaptureFixture[str]) -> None:
    write_output("line")
    write_output("done\n")
    assert capsys.readouterr().out == "line\ndone\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [([], "catalog: error: give --write or --check\n"),
     (["--bogus"], "catalog: error: No such option '--bogus'.\n")],
)  # fmt: skip
def test_catalog_usage_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    assert catalog.main(args) == 2
    assert capsys.readouterr().err == expected


def test_catalog_check_passes_on_the_repository(capsys: pytest.CaptureFixture[str]) -> None:
    assert catalog.main(["--check"]) == 0, capsys.readouterr().out


def test_bench_runs_from_the_policies_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "policies", "bench", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--checkov" in result.stdout and "Usage: policies bench" in result.stdout


def test_bench_compares_with_each_checkov_given_once(tmp_path: Path) -> None:
    first, second = tmp_path / "ck32" / "checkov", tmp_path / "ck33" / "checkov"
    for path in (first, second):
        path.parent.mkdir()
        path.write_text("")
    link = tmp_path / "same-as-first"
    link.symlink_to(first)
    assert bench.find_checkovs([first, second, link]) == [first, second]
    with pytest.raises(bench.click.BadParameter, match="no such file"):
        bench.find_checkovs([tmp_path / "absent"])


def _checkov_run(report: object) -> bench.Run:
    return bench.Run(seconds=1.0, peak_mb=1.0, exit_code=1, stdout=json.dumps(report))


@pytest.mark.parametrize(
    ("report", "problem"),
    [
        ({"summary": {"passed": 181, "failed": 19, "parsing_errors": 0}}, None),
        ([{"summary": {"passed": 0, "failed": 0}}, {"summary": {"passed": 3}}], None),
        ({"summary": {"passed": 0, "failed": 0, "parsing_errors": 1}}, "1 parsing error(s)"),
        ({"summary": {"passed": 0, "failed": 0, "parsing_errors": 0}}, "no checks ran"),
    ],
)
def test_a_checkov_that_scanned_nothing_is_named(report: object, problem: str | None) -> None:
    assert bench.checkov_scanned(_checkov_run(report)) == problem


def test_a_checkov_that_crashed_is_named() -> None:
    run = bench.Run(seconds=1.0, peak_mb=1.0, exit_code=2, stdout="Traceback ...")
    assert bench.checkov_scanned(run) == "exit 2, no JSON report"


def test_the_children_write_bytecode_as_a_users_python_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", "/tmp/somewhere")
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = bench.user_environment({"LOG_LEVEL": "WARNING"})
    assert "PYTHONPYCACHEPREFIX" not in env and "PYTHONDONTWRITEBYTECODE" not in env
    assert env["LOG_LEVEL"] == "WARNING"
