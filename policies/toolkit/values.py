"""Three-valued readers: every question a rule asks of a value is answered yes, no, or
"cannot tell" (None), and rules report only on a definite answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Resource, as_blocks, get_path, is_known

_ABSENT = object()


def flag(value: Any) -> bool | None:
    """A Terraform bool (JSON may carry ``"true"``/``"false"`` strings): True, False or None."""
    if not is_known(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def text(value: Any) -> str | None:
    """A known, non-empty string, else None (absent, empty, unknown or not a string)."""
    if isinstance(value, str) and value:
        return value
    return None


def number(value: Any, *, whole: bool = False) -> int | float | None:
    """A known JSON number or numeric string, else None (bools are not numbers).

    ``whole``: only an integer counts (``5``, ``5.0``, ``"5"``, ``" -5 "``); ``1.5`` and
    ``"1.5"`` are None. Otherwise any number ``float()`` reads from a string counts.
    """
    if isinstance(value, bool) or not is_known(value):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not whole:
            return value
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        if whole:
            stripped = value.strip()
            return int(stripped) if stripped.lstrip("-").isdigit() else None
        try:
            return float(value)
        except ValueError:
            return None
    return None


def read(block: Mapping[str, Any], path: str, default: Any = None) -> Any:
    """The value at ``path``: UNKNOWN when unknown, ``default`` when absent, null or ""."""
    value = get_path(block, path, default=_ABSENT)
    if value is UNKNOWN:
        return UNKNOWN
    if value is _ABSENT or value is None or value == "":
        return default
    return value


def is_set(source: Resource | Mapping[str, Any], path: str) -> bool | None:
    """Whether ``path`` holds a value: True, False, or None when unknown.

    ``source`` is a resource or one block of its values. Empty strings, lists and maps are
    unset (the plan shows an unset argument that way); a list or map with something unknown
    inside is set. On a resource, an unknown that references another resource's attribute
    counts as set: the loader replaced the token with UNKNOWN but kept the reference, and a
    resource attribute such as an id is never null.
    """
    values = source.values if isinstance(source, Resource) else source
    value = get_path(values, path, default=None)
    if value is UNKNOWN:
        if isinstance(source, Resource) and source.reference(path):
            return True
        return None
    if value is None or (isinstance(value, str) and value == ""):
        return False
    if isinstance(value, list | tuple | Mapping):
        return len(value) > 0
    return True


def is_fifo(resource: Resource, flag_attribute: str) -> bool | None:
    """Whether an SQS queue (``fifo_queue``) or SNS topic (``fifo_topic``) is FIFO: its flag,
    else its name's ``.fifo`` suffix; a standard one by the provider default; None if unknown."""
    raw = resource.values.get(flag_attribute)
    if raw is UNKNOWN:
        return None
    value = flag(raw)
    if value is not None:
        return value
    name = resource.values.get("name")
    if name is UNKNOWN:
        return None
    return isinstance(name, str) and name.endswith(".fifo")


def blocks(values: Any, key: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(index, block) for each known nested block under ``key``; unknown blocks are skipped."""
    if not isinstance(values, Mapping):
        return
    raw = values.get(key)
    if raw is UNKNOWN:
        return
    for index, block in enumerate(as_blocks(raw)):
        if isinstance(block, Mapping):
            yield index, block


def first_block(values: Any, key: str) -> Mapping[str, Any] | None:
    return next((block for _, block in blocks(values, key)), None)


# -- what a plan does to a resource ---------------------------------------------------------


def creates_or_updates(resource: Resource) -> bool:
    """Whether AWS is about to receive this object: always in a config; in a plan, only an
    object being created or updated (an unchanged existing object was already accepted by
    AWS, and a deleted one is not sent)."""
    if not resource.actions:
        return True
    return "create" in resource.actions or "update" in resource.actions


def will_exist(resource: Resource) -> bool:
    """Whether the object exists after the apply (kept, created, updated or replaced)."""
    return "delete" not in resource.actions or "create" in resource.actions


def creates_or_changes(resource: Resource, attribute: str) -> bool:
    """For plans: is ``attribute`` being set on a new object or changed on an existing one?"""
    if not resource.actions:
        return True  # a config document: everything in it is about to be applied
    if "create" in resource.actions:
        return True
    if "update" in resource.actions and resource.before is not None:
        return resource.before.get(attribute) != resource.values.get(attribute)
    return False
