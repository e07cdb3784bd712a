"""Step 4: the test suite, through the same command CI uses (scripts/run-tests.sh)."""

from __future__ import annotations

import os
import re
import shlex

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


def run(options: GateOptions, log: StepLog) -> StepResult:
    junit = options.reports_dir / "junit.xml"
    selection = shlex.split(os.environ.get(SELECT_ENV, ""))
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
        ["bash", "scripts/run-tests.sh", f"--junitxml={junit}", "-q", *selection],
        cwd=options.root,
        timeout=PYTEST_TIMEOUT_SECONDS,
    )
    summary = _closing_summary(completed.stdout) or f"exit code {completed.returncode}"
    if selection:
        summary += f" (only {' '.join(selection)}: {SELECT_ENV})"
    reports = (junit,) if junit.is_file() else ()
    status = Status.PASSED if completed.returncode == 0 else Status.FAILED
    return StepResult(status=status, detail=summary, reports=reports)


def _closing_summary(output: str) -> str | None:
    for line in reversed(output.splitlines()):
        match = _CLOSING_LINE.match(line.strip())
        if match:
            return match.group("summary")
    return None
