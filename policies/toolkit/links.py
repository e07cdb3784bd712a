"""Following a link from one resource to another, only when the link is certain.

CDKTF writes a link as a token the loader keeps in ``Resource.references``; a literal name or
ID links only when exactly one resource has it. Cross-resource rules resolve literal names and
IDs (a queue URL, a subnet ID) through ``resources_with``: a scan per link is quadratic on a
10,000-resource plan, so the index of the document being checked is built once and kept until
the next document arrives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Resource, get_path
from policies.toolkit.values import blocks, text

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


def linked_resource(
    document: Document,
    resource: Resource,
    *,
    path: str,
    target_types: tuple[str, ...],
    name_attribute: str,
) -> Resource | None:
    """The resource that ``resource.<path>`` points at, or None unless that is certain.

    CDKTF writes the link as a token the loader keeps in ``Resource.references``; a literal name
    links only when exactly one resource of ``target_types`` has that known name.
    """
    address = resource.reference(path)
    if address is not None:
        target = document.resource(address)
        return target if target is not None and target.type in target_types else None
    literal = text(get_path(resource.values, path))
    if literal is None:
        return None
    # ECS and friends accept an ARN where a name is expected: compare the final name segment.
    name = literal.rsplit("/", 1)[-1] if literal.startswith("arn:") else literal
    matches = [
        candidate
        for candidate in document.of_type(*target_types)
        if text(candidate.values.get(name_attribute)) == name
    ]
    return matches[0] if len(matches) == 1 else None


class Unresolved(Exception):
    """A link that cannot be followed with certainty; the rule must stay silent."""


def resources_linked_to(
    document: Document,
    target: Resource,
    *,
    source_type: str,
    path: str,
    name_attribute: str,
) -> list[Resource]:
    """Every ``source_type`` resource whose ``path`` points at ``target``.

    Raises ``Unresolved`` when any such resource's link cannot be resolved, because then the
    answer "none point at it" would be a guess.
    """
    target_name = text(target.values.get(name_attribute))
    found = []
    for source in document.of_type(source_type):
        address = source.reference(path)
        if address is not None:
            if address == target.address:
                found.append(source)
            continue
        literal = text(get_path(source.values, path))
        if literal is None or target_name is None:
            raise Unresolved(source.address)
        if literal.rsplit("/", 1)[-1] == target_name:
            found.append(source)
    return found


def referenced(document: Document, resource: Resource, path: str) -> Resource | None:
    """The resource ``resource.<path>`` references by a token, or None."""
    address = resource.reference(path)
    return document.resource(address) if address else None


def single_by_name(document: Document, type_: str, attribute: str, name: str) -> Resource | None:
    """The one ``type_`` resource whose known ``attribute`` is ``name``; None unless exactly one."""
    found = [r for r in document.of_type(type_) if text(r.values.get(attribute)) == name]
    return found[0] if len(found) == 1 else None


def link_by_last_segment(
    document: Document, resource: Resource, path: str, target: str, name_attribute: str
) -> Resource | None:
    """A reference, or a literal ARN / URL / name whose last segment names exactly one target."""
    address = resource.reference(path)
    if address is not None:
        found = document.resource(address)
        return found if found is not None and found.type == target else None
    literal = text(_plain(resource.values, path))
    if literal is None:
        return None
    name = re.split(r"[:/]", literal)[-1]
    matches = resources_with(document, (target,), name_attribute, name)
    return matches[0] if len(matches) == 1 else None


def _plain(values: Mapping[str, Any], path: str) -> Any:
    """The value at ``path`` with list indexes taken literally (no one-element shortcut)."""
    current: Any = values
    for part in path.split("."):
        if isinstance(current, list):
            current = current[int(part)] if part.isdigit() and int(part) < len(current) else None
        elif isinstance(current, Mapping):
            current = current.get(part)
        else:
            return None
    return current


OWNERSHIP = "aws_s3_bucket_ownership_controls"


def bucket_ownership(
    document: Document, bucket: Resource
) -> tuple[list[Resource], list[Any]] | None:
    """The ownership controls of ``bucket`` and their ``object_ownership`` values (as written,
    UNKNOWN included); None when some ownership controls' bucket link cannot be resolved."""
    try:
        controls = resources_linked_to(
            document, bucket, source_type=OWNERSHIP, path="bucket", name_attribute="bucket"
        )
    except Unresolved:
        return None
    settings = [
        rule_block.get("object_ownership")
        for control in controls
        for _, rule_block in blocks(control.values, "rule")
    ]
    return controls, settings


SUBNET = "aws_subnet"


def subnet_zones(document: Document, resource: Resource, path: str) -> list[str] | None:
    """The AZ (name or ID) of each subnet in ``resource.<path>``; None unless all are certain."""
    raw = resource.values.get(path)
    if raw is UNKNOWN or not isinstance(raw, list):
        return None
    zones: list[tuple[str, str]] = []
    for index, item in enumerate(raw):
        subnet: Resource | None = None
        if item is UNKNOWN:
            address = resource.reference(f"{path}.{index}")
            subnet = document.resource(address) if address else None
        elif isinstance(item, str):
            found = resources_with(document, (SUBNET,), "id", item)
            subnet = found[0] if len(found) == 1 else None
        if subnet is None or subnet.type != SUBNET:
            return None
        zone = text(subnet.values.get("availability_zone"))
        kind = "name"
        if zone is None:
            zone, kind = text(subnet.values.get("availability_zone_id")), "id"
        if zone is None:
            return None
        zones.append((kind, zone))
    if len({kind for kind, _ in zones}) > 1:
        return None  # names and IDs do not compare
    return [zone for _, zone in zones]
