"""Step 2: our policy pack over the synthesized stacks, written in every report format."""

from __future__ import annotations

import json
import sys

from gate.options import GateOptions
from gate.runner import Status, StepLog, StepResult
from gate.stacks import Stack, StacksError, discover_stacks
from pipeline.findings import mapping_line

# format -> report file name; "text" goes to the log for humans.
REPORT_FILES = {
    "json": "policies.json",
    "sarif": "policies.sarif",
    "junit": "policies.xml",
    "markdown": "policies.md",
}
POLICIES_TIMEOUT_SECONDS = 300


def run(options: GateOptions, log: StepLog) -> StepResult:
    try:
        stacks = discover_stacks(options.stacks_dir, environment=options.environment)
    except StacksError as exc:
        return StepResult(status=Status.FAILED, detail=str(exc))
    reports = tuple(options.reports_dir / name for name in REPORT_FILES.values())
    for report in reports:
        report.unlink(missing_ok=True)  # a failed run must not leave an old report behind
    args: list[str] = [sys.executable, "-m", "policies", "check"]
    args += [str(stack.file) for stack in stacks]
    for fmt, report in zip(REPORT_FILES, reports, strict=True):
        args += ["--format", fmt, "--output", str(report)]
    args += ["--format", "text"]
    if options.environment is not None:
        args += ["--env", options.environment]
    completed = log.run(args, cwd=options.root, timeout=POLICIES_TIMEOUT_SECONDS)
    written = tuple(r for r in reports if r.is_file())
    scope = f"{len(stacks)} stack(s); {_mapping(stacks)}"
    if completed.returncode == 0:
        return StepResult(
            status=Status.PASSED, detail=f"no blocking findings in {scope}", reports=written
        )
    crashed = "Traceback (most recent call last)" in completed.stdout
    if completed.returncode == 1 and not crashed:
        return StepResult(
            status=Status.FAILED,
            detail=f"blocking findings in {scope}",
            lines=_finding_lines(completed.stdout),
            reports=written,
        )
    return StepResult(
        status=Status.FAILED,
        detail=f"policy check could not run (exit {completed.returncode}); see the log",
        lines=_last_error(completed.stdout),
        reports=written,
    )


def _mapping(stacks: tuple[Stack, ...]) -> str:
    """How many resources name their Python line (the rest are reported at their JSON line)."""
    try:
        return mapping_line(json.loads(stack.file.read_text(encoding="utf-8")) for stack in stacks)
    except (OSError, ValueError):
        return "Python lines unknown (a stack could not be read)"


def _finding_lines(output: str, limit: int = 20) -> tuple[str, ...]:
    lines = [line for line in output.splitlines() if line.strip()]
    if len(lines) > limit:
        return (*lines[:limit], f"... {len(lines) - limit} more line(s) in the log")
    return tuple(lines)


def _last_error(output: str) -> tuple[str, ...]:
    lines = [line for line in output.splitlines() if line.strip()]
    return tuple(lines[-1:])
