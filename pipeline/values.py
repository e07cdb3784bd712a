"""Sensitive and unknown values, and attribute-level differences between two resource values.

Terraform's JSON output carries the real value of every sensitive attribute next to a parallel
tree (``before_sensitive`` / ``after_sensitive``) that marks which parts are sensitive. Nothing in
this package prints a value without first passing it through ``mask`` or ``diff_attributes``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class Marker(str):
    """A placeholder shown instead of a value; a ``str`` so JSON output needs no special case."""

    __slots__ = ()


SENSITIVE = Marker("(sensitive)")
UNKNOWN = Marker("(known after apply)")

PathStep = str | int
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _child(tree: Any, step: PathStep) -> Any:
    """The part of a sensitivity/unknown tree that covers ``step``; ``True`` covers everything."""
    if tree is True:
        return True
    if isinstance(tree, dict) and isinstance(step, str):
        return tree.get(step)
    if isinstance(tree, list) and isinstance(step, int) and step < len(tree):
        return tree[step]
    return None


def merge_sensitivity(first: Any, second: Any) -> Any:
    """Union of two sensitivity trees: sensitive on either side means masked on both sides.

    Terraform's own renderer does the same, so an attribute that became sensitive does not show
    its old value.
    """
    if first is True or second is True:
        return True
    if isinstance(first, dict) and isinstance(second, dict):
        return {key: merge_sensitivity(first.get(key), second.get(key)) for key in first | second}
    if isinstance(first, list) and isinstance(second, list):
        length = max(len(first), len(second))
        return [
            merge_sensitivity(
                first[i] if i < len(first) else None, second[i] if i < len(second) else None
            )
            for i in range(length)
        ]
    if isinstance(first, dict | list):
        return first
    if isinstance(second, dict | list):
        return second
    return None


def mask(value: Any, sensitive: Any = None, unknown: Any = None) -> Any:
    """``value`` with sensitive parts replaced by SENSITIVE and unknown parts by UNKNOWN."""
    if sensitive is True:
        return None if value is None else SENSITIVE
    if unknown is True:
        return UNKNOWN
    if isinstance(value, dict) or (value is None and isinstance(unknown, dict) and unknown):
        present = value if isinstance(value, dict) else {}
        keys = list(present) + [
            key
            for key, flag in (unknown.items() if isinstance(unknown, dict) else ())
            if key not in present and flag is True
        ]
        return {
            key: mask(present.get(key), _child(sensitive, key), _child(unknown, key))
            for key in keys
        }
    if isinstance(value, list):
        return [
            mask(item, _child(sensitive, index), _child(unknown, index))
            for index, item in enumerate(value)
        ]
    return value


def format_path(path: Sequence[PathStep]) -> str:
    """``("tags", "Name")`` -> ``tags.Name``; ``("rule", 0, "port")`` -> ``rule[0].port``."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        elif _IDENTIFIER.match(step):
            text += f".{step}" if text else step
        else:
            text += f"[{json.dumps(step)}]"
    return text or "(whole value)"


def render(value: Any) -> str:
    """One-line text for a masked value: markers bare, everything else as compact JSON."""
    if isinstance(value, Marker):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True, kw_only=True)
class AttributeChange:
    path: str
    before: Any  # already masked
    after: Any  # already masked

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


def _is_scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)


def diff_attributes(
    before: Any,
    after: Any,
    *,
    sensitive: Any = None,
    unknown: Any = None,
    path: tuple[PathStep, ...] = (),
) -> list[AttributeChange]:
    """Leaf-level changes from ``before`` to ``after``, masked with ``sensitive``/``unknown``.

    A sensitive leaf that changed is reported as ``(sensitive) -> (sensitive)``: the reader
    learns that it changed, never what it was or became.
    """
    if sensitive is True:
        if before == after and unknown is not True:
            return []
        shown_after = UNKNOWN if unknown is True else mask(after, True)
        return [
            AttributeChange(path=format_path(path), before=mask(before, True), after=shown_after)
        ]
    if unknown is True:
        return [
            AttributeChange(path=format_path(path), before=mask(before, sensitive), after=UNKNOWN)
        ]
    # A nested block appearing or disappearing as a whole reads better as one line.
    appears_or_goes = (before is None and isinstance(after, dict)) or (
        after is None and isinstance(before, dict)
    )
    if appears_or_goes and path:
        return _leaf_change(before, after, sensitive=sensitive, unknown=unknown, path=path)
    if isinstance(before, dict) and isinstance(after, dict | None):
        after_map = after or {}
        keys = list(before) + [k for k in after_map if k not in before]
        if isinstance(unknown, dict):
            keys += [k for k, flag in unknown.items() if flag is True and k not in keys]
        changes: list[AttributeChange] = []
        for key in keys:
            changes += diff_attributes(
                before.get(key),
                after_map.get(key),
                sensitive=_child(sensitive, key),
                unknown=_child(unknown, key),
                path=(*path, key),
            )
        return changes
    if before is None and isinstance(after, dict) and not path:
        return diff_attributes({}, after, sensitive=sensitive, unknown=unknown, path=path)
    if (
        isinstance(before, list)
        and isinstance(after, list)
        and len(before) == len(after)
        and not (_is_scalar_list(before) and _is_scalar_list(after))
    ):
        changes = []
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            changes += diff_attributes(
                old,
                new,
                sensitive=_child(sensitive, index),
                unknown=_child(unknown, index),
                path=(*path, index),
            )
        return changes
    return _leaf_change(before, after, sensitive=sensitive, unknown=unknown, path=path)


def _leaf_change(
    before: Any, after: Any, *, sensitive: Any, unknown: Any, path: tuple[PathStep, ...]
) -> list[AttributeChange]:
    masked_before = mask(before, sensitive)
    masked_after = mask(after, sensitive, unknown)
    if before == after and masked_before == masked_after:
        return []
    return [AttributeChange(path=format_path(path), before=masked_before, after=masked_after)]
