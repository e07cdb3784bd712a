"""Lookups by a known attribute value, built once per document instead of a scan per link.

Cross-resource rules resolve literal names and IDs (a queue URL, a subnet ID) to resources; a
scan per link is quadratic on a 10,000-resource plan. The index of the document being checked
is kept until the next document arrives.
"""

from __future__ import annotations

from typing import Any

from policies.model import Document, Resource

_cache: dict[str, Any] = {"document": None, "indexes": {}}


def resources_with(
    document: Document, types: tuple[str, ...], attribute: str, value: str
) -> list[Resource]:
    """The managed resources of ``types`` whose known string ``attribute`` equals ``value``."""
    if _cache["document"] is not document:
        _cache["document"] = document
        _cache["indexes"] = {}
    key = (types, attribute)
    index = _cache["indexes"].get(key)
    if index is None:
        index = {}
        for resource in document.of_type(*types):
            found = resource.values.get(attribute)
            if isinstance(found, str) and found:
                index.setdefault(found, []).append(resource)
        _cache["indexes"][key] = index
    return index.get(value, [])
