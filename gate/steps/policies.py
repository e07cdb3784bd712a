"""Step 2: our policy pack over the synthesized stacks, written in every report format."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

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
    completed = log.run(
        args, cwd=options.root, timeout=POLICIES_TIMEOUT_SECONDS, separate_stderr=True
    )
    written = tuple(r for r in reports if r.is_file())
    scope = f"{len(stacks)} stack(s); {_mapping(stacks)}"
    # The verdict comes from the exit code and the JSON report, the CLI's documented contract
    # (0 nothing blocks, 1 blocking findings, 2 could not check); its text output is for humans.
    report = _json_report(options.reports_dir / REPORT_FILES["json"])
    if completed.returncode == 0 and report is not None:
        return StepResult(
            status=Status.PASSED, detail=f"no blocking findings in {scope}", reports=written
        )
    if completed.returncode == 1 and report is not None and report["blocking"]:
        return StepResult(
            status=Status.FAILED,
            detail=f"{len(report['blocking'])} blocking finding(s) in {scope}",
            lines=_finding_lines(report["blocking"]),
            reports=written,
        )
    why = (completed.stderr or "").strip().splitlines()[-1:] or ["no report was written"]
    return StepResult(
        status=Status.FAILED,
        detail=f"policy check could not run (exit {completed.returncode}); see the log",
        lines=tuple(why),
        reports=written,
    )


def _mapping(stacks: tuple[Stack, ...]) -> str:
    """How many resources name their Python line (the rest are reported at their JSON line)."""
    try:
        return mapping_line(json.loads(stack.file.read_text(encoding="utf-8")) for stack in stacks)
    except (OSError, ValueError):
        return "Python lines unknown (a stack could not be read)"


def _json_report(path: Path) -> dict[str, Any] | None:
    """The parts of ``policies.json`` the verdict needs, or None when it is missing or not ours."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        return None
    if data.get("internal_errors"):
        return None  # some rules did not run: the check is incomplete, whatever it found
    blocking = [f for f in data["findings"] if isinstance(f, dict) and f.get("blocking")]
    return {"blocking": blocking}


def _python_line(finding: dict[str, Any]) -> str:
    source = finding.get("source")
    if isinstance(source, dict) and source.get("file"):
        return f"{source['file']}:{source.get('line')}; "
    return ""


def _finding_lines(findings: list[dict[str, Any]], limit: int = 20) -> tuple[str, ...]:
    lines = [
        f"{f.get('rule_id')} {f.get('severity')} {f.get('address')}: {f.get('message')}"
        f" ({_python_line(f)}{f.get('file')}{':' + str(f['line']) if f.get('line') else ''})"
        for f in findings
    ]
    if len(lines) > limit:
        return (*lines[:limit], f"... {len(lines) - limit} more in policies.md and the log")
    return tuple(lines)
