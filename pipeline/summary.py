"""plan-summary: what a plan will do, for the PR comment, the deploy job summary and artifacts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from pipeline.markdown import Section, assemble, cell, code, text, value_cell
from pipeline.values import AttributeChange, diff_attributes, format_path
from tfjson.actions import ACTION_ORDER
from tfjson.plan import Plan, ResourceChange
from tfjson.values import mask, merge_sensitivity

COUNTED_ACTIONS = ("create", "update", "replace", "delete", "read", "forget", "no-op")
DESTRUCTIVE_ACTIONS = frozenset({"delete", "replace"})
_ATTRIBUTE_ACTIONS = frozenset({"update", "replace"})


@dataclass(frozen=True, kw_only=True)
class PlanFinding:
    """A policy finding of a plan-time rule (``PLAN...``), read from the pack's JSON report."""

    rule_id: str
    severity: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"rule_id": self.rule_id, "severity": self.severity, "message": self.message}

    def markdown(self) -> str:
        mark = {"error": "⛔", "warning": "⚠️"}.get(self.severity, "💬")
        # The report is read back from JSON, so every field is text to escape.
        return f"{mark} **{text(self.rule_id)}** {text(self.severity)}: {text(self.message)}"


PLAN_RULE_PREFIX = "PLAN"


def with_findings(result: PlanSummary, report: Mapping[str, Any]) -> PlanSummary:
    """``result`` with each unwaived plan-time finding of ``report`` (the policy pack's
    ``--format json``) beside the resource row it concerns; other findings stay in the
    findings report. A report of another shape adds nothing."""
    by_address: dict[str, list[PlanFinding]] = {}
    findings = report.get("findings") if isinstance(report, Mapping) else None
    for finding in findings if isinstance(findings, list) else ():
        if not isinstance(finding, Mapping) or finding.get("waived") is True:
            continue
        rule_id, address = finding.get("rule_id"), finding.get("address")
        severity, message = finding.get("severity"), finding.get("message")
        if not all(isinstance(v, str) for v in (rule_id, address, severity, message)):
            continue
        if not rule_id.startswith(PLAN_RULE_PREFIX):
            continue
        by_address.setdefault(address, []).append(
            PlanFinding(rule_id=rule_id, severity=severity, message=message)
        )
    if not by_address:
        return result
    rows = tuple(
        replace(row, findings=tuple(by_address[row.address])) if row.address in by_address else row
        for row in result.resources
    )
    return replace(result, resources=rows)


@dataclass(frozen=True, kw_only=True)
class ResourceRow:
    address: str
    type: str
    action: str
    action_reason: str | None
    reason_text: str | None
    replace_paths: tuple[str, ...]
    previous_address: str | None
    importing: bool
    attributes: tuple[AttributeChange, ...]
    # Plan-time policy findings on this resource ("PLAN110 error: ..."), shown beside it.
    findings: tuple[PlanFinding, ...] = ()

    @property
    def notes(self) -> list[str]:
        notes = []
        if self.reason_text:
            notes.append(self.reason_text)
        if self.replace_paths:
            notes.append("forces replacement: " + ", ".join(self.replace_paths))
        if self.previous_address:
            notes.append(f"moved from {self.previous_address}")
        if self.importing:
            notes.append("imported")
        return notes

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "type": self.type,
            "action": self.action,
            "action_reason": self.action_reason,
            "action_reason_text": self.reason_text,
            "replace_paths": list(self.replace_paths),
            "previous_address": self.previous_address,
            "importing": self.importing,
            "attributes": [a.to_json() for a in self.attributes],
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass(frozen=True, kw_only=True)
class OutputRow:
    name: str
    action: str
    before: Any  # masked
    after: Any  # masked
    sensitive: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "action": self.action,
            "sensitive": self.sensitive,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True, kw_only=True)
class PlanSummary:
    title: str
    terraform_version: str
    format_version: str
    counts: dict[str, int]
    resources: tuple[ResourceRow, ...]
    outputs: tuple[OutputRow, ...]
    errored: bool
    complete: bool

    @property
    def has_changes(self) -> bool:
        return bool(self.resources) or bool(self.outputs)

    @property
    def destructive(self) -> int:
        return sum(self.counts.get(action, 0) for action in DESTRUCTIVE_ACTIONS)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "terraform_version": self.terraform_version,
            "format_version": self.format_version,
            "errored": self.errored,
            "complete": self.complete,
            "has_changes": self.has_changes,
            "counts": self.counts,
            "resources": [r.to_json() for r in self.resources],
            "outputs": [o.to_json() for o in self.outputs],
        }


def attribute_changes(resource: ResourceChange) -> tuple[AttributeChange, ...]:
    change = resource.change
    return tuple(
        diff_attributes(
            change.before,
            change.after_values,
            sensitive=merge_sensitivity(change.before_sensitive, change.after_sensitive),
        )
    )


def resource_row(resource: ResourceChange) -> ResourceRow:
    return ResourceRow(
        address=resource.address,
        type=resource.type,
        action=resource.action,
        action_reason=resource.action_reason,
        reason_text=resource.reason_text,
        replace_paths=tuple(format_path(p) for p in resource.replace_paths),
        previous_address=resource.previous_address,
        importing=resource.importing,
        attributes=attribute_changes(resource) if resource.action in _ATTRIBUTE_ACTIONS else (),
    )


