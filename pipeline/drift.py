"""drift-report: what changed outside Terraform, told apart from code that is merged but unapplied.

The drift plan is ``terraform plan -refresh-only``: its ``resource_drift`` entries compare the
state (before) with the real infrastructure (after). The optional full plan is a normal plan of
the same code: what the next apply would do. Comparing the two tells a reader whether the next
deploy reverts the drift, keeps it, or also carries code changes nobody has applied yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.markdown import Section, assemble, cell, code, value_cell
from pipeline.summary import attribute_changes, resource_row
from pipeline.values import AttributeChange, diff_attributes
from tfjson.plan import Plan, ResourceChange
from tfjson.values import merge_sensitivity

EXIT_NO_DRIFT = 0
EXIT_DRIFT = 3

# What the next apply does to a drifted resource, as decided by the full plan.
REVERTS = "reverts"
REVERTS_AND_CHANGES = "reverts-and-changes"
KEEPS = "keeps"

_NEXT_APPLY_TEXT = {
    REVERTS: "puts it back as the code says",
    REVERTS_AND_CHANGES: "puts it back, and also applies pending code changes",
    KEEPS: "keeps the drifted values (the code does not manage them, or ignores changes to them)",
}
_DRIFT_ACTION_TEXT = {
    "update": "changed outside Terraform",
    "delete": "deleted outside Terraform",
    "create": "created outside Terraform",
}


@dataclass(frozen=True, kw_only=True)
class DriftedResource:
    address: str
    type: str
    action: str
    attributes: tuple[AttributeChange, ...]
    next_apply: str | None  # None without a full plan
    next_apply_action: str | None
    pending_paths: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "type": self.type,
            "action": self.action,
            "attributes": [a.to_json() for a in self.attributes],
            "next_apply": self.next_apply,
            "next_apply_action": self.next_apply_action,
            "pending_paths": list(self.pending_paths),
        }


@dataclass(frozen=True, kw_only=True)
class PendingChange:
    address: str
    action: str
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "action": self.action, "notes": list(self.notes)}


@dataclass(frozen=True, kw_only=True)
class DriftReport:
    title: str
    terraform_version: str
    drifted: tuple[DriftedResource, ...]
    # None when no full plan was given: pending changes are then unknown, not absent.
    pending: tuple[PendingChange, ...] | None

    @property
    def has_drift(self) -> bool:
        return bool(self.drifted)

    @property
    def exit_code(self) -> int:
        return EXIT_DRIFT if self.has_drift else EXIT_NO_DRIFT

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "terraform_version": self.terraform_version,
            "has_drift": self.has_drift,
            "drifted": [d.to_json() for d in self.drifted],
            "pending_changes": None
            if self.pending is None
            else [p.to_json() for p in self.pending],
        }


def build_report(drift_plan: Plan, *, full_plan: Plan | None, title: str) -> DriftReport:
    planned = (
        {r.address: r for r in full_plan.resource_changes if r.action not in ("no-op", "read")}
        if full_plan is not None
        else None
    )
    drifted = tuple(
        resource
        for entry in sorted(drift_plan.resource_drift, key=lambda r: r.address)
        if entry.action not in ("no-op", "read")
        # An update whose only differences were provider normalisation is not drift.
        if (resource := _drifted(entry, planned)).action != "update" or resource.attributes
    )
    pending = None
    if planned is not None:
        drifted_addresses = {d.address for d in drifted}
        pending = tuple(
            PendingChange(address=r.address, action=r.action, notes=tuple(resource_row(r).notes))
            for address, r in sorted(planned.items())
            if address not in drifted_addresses
        )
    return DriftReport(
        title=title,
        terraform_version=drift_plan.terraform_version or "unknown",
        drifted=drifted,
        pending=pending,
    )


def _drifted(entry: ResourceChange, planned: dict[str, ResourceChange] | None) -> DriftedResource:
    attributes = _drift_changes(entry) if entry.action == "update" else ()
    next_apply = next_action = None
    pending_paths: tuple[str, ...] = ()
    if planned is not None:
        fix = planned.get(entry.address)
        if fix is None:
            next_apply = KEEPS
        else:
            next_action = fix.action
            drift_paths = {a.path for a in attributes}
            fix_paths = (
                {a.path for a in attribute_changes(fix)} if fix.action == "update" else set()
            )
            pending_paths = tuple(
                sorted(f for f in fix_paths if not any(_overlap(f, d) for d in drift_paths))
            )
            # An update that touches none of the drifted attributes (ignore_changes on them,
            # plus an unrelated code change) leaves the drift in place.
            touches_drift = len(pending_paths) < len(fix_paths)
            if fix.action == "update" and drift_paths and not touches_drift:
                next_apply = KEEPS
            else:
                next_apply = REVERTS_AND_CHANGES if pending_paths else REVERTS
    return DriftedResource(
        address=entry.address,
        type=entry.type,
        action=entry.action,
        attributes=attributes,
        next_apply=next_apply,
        next_apply_action=next_action,
        pending_paths=pending_paths,
    )


def _drift_changes(entry: ResourceChange) -> tuple[AttributeChange, ...]:
    """The attributes that really changed outside Terraform.

    The first refresh after an apply often reads back an unset attribute as its empty form
    (``tags`` null -> ``{}``, a block null -> ``[]``, ``""`` for null). Terraform lists those
    entries in ``resource_drift`` as updates although nobody changed anything; they are left out
    by giving ``after`` the state's own form wherever the two differ only that way.
    """
    change = entry.change
    return tuple(
        diff_attributes(
            change.before,
            _without_normalisation(change.before, change.after_values),
            sensitive=merge_sensitivity(change.before_sensitive, change.after_sensitive),
        )
    )


def _empty_as_null(value: Any) -> Any:
    """``value`` with null, ``{}``, ``[]`` and ``""`` all read as null, at any depth.

    Map keys whose value reads as null are dropped (an absent key is null too); list elements
    keep their positions, because an element's place in a list is meaningful.
    """
    if isinstance(value, dict):
        normalised = {key: _empty_as_null(item) for key, item in value.items()}
        kept = {key: item for key, item in normalised.items() if item is not None}
        return kept or None
    if isinstance(value, list):
        return [_empty_as_null(item) for item in value] or None
    if value == "":
        return None
    return value


def _without_normalisation(before: Any, after: Any) -> Any:
    """``after`` with every part that equals ``before`` up to empty-versus-null taken from
    ``before``, so a diff sees only real differences and shows them as it always did."""
    if _empty_as_null(before) == _empty_as_null(after):
        return before
    if isinstance(before, dict) and isinstance(after, dict):
        aligned = {
            key: _without_normalisation(before.get(key), item) for key, item in after.items()
        }
        # A key that went from empty to absent is the same normalisation the other way round.
        aligned |= {
            key: item
            for key, item in before.items()
            if key not in after and _empty_as_null(item) is None
        }
        return aligned
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [_without_normalisation(old, new) for old, new in zip(before, after, strict=True)]
    return after


def _overlap(first: str, second: str) -> bool:
    """The same attribute, or one inside the other (``tags`` and ``tags.Team``)."""
    if first == second:
        return True
    shorter, longer = sorted((first, second), key=len)
    return longer.startswith(shorter) and longer[len(shorter)] in ".["


def render_markdown(report: DriftReport, *, limit: int) -> str:
    head = [f"### {cell(report.title, limit=300)}\n\n"]
    if report.has_drift:
        head.append(f"**{len(report.drifted)} resource(s) changed outside Terraform.**")
    else:
        head.append("**No drift.** Every resource matches the Terraform state.")
    if report.pending is None:
        head.append(" Pending code changes were not checked (no full plan given).\n\n")
    elif report.pending:
        head.append(
            f" Separately, {len(report.pending)} change(s) in the code are not applied yet; "
            "they are listed below and are not drift.\n\n"
        )
    else:
        head.append(" No code changes are waiting to be applied.\n\n")

    drift_section = Section(
        heading="#### Drifted resources\n\n",
        items=[_drift_block(d) for d in report.drifted],
        noun="drifted resources",
    )
    pending_section = Section(
        heading=(
            "#### Pending code changes (not drift)\n\n"
            "Merged but not applied yet, or applied from another branch. "
            "The deploy workflow applies them.\n\n"
            "| Action | Resource | Notes |\n| --- | --- | --- |\n"
        ),
        items=[
            f"| {p.action} | {code(p.address)} | {cell('; '.join(p.notes))} |\n"
            for p in report.pending or ()
        ],
        noun="pending changes",
        footer="\n",
        priority=1,  # drift first: pending changes only when every drifted resource fits
    )
    tail = (
        f"<sub>Terraform {cell(report.terraform_version)}. "
        "Sensitive values are shown as (sensitive).</sub>\n"
    )
    return assemble(
        head="".join(head), sections=[drift_section, pending_section], tail=tail, limit=limit
    )


def _drift_block(drifted: DriftedResource) -> str:
    what = _DRIFT_ACTION_TEXT.get(drifted.action, drifted.action)
    lines = [f"##### {code(drifted.address)}: {what}\n\n"]
    if drifted.next_apply is not None:
        text = _NEXT_APPLY_TEXT[drifted.next_apply]
        if drifted.next_apply_action not in (None, "update"):
            text += f" ({drifted.next_apply_action})"
        lines.append(f"Next deploy: {text}.")
        if drifted.pending_paths:
            lines.append(
                " Code changes: " + ", ".join(code(p) for p in drifted.pending_paths) + "."
            )
        lines.append("\n\n")
    if drifted.attributes:
        lines.append("| Attribute | In Terraform state | Actual |\n| --- | --- | --- |\n")
        lines += [
            f"| {code(a.path)} | {value_cell(a.before)} | {value_cell(a.after)} |\n"
            for a in drifted.attributes
        ]
        lines.append("\n")
    return "".join(lines)
