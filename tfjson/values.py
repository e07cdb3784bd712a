"""Unknown and sensitive values: one sentinel, one merge of ``after_unknown``, one mask.

``UNKNOWN`` stands for a value known only after apply: a CDKTF token such as
``${aws_kms_key.x.arn}`` in a configuration, or a leaf that a plan's ``after_unknown`` marks.
Code that decides (the policy rules) must treat it as "cannot tell"; code that displays
(``mask``) shows it as ``(known after apply)``.

Terraform writes the real value of every sensitive attribute next to a parallel tree
(``before_sensitive`` / ``after_sensitive``) marking which parts are sensitive. Nothing may
display a value from a plan without passing it through ``mask``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class _Unknown:
    """Singleton for a value that is only known after apply."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        # Truthiness of an unknown value is a guess; force callers to check with is_known().
        raise TypeError("UNKNOWN has no truth value; check is_known() first")

    def __reduce__(self) -> str:
        return "UNKNOWN"  # copies and pickles stay the singleton


UNKNOWN: Any = _Unknown()


class Placeholder(str):
    """Text shown instead of a value; a ``str`` so JSON and Markdown output need no special case."""

    __slots__ = ()


SENSITIVE = Placeholder("(sensitive)")
KNOWN_AFTER_APPLY = Placeholder("(known after apply)")


def is_known(value: Any) -> bool:
    """True when ``value`` is fully known (no UNKNOWN anywhere inside it)."""
    if value is UNKNOWN:
        return False
    if isinstance(value, Mapping):
        return all(is_known(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(is_known(v) for v in value)
    return True


_MISSING = object()


def get_path(values: Any, path: str, default: Any = None) -> Any:
    """Read ``a.b.0.c`` from nested dicts and lists; returns UNKNOWN if an unknown is crossed.

    Terraform JSON writes nested blocks either as an object or as a one-element list, so a
    dict step into a list of exactly one element is taken as that element.
    """
    current = values
    for part in path.split("."):
        if current is UNKNOWN:
            return UNKNOWN
        if isinstance(current, list) and not part.isdigit():
            if len(current) != 1:
                return default
            current = current[0]
            if current is UNKNOWN:
                return UNKNOWN  # a block list whose only element is unknown: cannot tell
        if isinstance(current, Mapping):
            current = current.get(part, _MISSING)
        elif isinstance(current, list) and part.isdigit():
            index = int(part)
            current = current[index] if index < len(current) else _MISSING
        else:
            return default
        if current is _MISSING:
            return default
    return current


def as_blocks(value: Any) -> list[Any]:
    """Nested blocks as a list whether written as one object, a list of objects, or absent."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def merge_unknown(after: Any, unknown: Any) -> Any:
    """``after`` with every part that ``after_unknown`` marks true replaced by UNKNOWN.

    Keys that are unknown as a whole are often absent from ``after``; they are added. Either
    list may be the longer one, because Terraform omits trailing known or absent elements.
    """
    if unknown is True:
        return UNKNOWN
    if not unknown:
        return after  # {} / [] / false / null: nothing unknown below, and null stays null
    if isinstance(unknown, dict):
        merged = dict(after) if isinstance(after, dict) else {}
        for key, marker in unknown.items():
            if marker or key in merged:
                merged[key] = merge_unknown(merged.get(key), marker)
        return merged
    if isinstance(unknown, list):
        items = after if isinstance(after, list) else []
        return [
            merge_unknown(
                items[index] if index < len(items) else None,
                unknown[index] if index < len(unknown) else None,
            )
            for index in range(max(len(items), len(unknown)))
        ]
    return after


def sensitivity_child(tree: Any, step: str | int) -> Any:
    """The part of a sensitivity tree that covers ``step``; ``True`` covers everything below."""
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
    """``value`` safe to display: sensitive parts become ``(sensitive)``, unknown parts
    ``(known after apply)``.

    ``unknown`` is an ``after_unknown`` tree, merged first; ``value`` may also already hold
    UNKNOWN. A sensitive null stays null: its absence is not a secret.
    """
    return _mask(merge_unknown(value, unknown), sensitive)


def _mask(value: Any, sensitive: Any) -> Any:
    if sensitive is True:
        return None if value is None else SENSITIVE
    if value is UNKNOWN:
        return KNOWN_AFTER_APPLY
    if isinstance(value, dict):
        return {key: _mask(item, sensitivity_child(sensitive, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask(item, sensitivity_child(sensitive, i)) for i, item in enumerate(value)]
    return value
