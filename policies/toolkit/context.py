"""What the document says around a resource: its environment, its region, its default tags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Resource, Severity, get_path
from policies.toolkit.values import text


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
