"""Reporters: one module per output format, each a pure ``render(report) -> str``.

Reporters only show what rules wrote (rule ID, address, message, location) and never resource
values, so no format can leak a secret that was in the input. Modules are imported on demand:
rich costs ~70 ms and only the text format needs it.
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

from policies.engine import summarize
from policies.model import Evaluation, Finding, Severity
from policies.registry import Rule

FORMATS = ("text", "json", "sarif", "junit", "markdown")


class Report(NamedTuple):
    """Everything a reporter may show: the evaluation, rule metadata and the blocking threshold."""

    evaluation: Evaluation
    rules: tuple[Rule, ...]
    fail_on: Severity
    color: bool = False  # text only: ANSI colour, decided by the CLI (TTY and NO_COLOR)
    # markdown only: Python locations link to <link_base>/<file>#L<line>, e.g.
    # https://github.com/o/r/blob/<PR head SHA> (the CLI's --link-base / POLICIES_LINK_BASE).
    link_base: str | None = None

    @property
    def summary(self) -> dict[str, int]:
        return summarize(self.evaluation, fail_on=self.fail_on)

    def blocks(self, finding: Finding) -> bool:
        return not finding.waived and finding.severity.rank >= self.fail_on.rank

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)


def render(format_name: str, report: Report) -> str:
    if format_name not in FORMATS:
        raise ValueError(f"unknown format {format_name!r}")
    module: Any = importlib.import_module(f"policies.reporters.{format_name}")
    return module.render(report)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(report: Report) -> str:
    """``2 errors, 1 warning, 0 infos, 1 waived; 3 stacks, 120 resources, 30 rules``."""
    summary = report.summary
    return (
        f"{plural(summary['errors'], 'error')}, {plural(summary['warnings'], 'warning')}, "
        f"{plural(summary['infos'], 'info')}, {summary['waived']} waived; "
        f"{plural(summary['stacks'], 'stack')}, {plural(summary['resources'], 'resource')}, "
        f"{plural(summary['rules'], 'rule')}"
    )


def verdict(report: Report) -> str:
    summary = report.summary
    if summary["internal_errors"]:
        return f"INCOMPLETE: {plural(summary['internal_errors'], 'rule')} failed to run"
    if summary["blocking"]:
        return (
            f"FAILED: {plural(summary['blocking'], 'blocking finding')} "
            f"(--fail-on {report.fail_on.value})"
        )
    return f"PASSED: nothing blocks (--fail-on {report.fail_on.value})"
