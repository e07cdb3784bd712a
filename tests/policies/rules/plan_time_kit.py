"""Builders for the plan-time rule tests: a plan Document with a prior state, no loader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from policies.model import Document, Resource
from policies.toolkit.prior_state import PriorResource, PriorState

REPLACE = ("delete", "create")
CREATE_FIRST = ("create", "delete")
DELETE = ("delete",)
UPDATE = ("update",)


def change(
    kit: Any,
    address: str,
    actions: tuple[str, ...],
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None = None,
    *,
    forced_by: str | None = None,
) -> Resource:
    resource_type, name = address.split(".", 1)
    resource = kit.resource(
        resource_type,
        name,
        dict(after if after is not None else before or {}),
        actions=actions,
        before=before,
    )
    return replace(resource, replace_paths=((forced_by,),) if forced_by else ())


def plan(kit: Any, *changes: Resource, prior: Mapping[str, Mapping[str, Any]] | None) -> Document:
    """``prior`` maps address -> refreshed values; None: the plan has no prior state."""
    document = kit.document(*changes, kind="plan")
    if prior is None:
        return document
    resources = tuple(
        PriorResource(address=address, type=address.split(".")[0], mode="managed", values=values)
        for address, values in prior.items()
    )
    return replace(document, prior_state=PriorState(resources=resources))
