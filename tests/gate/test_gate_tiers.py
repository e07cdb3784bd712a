"""The gate's test tiers: which steps a flag selects, how each tier's pytest run is judged, and
the line that says how long each tier took."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gate import cli, summary
from gate.options import GateOptions
from gate.runner import Status, StepLog, StepResult
from gate.steps import pytest_suite

VERDICT = ("synth", "policies", "checkov", "pytest", "terraform", "tflint")


@pytest.mark.parametrize(
    ("args", "steps"),
    [
        ([], (*VERDICT, "terraform-tier", "rehearsal")),
        (["--skip", "terraform-tier,rehearsal"], VERDICT),
        (["--only", "terraform-tier"], ("terraform-tier",)),
        (["--only", "rehearsal"], ("rehearsal",)),
        (["--fast"], ("synth", "policies", "checkov", "terraform", "tflint")),
        (["--only", "synth,pytest,rehearsal", "--skip", "rehearsal"], ("synth", "pytest")),
    ],
)
def test_flags_select_the_tiers(
    args: list[str], steps: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen: list[GateOptions] = []
    monkeypatch.setattr(cli, "run_gate", lambda options: chosen.append(options) or 0)
    assert cli.main(args) == 0
    assert chosen[0].steps == steps


def _tier_run(
    tier: pytest_suite.Tier, output: str, returncode: int, tmp_path: Path
) -> tuple[StepResult, list[str]]:
    calls: list[list[str]] = []

    class FakeLog(StepLog):
        def run(self, args, **_kwargs):  # type: ignore[override]
            calls.append([str(a) for a in args])
            return subprocess.CompletedProcess(args, returncode, output)

    options = GateOptions(
        root=tmp_path,
        steps=("pytest",),
        environment=None,
        stacks_dir=tmp_path,
        stacks_dir_given=True,
        reports_dir=tmp_path / "reports",
        cache_dir=tmp_path / "cache",
        use_cache=True,
        jobs=1,
    )
    with (tmp_path / "log").open("w") as handle:
        result = pytest_suite.run_tier(tier, options, FakeLog(path=tmp_path / "log", handle=handle))
    return result, calls[0]


CASES = [
    # tier, (pytest output, exit code), (status, detail)
    (
        pytest_suite.UNIT,
        ("..\n2100 passed, 40 deselected in 61.0s\n", 0),
        (Status.PASSED, "2100 passed"),
    ),
    (
        pytest_suite.UNIT,
        ("F.\n1 failed, 1 passed in 2.0s\n", 1),
        (Status.FAILED, "1 failed, 1 passed"),
    ),
    (
        pytest_suite.UNIT,
        ("2183 deselected in 9.1s\nerror: pytest collected no tests\n", 1),
        (Status.FAILED, "no tests collected (2183 deselected in 9.1s)"),
    ),
    (
        pytest_suite.REHEARSAL,
        ("2183 deselected in 9.1s\nerror: pytest collected no tests\n", 1),
        (Status.SKIPPED, "skipped: no test carries the 'rehearsal' marker"),
    ),
    (
        pytest_suite.TERRAFORM,
        ("sss\n30 skipped, 2100 deselected in 3.0s\n", 0),
        (Status.SKIPPED, "skipped: 30 skipped, 2100 deselected"),
    ),
    (pytest_suite.TERRAFORM, ("s.\n1 passed, 1 skipped in 3.0s\n", 0), (Status.PASSED, "1 passed")),
]


@pytest.mark.parametrize(("tier", "run", "expected"), CASES)
def test_each_tier_is_judged_on_what_really_ran(
    tier: pytest_suite.Tier,
    run: tuple[str, int],
    expected: tuple[Status, str],
    tmp_path: Path,
) -> None:
    result, command = _tier_run(tier, *run, tmp_path)
    assert result.status is expected[0]
    assert result.detail.startswith(expected[1])
    assert command[:4] == ["bash", "scripts/run-tests.sh", "-m", tier.marker]
    assert f"--junitxml={tmp_path / 'reports' / tier.junit}" in command


def test_the_tier_line_gives_the_verdict_time_and_each_heavy_tier() -> None:
    def step(name: str, seconds: float, finished: float, status: Status = Status.PASSED):
        return StepResult(name=name, status=status, detail="", seconds=seconds, finished=finished)

    line = summary.tier_line(
        [
            step("synth", 30.0, 130.0),
            step("pytest", 60.0, 190.0),
            step("terraform-tier", 200.0, 330.0),
            step("rehearsal", 0.1, 330.1, Status.SKIPPED),
        ],
        started=100.0,
    )
    assert line == (
        "tiers: verdict (synth, pytest) 90.0 s · terraform-tier 200.0 s · rehearsal skipped"
    )
