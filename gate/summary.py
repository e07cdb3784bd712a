"""The gate's verdict: a compact table on the console and reports/summary.md."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rich import box
from rich.console import Console as RichConsole
from rich.table import Table

from gate.options import HEAVY_STEPS
from gate.runner import Status, StepResult
from pipeline.findings import findings_by_source
from pipeline.markdown import code_fence, text

ICONS = {
    Status.PASSED: "✅",
    Status.WARNING: "⚠️",
    Status.SKIPPED: "⏭️",
    Status.FAILED: "❌",
}
# Reports a step may write, with what each one holds (for readers of summary.md).
REPORT_DESCRIPTIONS = {
    "policies.json": "policy findings, machine-readable",
    "policies.sarif": "policy findings for GitHub code scanning",
    "policies.xml": "policy findings as JUnit",
    "policies.md": "policy findings for humans and PR comments",
    "checkov.json": "checkov results, machine-readable",
    "checkov.sarif": "checkov results for code scanning (accepted failures suppressed)",
    "checkov.xml": "checkov results as JUnit",
    "junit.xml": "pytest results as JUnit",
    "junit-terraform-tier.xml": "real-Terraform tier results as JUnit",
    "junit-rehearsal.xml": "workflow rehearsal results as JUnit",
}


def blocking_failures(results: Sequence[StepResult]) -> list[str]:
    return [r.name for r in results if r.status.blocking]


def tier_line(results: Sequence[StepResult], *, started: float) -> str:
    """How long each tier took: the verdict (every step but the heavy tiers, from the gate's
    start to its last step's end) and each heavy tier on its own."""
    verdict = [r for r in results if r.name not in HEAVY_STEPS]
    parts = []
    if verdict:
        ended = max(r.finished for r in verdict)
        parts.append(f"verdict ({', '.join(r.name for r in verdict)}) {ended - started:.1f} s")
    for r in results:
        if r.name in HEAVY_STEPS:
            shown = f"{r.seconds:.1f} s" if r.status is not Status.SKIPPED else "skipped"
            parts.append(f"{r.name} {shown}")
    return "tiers: " + " · ".join(parts)


def print_table(results: Sequence[StepResult], *, total_seconds: float) -> None:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("step")
    table.add_column("status")
    table.add_column("time", justify="right")
    table.add_column("details", overflow="fold")
    for result in results:
        table.add_row(result.name, result.status.value, f"{result.seconds:.1f} s", result.detail)
    # A fixed width keeps CI logs (no terminal) readable and stable.
    console = RichConsole(width=120, highlight=False, soft_wrap=False)
    console.print()
    console.print(table)
    failed = blocking_failures(results)
    verdict = f"gate FAILED: {', '.join(failed)}" if failed else "gate passed"
    console.print(f"{verdict} ({total_seconds:.1f} s)", markup=False)


def write_markdown(
    results: Sequence[StepResult],
    *,
    path: Path,
    total_seconds: float,
    relative_to: Path,
    link_base: str | None = None,
    tiers: str | None = None,
) -> None:
    """``link_base``: Python lines link to LINK_BASE/<file>#L<line> (the PR's head commit)."""
    failed = blocking_failures(results)
    verdict = (
        f"❌ **Gate failed** — blocking: {', '.join(f'`{n}`' for n in failed)}"
        if failed
        else "✅ **Gate passed**"
    )
    out = [
        "# Pre-validate IaC gate",
        "",
        f"{verdict} in {total_seconds:.1f} s.",
        "",
        *([tiers.replace("tiers: ", "Tiers: ", 1), ""] if tiers else []),
        "| Step | Status | Time | Details |",
        "| --- | --- | ---: | --- |",
    ]
    for r in results:
        out.append(
            f"| {r.name} | {ICONS[r.status]} {r.status.value} | {r.seconds:.1f} s "
            f"| {text(r.detail)} |"
        )
    detailed = [r for r in results if r.lines]
    if detailed:
        out += ["", "## Details"]
        for r in detailed:
            fence = code_fence(r.lines)
            out += ["", f"### {r.name}", "", f"{fence}text", *r.lines, fence]
    reports = [p for r in results for p in r.reports]
    out += _policy_findings_by_file(reports, link_base=link_base)
    logs = [r.log for r in results if r.log is not None]
    out += ["", "## Reports", ""]
    for report in reports:
        description = REPORT_DESCRIPTIONS.get(report.name, "")
        out.append(f"- `{_rel(report, relative_to)}`" + (f": {description}" if description else ""))
    if not reports:
        out.append("- none written by this run")
    out += ["", "Step logs: " + ", ".join(f"`{_rel(p, relative_to)}`" for p in logs), ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")


def _policy_findings_by_file(reports: Sequence[Path], *, link_base: str | None) -> list[str]:
    report = next((p for p in reports if p.name == "policies.json"), None)
    try:
        findings = json.loads(report.read_text(encoding="utf-8"))["findings"] if report else []
    except (OSError, ValueError, KeyError, TypeError):
        return []  # the policies step already reports a report it could not write
    if not findings:
        return []
    return [
        "",
        "## Policy findings by Python file",
        *findings_by_source(findings, link_base=link_base),
    ]


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
