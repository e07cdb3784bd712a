"""Shape checks for the document builders: bad input is an InputError, never a traceback."""

from __future__ import annotations

from typing import Any

from tfjson.reader import InputError
from tfjson.values import as_blocks, is_known


def json_object(value: Any, where: str) -> dict[str, Any]:
    """``value`` when it is an object, ``{}`` when absent."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{where}: expected an object, got {_json_type(value)}")
    return value


def blocks(value: Any, where: str) -> list[dict[str, Any]]:
    """A block written as an object or as a list of objects (both are valid Terraform JSON)."""
    found = as_blocks(value)
    for block in found:
        if not isinstance(block, dict):
            raise InputError(f"{where}: expected an object, got {_json_type(block)}")
    return found


def known_str(value: Any) -> str | None:
    return value if isinstance(value, str) and is_known(value) else None


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")
