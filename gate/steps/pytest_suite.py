"""The test steps, through the same command CI uses (scripts/run-tests.sh), one tier each:

- ``pytest``: the suite without the heavy tiers (``-m "not terraform and not rehearsal"``);
- ``terraform-tier``: real Terraform and the AWS provider against moto (``-m terraform``);
- ``rehearsal``: the workflows run end to end by act (``-m rehearsal``).

pr.yml gives its verdict on the first one (with the other gate steps) and runs the heavy tiers as
jobs beside it; without flags the gate runs all three, so a laptop runs what a PR runs.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass

from gate.options import GateOptions
from gate.runner import Status, StepLog, StepResult

PYTEST_TIMEOUT_SECONDS = 1800
# Rehearsal seam (docs/rehearsal.md): the workflow rehearsal runs pr.yml, whose gate would run the
# whole suite inside the suite. There, and only there, this variable names the test paths to run
# instead (a small smoke subset); the verdict says so. Never set in a workflow.
SELECT_ENV = "GATE_PYTEST_SELECT"
# pytest's closing line, "3 failed, 120 passed in 41.2s", framed with "=" unless -q.
_CLOSING_LINE = re.compile(
    r"^=*\s*(?P<summary>(\d+ \w+(, )?)+ in [\d.]+s( \([\d:]+\))?|no tests ran.*?)\s*=*$"
)
# What scripts/run-tests.sh says when the selection matched no test (pytest's exit code 5).
_NOTHING_COLLECTED = "error: pytest collected no tests"


@dataclass(frozen=True, kw_only=True)
class Tier:
    marker: str
    junit: str
    # A heavy tier that selects no test on this checkout is skipped, visibly; an empty unit
    # tier is a failure (something broke collection).
    empty_is_skip: bool


UNIT = Tier(marker="not terraform and not rehearsal", junit="junit.xml", empty_is_skip=False)
TERRAFORM = Tier(marker="terraform", junit="junit-terraform-tier.xml", empty_is_skip=True)
REHEARSAL = Tier(marker="rehearsal", junit="junit-rehearsal.xml", empty_is_skip=True)


def run(options: GateOptions, log: StepLog) -> StepResult:
    return run_tier(UNIT, options, log)


def run_terraform_tier(options: GateOptions, log: StepLog) -> StepResult:
    return run_tier(TERRAFORM, options, log)


def run_rehearsal(options: GateOptions, log: StepLog) -> StepResult:
    return run_tier(REHEARSAL, options, log)


def run_tier(tier: Tier, options: GateOptions, log: StepLog) -> StepResult:
    junit = options.reports_dir / tier.junit
    junit.unlink(missing_ok=True)  # a run that writes none must not publish an old one
    # The rehearsal's seam narrows only the unit tier (the suite must not run inside itself).
    selection = shlex.split(os.environ.get(SELECT_ENV, "")) if tier is UNIT else []
    tests_dir = (options.root / "tests").resolve()
    for path in selection:
        target = (options.root / path).resolve()
        if tests_dir not in (target, *target.parents) or not target.exists():
            return StepResult(
                status=Status.FAILED, detail=f"{SELECT_ENV}: {path!r} is not a path under tests/"
            )
    if selection:
        log.write(f"{SELECT_ENV} limits this run to: {' '.join(selection)} (rehearsal seam)")
    completed = log.run(
        [
            *("bash", "scripts/run-tests.sh", "-m", tier.marker),
            *(f"--junitxml={junit}", "-q", *selection),
        ],
        cwd=options.root,
        timeout=PYTEST_TIMEOUT_SECONDS,
    )
    summary = _closing_summary(completed.stdout) or f"exit code {completed.returncode}"
    if selection:
        summary += f" (only {' '.join(selection)}: {SELECT_ENV})"
    reports = (junit,) if junit.is_file() else ()
    if completed.returncode != 0 and _NOTHING_COLLECTED in completed.stdout:
        if tier.empty_is_skip:
            return StepResult(
                status=Status.SKIPPED,
                detail=f"skipped: no test carries the '{tier.marker}' marker ({summary})",
            )
        return StepResult(status=Status.FAILED, detail=f"no tests collected ({summary})")
    if completed.returncode != 0:
        return StepResult(status=Status.FAILED, detail=summary, reports=reports)
    if _ran_nothing(summary):
        # Every selected test skipped itself (e.g. no terraform on PATH): not a pass.
        return StepResult(status=Status.SKIPPED, detail=f"skipped: {summary}", reports=reports)
    return StepResult(status=Status.PASSED, detail=summary, reports=reports)


def _ran_nothing(summary: str) -> bool:
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", summary)}
    return bool(counts.get("skipped")) and not counts.get("passed") and not counts.get("xfailed")


def _closing_summary(output: str) -> str | None:
    for line in reversed(output.splitlines()):
        match = _CLOSING_LINE.match(line.strip())
        if match:
            return match.group("summary")
    return None
