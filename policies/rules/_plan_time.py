"""Shared shape of the plan-time rules (PLAN110-PLAN170): an object the plan deletes while
something that survives the apply still uses it, found by ID, ARN or name in the prior state.

A rule states what identifies the object (``identifiers``: attributes of its prior values),
where users hold it (``paths``) and which types can use it; the result is an ERROR naming
the users, or, where the prior state cannot tell (no prior state, no identifier, or users
Terraform may not manage), a WARNING that says what to check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from policies.model import Document, Resource, Severity, Violation
from policies.toolkit.prior_state import Use
from policies.toolkit.values import text

DESTROY_FIRST = ("delete", "create")
DELETE = ("delete",)


_leaving: dict[str, Any] = {"document": None, "addresses": frozenset()}


def leaving(document: Document) -> frozenset[str]:
    """Addresses whose current object this plan deletes (alone or as part of a replacement).

    Kept for the document being checked, so the plan-time rules share one pass over it."""
    if _leaving["document"] is not document:
        _leaving["addresses"] = frozenset(
            r.address for r in document.resources if "delete" in r.actions
        )
        _leaving["document"] = document
    return _leaving["addresses"]


def change_text(resource: Resource) -> str:
    """``replaces X destroy-before-create (name forces it)`` or ``deletes X``."""
    if resource.actions == DELETE:
        return f"this plan deletes {resource.address}"
    order = " destroy-before-create" if resource.actions == DESTROY_FIRST else ""
    steps = (
        ".".join(str(step) for step in path if not isinstance(step, int))
        for path in resource.replace_paths
    )
    forced = sorted({step for step in steps if step})
    because = ""
    if forced:
        because = f" ({', '.join(forced)} {'forces' if len(forced) == 1 else 'force'} it)"
    return f"this plan replaces {resource.address}{order}{because}"


def user_list(uses: list[Use], *, limit: int = 3) -> str:
    addresses = list(dict.fromkeys(use.user.address for use in uses))
    shown = ", ".join(addresses[:limit])
    return shown + (f" and {len(addresses) - limit} more" if len(addresses) > limit else "")


def known_text(values: Mapping[str, Any] | None, attribute: str) -> str | None:
    """``values[attribute]`` as toolkit ``text`` reads it: a known, non-empty string."""
    return text((values or {}).get(attribute))


@dataclass(frozen=True, kw_only=True)
class InUse:
    identifiers: tuple[str, ...]  # attributes of the object's prior values its users hold
    paths: tuple[str, ...]  # where a user holds it (last steps of a dotted path)
    user_types: frozenset[str] | None  # None: any managed type but ``other_than``
    other_than: frozenset[str] = frozenset()
    error: str  # what AWS answers the delete, with {id}
    fix: str
    check: str  # what to run when the prior state cannot tell, with {id}
    noun: str  # "security group"
    # Whether a replacement with no managed user still deserves a warning: users Terraform
    # does not manage (ECS task interfaces, listeners of other stacks) are common for it.
    warn_without_users: bool = True
    # Prior-state evidence on the object itself: True in use, False not, None cannot tell.
    attached: Callable[[Mapping[str, Any]], bool | None] | None = None
    actions: tuple[tuple[str, ...], ...] = (DESTROY_FIRST, DELETE)


def in_use(document: Document, types: tuple[str, ...], spec: InUse) -> Iterator[Violation]:
    gone: frozenset[str] | None = None
    for resource in document.of_type(*types):
        if resource.actions not in spec.actions:
            continue
        before = resource.before or {}
        ids = [value for a in spec.identifiers if (value := known_text(before, a))]
        shown_id = ids[0] if ids else resource.address
        prior = document.prior_state
        if not ids or prior is None:
            missing = "no prior state" if prior is None else f"no ID of the {spec.noun}"
            yield _warning(
                resource,
                f"{change_text(resource)}, and the plan has {missing} to tell what uses "
                f"it; if anything still does, AWS refuses the delete "
                f"({spec.error.format(id=shown_id)}); check: {spec.check.format(id=shown_id)}",
            )
            continue
        if gone is None:
            gone = leaving(document)
        uses = [
            use
            for use in prior.users_of(
                ids, paths=spec.paths, types=spec.user_types, exclude=resource.address
            )
            if use.user.address not in gone and use.user.type not in spec.other_than
        ]
        error = spec.error.format(id=shown_id)
        one = len({use.user.address for use in uses}) == 1
        if uses:
            yield Violation(
                address=resource.address,
                resource=resource,
                message=(
                    f"{change_text(resource)} while {user_list(uses)} still "
                    f"{'uses' if one else 'use'} {shown_id} and {'is' if one else 'are'} not "
                    f"deleted first; AWS refuses the delete ({error}) and the apply "
                    f"stops half-way; fix: {spec.fix}"
                ),
            )
            continue
        evidence = spec.attached(before) if spec.attached is not None else None
        if evidence is True:
            yield Violation(
                address=resource.address,
                resource=resource,
                message=(
                    f"{change_text(resource)}, and the prior state shows {shown_id} is still "
                    f"attached through something Terraform does not manage here; AWS refuses "
                    f"the delete ({error}); fix: {spec.fix}"
                ),
            )
        elif evidence is None and spec.warn_without_users:
            yield _warning(
                resource,
                f"{change_text(resource)}; nothing in the prior state uses {shown_id}, but a "
                f"user Terraform does not manage would make AWS refuse the delete ({error}); "
                f"check: {spec.check.format(id=shown_id)}",
            )


def _warning(resource: Resource, message: str) -> Violation:
    return Violation(
        address=resource.address, resource=resource, message=message, severity=Severity.WARNING
    )
