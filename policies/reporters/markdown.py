"""``--format markdown``: PR comments and job summaries, errors first, never over the limit.

GitHub rejects comments over 65,536 characters; we stop at 60,000 and say how many findings
were cut, most important first so what gets cut is the least important.
"""

from __future__ import annotations

from policies.model import Finding, Severity
from policies.reporters import Report, summary_line, verdict

MAX_CHARS = 60_000
_FOOTER_RESERVE = 400  # room for the truncation notice and the closing lines

_SECTIONS = (
    ("Errors", lambda f: not f.waived and f.severity is Severity.ERROR),
    ("Warnings", lambda f: not f.waived and f.severity is Severity.WARNING),
    ("Info", lambda f: not f.waived and f.severity is Severity.INFO),
    ("Waived", lambda f: f.waived),
)
_TABLE_HEAD = "| Stack | Rule | Resource | Message | Location |\n|---|---|---|---|---|\n"


def render(report: Report, *, max_chars: int = MAX_CHARS) -> str:
    evaluation = report.evaluation
    icon = ":white_check_mark:" if verdict(report).startswith("PASSED") else ":x:"
    head = [f"### {icon} Policy check: {verdict(report)}", "", summary_line(report), ""]
    if evaluation.internal_errors:
        head += ["**Internal errors** (these rules did not run to completion):", ""]
        head += [f"- {_cell(message)}" for message in evaluation.internal_errors]
        head.append("")
    if evaluation.notes:
        head += [f"> {_cell(note)}" for note in evaluation.notes]
        head.append("")
    out = "\n".join(head) + "\n"
    budget = max_chars - _FOOTER_RESERVE
    total = len(evaluation.findings)
    shown = 0
    truncated = False
    for title, wanted in _SECTIONS:
        findings = [finding for finding in evaluation.findings if wanted(finding)]
        if not findings or truncated:
            continue
        section = f"<details{' open' if title == 'Errors' else ''}>"
        section += f"<summary><b>{title} ({len(findings)})</b></summary>\n\n{_TABLE_HEAD}"
        if len(out) + len(section) + len("\n</details>\n") > budget:
            truncated = True
            break
        out += section
        for finding in findings:
            row = _row(finding)
            if len(out) + len(row) + len("\n</details>\n") > budget:
                truncated = True
                break
            out += row
            shown += 1
        out += "\n</details>\n\n"
    if truncated:
        out += (
            f"**Truncated:** showing {shown} of {total} findings; {total - shown} more were cut "
            f"to stay under {max_chars:,} characters. The full list is in the job log and the "
            "SARIF/JSON reports.\n"
        )
    elif total == 0:
        out += "No findings.\n"
    return out


def _row(finding: Finding) -> str:
    location = finding.file if finding.line is None else f"{finding.file}:{finding.line}"
    message = finding.message
    if finding.waived:
        message += f" (waived: {finding.waiver_reason})"
    elif finding.waiver_expired:
        message += " (waiver expired)"
    cells = [finding.stack, finding.rule_id, f"`{finding.address}`", message, location]
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |\n"


def _cell(value: str) -> str:
    # Pipes end a table cell and newlines end a row; angle brackets would open HTML.
    return (
        " ".join(str(value).split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    )
