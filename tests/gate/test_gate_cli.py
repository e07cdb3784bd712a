"""The gate's command line: usage errors are one line on stderr and exit code 2."""

from __future__ import annotations

import pytest

from gate.cli import main


def test_unknown_flag_is_a_one_line_error_with_exit_2(run_gate) -> None:
    result = run_gate("--frobnicate")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "error: unknown option '--frobnicate' (see --help)"
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "synth,lint"], "error: unknown step 'lint' in --only"),
        (["--env", "qa"], "error: unknown environment 'qa' (known: dev, staging, prod)"),
        (["--only", "pytest", "--fast"], "error: nothing to run"),
        (["--only", "terraform-tier", "--fast"], "error: nothing to run"),
        (["--only", "rehearsal", "--skip", "rehearsal"], "error: nothing to run"),
        (["--skip", "lint"], "error: unknown step 'lint' in --skip"),
        (["--stacks-dir", "/no/such/dir"], "error: --stacks-dir /no/such/dir: not a directory"),
        (["--only"], "error: Option '--only' requires an argument."),
        (["stray"], "error: Got unexpected extra argument (stray)"),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1
    assert captured.err.startswith(message)
    assert captured.err.rstrip().endswith("(see --help)")


def test_help_names_every_step_and_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    for word in (
        "--fast",
        "--only",
        "--skip",
        "--env",
        "--no-cache",
        "--stacks-dir",
        "--reports-dir",
        "synth",
        "policies",
        "checkov",
        "pytest",
        "terraform",
        "tflint",
        "terraform-tier",
        "rehearsal",
    ):
        assert word in text
