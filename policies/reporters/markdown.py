"""``--format markdown``: PR comments and job summaries, errors first, never over the limit.

Within each severity, findings are grouped by the Python file that made the resource (then
the ones with no known source), and the Python line, linked at the PR's head commit when the
report has a ``link_base``, stands beside the address. GitHub rejects comments over 65,536
characters; we stop at 60,000 and say how many findings were cut, most important first so
what gets cut is the least important.
"""

from __future__ import annotations

from pipeline.markdown import code, text
from policies.model import Finding, Severity
from policies.reporters import Report, summary_line, verdict
from tfjson.source import SourceLine

MAX_CHARS = 60_000
_FOOTER_RESERVE = 400  # room for the truncation notice and the closing lines

_SECTIONS = (
    ("Errors", lambda f: not f.waived and f.severity is Severity.ERROR),
    ("Warnings", lambda f: not f.waived and f.severity is Severity.WARNING),
    ("Info", lambda f: not f.waived and f.severity is Severity.INFO),
    ("Waived", lambda f: f.waived),
)
_TABLE_HEAD = "| Stack | Rule | Resource | Message | Location |\n|---|---|---|---|---|\n"
UNMAPPED_GROUP = "Not mapped to Python (synthesized JSON location only)"


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
        findings = sorted(
            (finding for finding in evaluation.findings if wanted(finding)), key=_by_source
        )
        if not findings or truncated:
            continue
        section = f"<details{' open' if title == 'Errors' else ''}>"
        section += f"<summary><b>{title} ({len(findings)})</b></summary>\n"
        if len(out) + len(section) + len("\n</details>\n") > budget:
            truncated = True
            break
        out += section
        group: str | None = None
        for finding in findings:
            row = _row(finding, link_base=report.link_base)
            file = finding.source.file if finding.source else UNMAPPED_GROUP
            if file != group:
                heading = _group_heading(finding.source, link_base=report.link_base)
                row = f"\n{heading}\n\n{_TABLE_HEAD}{row}"
            if len(out) + len(row) + len("\n</details>\n") > budget:
                truncated = True
                break
            group = file
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


def _by_source(finding: Finding) -> tuple[int, str, int]:
    # Mapped files first, alphabetically, lines in order; the sort is stable otherwise.
    if finding.source is None:
        return (1, "", 0)
    return (0, finding.source.file, finding.source.line)


def _link(source: SourceLine, link_base: str | None, *, text: str, line: bool = True) -> str:
    if not link_base:
        return f"`{text}`"
    anchor = f"#L{source.line}" if line else ""
    return f"[`{text}`]({link_base.rstrip('/')}/{source.file}{anchor})"


def _group_heading(source: SourceLine | None, *, link_base: str | None) -> str:
    if source is None:
        return f"**{UNMAPPED_GROUP}**"
    return "**" + _link(source, link_base, text=source.file, line=False) + "**"


def _row(finding: Finding, *, link_base: str | None = None) -> str:
    message = finding.message
    if finding.waived:
        message += f" (waived: {finding.waiver_reason})"
    elif finding.waiver_expired:
        message += " (waiver expired)"
    # The address comes from the (possibly hostile) stack: a fence no backtick in it can close.
    resource = code(finding.address)
    if finding.source is not None:
        # The source passed tfjson.source's safe-path check, so it needs no escaping.
        resource += " " + _link(finding.source, link_base, text=str(finding.source))
    cells = [_cell(finding.stack), _cell(finding.rule_id), resource, _cell(message)]
    cells.append(_cell(finding.location))
    return "| " + " | ".join(cells) + " |\n"


def _cell(value: str) -> str:
    # Messages quote the (possibly hostile) stack's names and values: pipeline.markdown.text
    # keeps them text (no pipe, HTML, link, mention or newline can act).
    return text(str(value))