def _shows(resource: ResourceChange) -> bool:
    """No-ops are counted, not listed, unless they move or import something."""
    return resource.action != "no-op" or resource.previous_address is not None or resource.importing


def _order(action: str) -> int:
    return ACTION_ORDER.index(action) if action in ACTION_ORDER else len(ACTION_ORDER)


def summarize(plan: Plan, *, title: str) -> PlanSummary:
    counts = Counter(r.action for r in plan.resource_changes)
    resources = sorted(
        (resource_row(r) for r in plan.resource_changes if _shows(r)),
        key=lambda row: (_order(row.action), row.address),
    )
    outputs = []
    for output in plan.output_changes:
        if output.change.action == "no-op":
            continue
        sensitive = (
            output.sensitive
            or merge_sensitivity(output.change.before_sensitive, output.change.after_sensitive)
            is True
        )
        outputs.append(
            OutputRow(
                name=output.name,
                action=output.change.action,
                before=mask(output.change.before, sensitive),
                after=mask(output.change.after, sensitive, output.change.after_unknown),
                sensitive=sensitive,
            )
        )
    return PlanSummary(
        title=title,
        terraform_version=plan.terraform_version or "unknown",
        format_version=plan.format_version,
        counts={a: counts.get(a, 0) for a in COUNTED_ACTIONS}
        | {a: n for a, n in sorted(counts.items()) if a not in COUNTED_ACTIONS},
        resources=tuple(resources),
        outputs=tuple(outputs),
        errored=plan.errored,
        complete=plan.complete,
    )


def _headline(counts: dict[str, int]) -> str:
    parts = [
        f"{counts['create']} to add",
        f"{counts['update']} to change",
        f"{counts['replace']} to replace",
        f"{counts['delete']} to destroy",
    ]
    if counts.get("forget"):
        parts.append(f"{counts['forget']} to forget")
    return "**Plan:** " + ", ".join(parts) + "."


def _notes_cell(row: ResourceRow) -> str:
    notes = cell("; ".join(row.notes))
    return "<br>".join(
        [notes, *(f.markdown() for f in row.findings)]
        if notes
        else [f.markdown() for f in row.findings]
    )


def _refused(summary: PlanSummary) -> int:
    return sum(any(f.severity == "error" for f in row.findings) for row in summary.resources)


def render_markdown(summary: PlanSummary, *, limit: int) -> str:
    counts = summary.counts
    head = [f"### {cell(summary.title, limit=300)}\n\n"]
    if summary.errored:
        head.append(
            "> [!CAUTION]\n> Terraform reported errors while planning: this plan is "
            "incomplete and must not be applied.\n\n"
        )
    if not summary.has_changes:
        head.append("**No changes.** The infrastructure matches the configuration.\n\n")
    else:
        head.append(_headline(counts) + "\n\n")
    if refused := _refused(summary):
        head.append(
            f"> [!CAUTION]\n> {refused} change(s) AWS will refuse at apply time, from what "
            "already exists: the finding and its fix are in the Notes of the resource row.\n\n"
        )
    if summary.destructive:
        head.append(
            f"> [!WARNING]\n> {summary.destructive} resource(s) will be destroyed or replaced; "
            "check the rows marked delete or replace.\n\n"
        )
    shown = [a for a in COUNTED_ACTIONS if counts.get(a)] + [
        a for a in counts if a not in COUNTED_ACTIONS
    ]
    if shown:
        head.append("| " + " | ".join(shown) + " |\n")
        head.append("|" + "---:|" * len(shown) + "\n")
        head.append("| " + " | ".join(str(counts[a]) for a in shown) + " |\n\n")

    resource_section = Section(
        heading="#### Resources\n\n| Action | Resource | Notes |\n| --- | --- | --- |\n",
        items=[
            f"| {r.action} | {code(r.address)} | {_notes_cell(r)} |\n" for r in summary.resources
        ],
        noun="resource rows",
        footer="\n",
    )
    output_section = Section(
        heading="#### Outputs\n\n| Action | Output | Before | After |\n| --- | --- | --- | --- |\n",
        items=[
            f"| {o.action} | {code(o.name)} | {value_cell(o.before)} | {value_cell(o.after)} |\n"
            for o in summary.outputs
        ],
        noun="output rows",
        footer="\n",
    )
    detail_section = Section(
        heading="#### Changed attributes\n\n",
        items=[_details(r) for r in summary.resources if r.attributes],
        noun="attribute details",
        priority=1,  # the tables first: details only when every row fits
    )
    tail = (
        f"<sub>Terraform {cell(summary.terraform_version)}, plan format "
        f"{cell(summary.format_version)}. Sensitive values are shown as (sensitive).</sub>\n"
    )
    return assemble(
        head="".join(head),
        sections=[resource_section, output_section, detail_section],
        tail=tail,
        limit=limit,
    )


def _details(row: ResourceRow) -> str:
    lines = [
        f"<details><summary>{row.action}: <code>{_html(row.address)}</code> "
        f"({len(row.attributes)} attribute(s))</summary>\n\n",
        "| Attribute | Before | After |\n| --- | --- | --- |\n",
    ]
    lines += [
        f"| {code(a.path)} | {value_cell(a.before)} | {value_cell(a.after)} |\n"
        for a in row.attributes
    ]
    lines.append("\n</details>\n\n")
    return "".join(lines)


def _html(value: str) -> str:
    # One line: a blank line would end the HTML block and make the rest Markdown.
    flat = value.replace("\r", "").replace("\n", "\\n")
    return flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
