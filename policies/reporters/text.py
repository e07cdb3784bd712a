"""``--format text``: for people reading a terminal or a CI log, grouped by stack then severity.

Colour only when the CLI says so (a TTY without NO_COLOR); otherwise plain lines, one finding
per line, so logs stay greppable.
"""

from __future__ import annotations

import io
import shutil
from itertools import groupby

from rich.console import Console
from rich.text import Text

from policies.model import Finding, Severity
from policies.reporters import Report, plural, summary_line, verdict

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_LABEL = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}


def render(report: Report) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=report.color,
        color_system="standard" if report.color else None,
        no_color=not report.color,
        highlight=False,
        emoji=False,
        soft_wrap=not report.color,  # a log line per finding; wrap only on a real terminal
        width=shutil.get_terminal_size().columns if report.color else 200,
    )
    evaluation = report.evaluation
    findings_by_stack = {
        stack: list(group)
        for stack, group in groupby(evaluation.findings, key=lambda finding: finding.stack)
    }
    for document in evaluation.documents:
        header = Text()
        header.append(document.stack, style="bold")
        details = [document.kind, f"env {document.environment or 'unknown'}"]
        details.append(plural(len(document.resources), "resource"))
        header.append(f"  ({', '.join(details)})  {document.file}", style="dim")
        console.print(header)
        findings = findings_by_stack.pop(document.stack, [])
        if not findings:
            console.print(Text("  no findings", style="green"))
        _print_findings(console, report, findings)
        console.print()
    for message in evaluation.internal_errors:
        console.print(Text(f"internal error: {message}", style="bold magenta"))
    for note in evaluation.notes:
        console.print(Text(f"note: {note}", style="dim"))
    console.print(Text(summary_line(report)))
    outcome = verdict(report)
    style = "bold green" if outcome.startswith("PASSED") else "bold red"
    console.print(Text(outcome, style=style))
    return buffer.getvalue()


def _print_findings(console: Console, report: Report, findings: list[Finding]) -> None:
    active = [finding for finding in findings if not finding.waived]
    waived = [finding for finding in findings if finding.waived]
    for severity, group in groupby(active, key=lambda finding: finding.severity):
        items = list(group)
        console.print(Text(f"  {_LABEL[severity]} ({len(items)})", style=_STYLE[severity]))
        for finding in items:
            console.print(_line(finding, style=_STYLE[severity]))
    if waived:
        console.print(Text(f"  WAIVED ({len(waived)})", style="dim"))
        for finding in waived:
            line = _line(finding, style="dim")
            line.append(f"  waived: {finding.waiver_reason}", style="dim")
            console.print(line)


def _line(finding: Finding, *, style: str) -> Text:
    line = Text("    ")
    line.append(finding.rule_id, style=style)
    line.append(f" {finding.address}", style="bold")
    if finding.source is not None:
        line.append(f" ({finding.source})")
    line.append(f"  {finding.message}")
    line.append(f"  [{finding.location}]", style="dim")
    if finding.waiver_expired:
        line.append("  (waiver expired)", style="bold red")
    return line
