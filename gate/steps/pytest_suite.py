"""Step 4: the test suite, through the same command CI uses (scripts/run-tests.sh)."""

from __future__ import annotations

import re

from gate.options import GateOptions
from gate.runner import Status, StepLog, StepResult

PYTEST_TIMEOUT_SECONDS = 1800
# pytest's closing line, "3 failed, 120 passed in 41.2s", framed with "=" unless -q.
_CLOSING_LINE = re.compile(
    r"^=*\s*(?P<summary>(\d+ \w+(, )?)+ in [\d.]+s( \([\d:]+\))?|no tests ran.*?)\s*=*$"
)


def run(options: GateOptions, log: StepLog) -> StepResult:
    junit = options.reports_dir / "junit.xml"
    completed = log.run(
        ["bash", "scripts/run-tests.sh", f"--junitxml={junit}", "-q"],
        cwd=options.root,
        timeout=PYTEST_TIMEOUT_SECONDS,
    )
    summary = _closing_summary(completed.stdout) or f"exit code {completed.returncode}"
    reports = (junit,) if junit.is_file() else ()
    status = Status.PASSED if completed.returncode == 0 else Status.FAILED
    return StepResult(status=status, detail=summary, reports=reports)


def _closing_summary(output: str) -> str | None:
    for line in reversed(output.splitlines()):
        match = _CLOSING_LINE.match(line.strip())
        if match:
            return match.group("summary")
    return None
