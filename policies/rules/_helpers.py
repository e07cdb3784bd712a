"""Small readers shared by the rules: three-valued answers so no rule guesses about UNKNOWN.

Every question a rule asks of a value has three answers: yes, no, or "cannot tell" (None).
Rules report only on a definite answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Resource, Severity, as_blocks, get_path, is_known


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


def is_set(resource: Resource, path: str) -> bool | None:
    """Whether the attribute at ``path`` holds a value: True, False, or None when unknown.

    A token that references another resource's attribute counts as set: the loader replaced it
    with UNKNOWN but kept the reference, and a resource attribute such as an id is never null.
    """
    value = get_path(resource.values, path)
    if value is UNKNOWN:
        return True if resource.reference(path) else None
    if isinstance(value, str):
        return value != ""
    if isinstance(value, list | tuple | Mapping):
        return len(value) > 0
    return value is not None


def number(value: Any) -> int | None:
    """An integer from a JSON number or numeric string, else None."""
    if isinstance(value, bool) or not is_known(value):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


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


def by_environment(
    document: Document, *, prod: Severity = Severity.ERROR, other: Severity = Severity.WARNING
) -> Severity:
    """Severity that depends on the environment; an unnamed environment is treated as prod."""
    if document.environment is None or document.is_production:
        return prod
    return other


def region_of(document: Document, resource: Resource) -> str | None:
    """The known region a resource is created in (its own, else its provider's), or None."""
    if text(resource.region):
        return resource.region
    provider = document.provider_for(resource)
    if provider is None:
        return None
    return text(provider.config.get("region"))


def provider_default_tags(document: Document, resource: Resource) -> Mapping[str, Any] | None:
    """Tag keys the resource's provider adds; {} when it sets none; None when unknown."""
    provider = document.provider_for(resource)
    if provider is None:
        return {}
    default_tags = provider.config.get("default_tags")
    if default_tags is None:
        return {}
    tags = get_path(default_tags, "tags", default={})
    if tags is UNKNOWN or not isinstance(tags, Mapping):
        return None if tags is UNKNOWN or default_tags is UNKNOWN else {}
    return tags


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


def creates_or_changes(resource: Resource, attribute: str) -> bool:
    """For plans: is ``attribute`` being set on a new object or changed on an existing one?"""
    if not resource.actions:
        return True  # a config document: everything in it is about to be applied
    if "create" in resource.actions:
        return True
    if "update" in resource.actions and resource.before is not None:
        return resource.before.get(attribute) != resource.values.get(attribute)
    return False
