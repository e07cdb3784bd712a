"""Rules as data: a rule whose shape repeats is ONE ``Row`` of a table.

A row names the resource types, the nested blocks to look into (``scope``) and a predicate
built from a few constructors below (``exclusive``, ``required``, ``at_least``, ``less_than``,
``ordered``, ``matches``, ``forbidden_keys``, ...). It carries everything else a rule needs: a
stable ID, title, severity, service, failure class, the real AWS error text, the source URL,
the why and the fix, and a failing and a passing example (Terraform JSON resource values).

From a row:
- ``register`` makes a ``@rule`` (``policies/registry.py``);
- ``python -m policies.catalog --write`` writes its doc ``policies/docs/<ID>.md``;
- ``tests/policies/rules/test_rows.py`` runs its passing, failing and unknown cases
  (the unknown cases replace, one at a time, every value in which the two examples differ);
- ``python -m policies.dev.validate_examples`` runs ``terraform validate`` and ``plan`` on its
  failing example, to prove the AWS provider itself does not reject it.

Predicates answer on ONE block (the resource's values, or a nested block under ``scope``):
the problem as a short phrase, or None when the block is fine OR cannot be judged because a
value it needs is unknown. ``defaults`` gives the provider default of an absent argument
where the rule depends on it (documented in the provider's docs, cited by the row).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.model import UNKNOWN, Document, Severity, Violation, get_path, is_known
from policies.registry import rule
from policies.toolkit.values import blocks, creates_or_updates, is_set, number, read

Block = Mapping[str, Any]
Predicate = Callable[[Block], str | None]


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


Condition = Mapping[str, Collection[Any]]


def _holds(block: Block, when: Condition | None, defaults: Mapping[str, Any]) -> bool | None:
    """Whether every ``attribute in values`` condition holds; None when one is unknown."""
    for path, allowed in (when or {}).items():
        value = read(block, path, defaults.get(path))
        if value is UNKNOWN or not is_known(value):
            return None
        if not isinstance(value, str | int | float | bool) or value not in allowed:
            return False  # a list or object where a scalar belongs is the provider's to reject
    return True


def _when_text(block: Block, when: Condition | None, defaults: Mapping[str, Any]) -> str:
    """' when type = gp3': the values that made the condition hold, as the block has them."""
    if not when:
        return ""
    parts = [f"{path} = {read(block, path, defaults.get(path))}" for path in when]
    return " when " + " and ".join(parts)


# -- predicate constructors ------------------------------------------------------------------


def exclusive(
    first: str, second: str, *, when: Condition | None = None, **defaults: Any
) -> Predicate:
    """``first`` and ``second`` must not both be set (optionally only ``when`` ...)."""

    def check(block: Block) -> str | None:
        if _holds(block, when, defaults) is not True:
            return None
        if is_set(block, first) is True and is_set(block, second) is True:
            return f"sets both {first} and {second}{_when_text(block, when, defaults)}"
        return None

    return check


def required(path: str, *, when: Condition, **defaults: Any) -> Predicate:
    """``path`` must be set ``when`` the condition holds."""

    def check(block: Block) -> str | None:
        if _holds(block, when, defaults) is True and is_set(block, path) is False:
            return f"does not set {path}{_when_text(block, when, defaults)}"
        return None

    return check


def forbidden(path: str, *, when: Condition, **defaults: Any) -> Predicate:
    """``path`` must not be set ``when`` the condition holds."""

    def check(block: Block) -> str | None:
        if _holds(block, when, defaults) is True and is_set(block, path) is True:
            return f"sets {path}{_when_text(block, when, defaults)}"
        return None

    return check


def at_least(
    path: str, minimum: float, *, when: Condition | None = None, **defaults: Any
) -> Predicate:
    def check(block: Block) -> str | None:
        if _holds(block, when, defaults) is not True:
            return None
        value = number(read(block, path, defaults.get(path)))
        if value is not None and value < minimum:
            limit = f"below the minimum {_fmt(minimum)}"
            return f"{path} is {_fmt(value)}, {limit}{_when_text(block, when, defaults)}"
        return None

    return check


def at_most(
    path: str, maximum: float, *, when: Condition | None = None, **defaults: Any
) -> Predicate:
    def check(block: Block) -> str | None:
        if _holds(block, when, defaults) is not True:
            return None
        value = number(read(block, path, defaults.get(path)))
        if value is not None and value > maximum:
            limit = f"above the maximum {_fmt(maximum)}"
            return f"{path} is {_fmt(value)}, {limit}{_when_text(block, when, defaults)}"
        return None

    return check


def less_than(
    smaller: str,
    larger: str,
    *,
    or_equal: bool = False,
    when: Condition | None = None,
    **defaults: Any,
) -> Predicate:
    """``smaller`` < ``larger`` (``<=`` with ``or_equal``); absent values take ``defaults``."""

    def check(block: Block) -> str | None:
        if _holds(block, when, defaults) is not True:
            return None
        low = number(read(block, smaller, defaults.get(smaller)))
        high = number(read(block, larger, defaults.get(larger)))
        if low is None or high is None:
            return None
        if low > high or (low == high and not or_equal):
            relation = "at most" if or_equal else "less than"
            return (
                f"{smaller} ({_fmt(low)}) must be {relation} {larger} ({_fmt(high)})"
                f"{_when_text(block, when, defaults)}"
            )
        return None

    return check


def ordered(low: str, middle: str, high: str, **defaults: Any) -> Predicate:
    """``low <= middle <= high``, checked pairwise so the message names the two that disagree."""
    checks = (
        less_than(low, high, or_equal=True, **defaults),
        less_than(low, middle, or_equal=True, **defaults),
        less_than(middle, high, or_equal=True, **defaults),
    )

    def check(block: Block) -> str | None:
        return next((p for p in (c(block) for c in checks) if p), None)

    return check


def ratio_at_most(
    numerator: str,
    denominator: str,
    ratio: float,
    *,
    when: Condition | None = None,
    **defaults: Any,
) -> Predicate:
    """``numerator / denominator`` must not exceed ``ratio``."""

    def check(block: Block) -> str | None:
        if _holds(block, when, defaults) is not True:
            return None
        top = number(read(block, numerator, defaults.get(numerator)))
        bottom = number(read(block, denominator, defaults.get(denominator)))
        if top is None or not bottom:
            return None
        if top / bottom > ratio:
            return (
                f"{numerator} / {denominator} = {_fmt(top)} / {_fmt(bottom)} is above "
                f"the maximum ratio {_fmt(ratio)}{_when_text(block, when, defaults)}"
            )
        return None

    return check


def matches(
    path: str,
    check_value: Callable[[str], str | None],
    *,
    when: Condition | None = None,
    **defaults: Any,
) -> Predicate:
    """A known string at ``path`` passes ``check_value`` (which returns the problem or None).

    A string that still holds a Terraform interpolation (``${...}``) is not judged.
    """

    def check(block: Block) -> str | None:
        if _holds(block, when, defaults) is not True:
            return None
        value = read(block, path, defaults.get(path))
        if not isinstance(value, str) or "${" in value:
            return None
        problem = check_value(value)
        return f"{path} {problem}{_when_text(block, when, defaults)}" if problem else None

    return check


def pattern(regex: str, describe: str) -> Callable[[str], str | None]:
    """A ``matches`` checker: the whole value must match ``regex``."""
    compiled = re.compile(regex)
    return lambda value: None if compiled.fullmatch(value) else describe


def forbidden_keys(path: str, keys: Collection[str], *, describe: str) -> Predicate:
    """The map at ``path`` must not use any of ``keys`` (exact names)."""

    def check(block: Block) -> str | None:
        mapping = get_path(block, path, default=None)
        if not isinstance(mapping, Mapping):
            return None
        used = sorted(k for k in mapping if k in keys)
        return f"{path} uses {describe}: {', '.join(used)}" if used else None

    return check


def custom(function: Callable[[Block], str | None]) -> Predicate:
    """An arbitrary predicate; it must return None for anything UNKNOWN."""
    return function


# -- rows ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Row:
    id: str
    title: str
    service: str
    failure_class: str
    resource_types: tuple[str, ...]
    predicate: Predicate
    error: str  # the real AWS error text, as users reported it
    source: str  # URL of a thread or page showing that error or stating the fact
    why: str  # a paragraph for the doc
    fix: str  # a sentence for the doc and the message
    failing: Mapping[str, Any]  # values of resource_types[0] that fail
    passing: Mapping[str, Any]  # the same resource, fixed
    scope: tuple[str, ...] = ()  # nested blocks to descend into, e.g. ("rule", "transition")
    severity: Severity = Severity.ERROR
    more_failing: tuple[Mapping[str, Any], ...] = ()
    more_passing: tuple[Mapping[str, Any], ...] = ()
    extra_sources: tuple[str, ...] = field(default=())

    def scoped_blocks(self, values: Block) -> Iterator[tuple[str, Block]]:
        """(label, block) for each block the predicate judges; unknown blocks are skipped."""
        found: list[tuple[str, Block]] = [("", values)]
        for key in self.scope:
            deeper = []
            for label, parent in found:
                for index, child in blocks(parent, key):
                    deeper.append((f"{label}{key}[{index}].", child))
            found = deeper
        return iter(found)


ROWS: dict[str, Row] = {}
ROW_MODULES: dict[str, str] = {}  # row ID -> the module that registered it (for its doc)


def _problems(row: Row, values: Block) -> Iterator[tuple[str, str]]:
    for label, block in row.scoped_blocks(values):
        problem = row.predicate(block)
        if problem:
            yield label, problem


def _check_for(row: Row) -> Callable[[Document], Iterator[Violation]]:
    def check(document: Document) -> Iterator[Violation]:
        for resource in document.of_type(*row.resource_types):
            if not creates_or_updates(resource):
                continue
            accepted: set[tuple[str, str]] = set()
            if "update" in resource.actions and isinstance(resource.before, Mapping):
                # A plan's "after" carries computed values from the current state: a problem
                # the existing object already has was accepted by AWS, so it is not news.
                accepted = set(_problems(row, resource.before))
            for label, problem in _problems(row, resource.values):
                if (label, problem) not in accepted:
                    yield Violation(
                        address=resource.address,
                        resource=resource,
                        message=(
                            f"{label}{problem}; AWS rejects it at apply ({row.error}). {row.fix}"
                        ),
                    )

    check.__name__ = f"table_row_{row.id}"
    check.__doc__ = row.title
    return check


def register(*rows: Row) -> None:
    """Register each row as a rule (same ID, title, severity, service, class, source)."""
    module = sys._getframe(1).f_globals.get("__name__", __name__)
    for row in rows:
        if row.id in ROWS:
            raise ValueError(f"duplicate table row {row.id}")
        ROWS[row.id] = row
        ROW_MODULES[row.id] = module
        rule(
            id=row.id,
            title=row.title,
            severity=row.severity,
            resource_types=row.resource_types,
            service=row.service,
            failure_class=row.failure_class,
            source=row.source,
        )(_check_for(row))
