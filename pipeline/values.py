"""Attribute-level differences between two resource values, and their one-line text.

Masking (sensitive and unknown values) is ``tfjson.values.mask``; nothing in this package prints
a value without first passing it through ``mask`` or ``diff_attributes``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tfjson.values import KNOWN_AFTER_APPLY, UNKNOWN, Placeholder, mask, sensitivity_child

PathStep = str | int
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


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
    """One-line text for a masked value: placeholders bare, everything else as compact JSON."""
    if isinstance(value, Placeholder):
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
    path: tuple[PathStep, ...] = (),
) -> list[AttributeChange]:
    """Leaf-level changes from ``before`` to ``after``, masked with the ``sensitive`` tree.

    ``after`` holds UNKNOWN where the value is known only after apply (``Change.after_values``).
    A sensitive leaf that changed is reported as ``(sensitive) -> (sensitive)``: the reader
    learns that it changed, never what it was or became.
    """
    if sensitive is True:
        if after is not UNKNOWN and before == after:
            return []
        shown_after = KNOWN_AFTER_APPLY if after is UNKNOWN else mask(after, True)
        return [
            AttributeChange(path=format_path(path), before=mask(before, True), after=shown_after)
        ]
    if after is UNKNOWN:
        return [
            AttributeChange(
                path=format_path(path), before=mask(before, sensitive), after=KNOWN_AFTER_APPLY
            )
        ]
    # A nested block appearing or disappearing as a whole reads better as one line.
    appears_or_goes = (before is None and isinstance(after, dict)) or (
        after is None and isinstance(before, dict)
    )
    if appears_or_goes and path:
        return _leaf_change(before, after, sensitive=sensitive, path=path)
    if isinstance(before, dict) and isinstance(after, dict | None):
        after_map = after or {}
        keys = list(before) + [k for k in after_map if k not in before]
        changes: list[AttributeChange] = []
        for key in keys:
            changes += diff_attributes(
                before.get(key),
                after_map.get(key),
                sensitive=sensitivity_child(sensitive, key),
                path=(*path, key),
            )
        return changes
    if before is None and isinstance(after, dict) and not path:
        return diff_attributes({}, after, sensitive=sensitive, path=path)
    if (
        isinstance(before, list)
        and isinstance(after, list)
        and len(before) == len(after)
        and not (_is_scalar_list(before) and _is_scalar_list(after))
    ):
        changes = []
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            changes += diff_attributes(
                old, new, sensitive=sensitivity_child(sensitive, index), path=(*path, index)
            )
        return changes
    return _leaf_change(before, after, sensitive=sensitive, path=path)


def _leaf_change(
    before: Any, after: Any, *, sensitive: Any, path: tuple[PathStep, ...]
) -> list[AttributeChange]:
    masked_before = mask(before, sensitive)
    masked_after = mask(after, sensitive)
    if before == after and masked_before == masked_after:
        return []
    return [AttributeChange(path=format_path(path), before=masked_before, after=masked_after)]
