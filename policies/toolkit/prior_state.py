"""What already exists before a plan applies, and which resource uses which: from ``prior_state``.

A plan's ``prior_state`` holds every resource Terraform manages (and the data sources it read),
with the values AWS returned at refresh. Plan-time rules ask it who uses an object that the
plan replaces or deletes: which listener forwards to a target group, which network interface
or other group's rule holds a security group, which cluster uses a parameter group. The answer
comes from IDs, ARNs and names in those values, not from Terraform addresses, so a user that
names the object by a literal ID, a variable or a remote state value is found as well.

Only what Terraform manages is here. A user Terraform does not manage (an ECS task's network
interface, a listener in another stack) is invisible; rules say what to check instead of
guessing.

The index of values is built once per plan, on first use, in one pass over the prior state
(linear in its size); a plan with no replacement to look up never builds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

# Identifiers, ARNs and names are short; longer strings (policy documents, user data, PEM
# bodies) are never what a relation is made of and would only fill the index.
_MAX_INDEXED_LENGTH = 2048


@dataclass(frozen=True, kw_only=True)
class PriorResource:
    """One resource of the prior state, as refreshed before the plan."""

    address: str
    type: str
    mode: str  # "managed" | "data"
    values: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class Use:
    """``user`` holds the looked-up identifier at ``path`` (dotted, list positions left out)."""

    user: PriorResource
    path: str


@dataclass(frozen=True, kw_only=True)
class PriorState:
    resources: tuple[PriorResource, ...] = ()
    # The values rules will look up: the identifiers of what the plan deletes (see
    # ``deleted_identifiers``). Only leaves holding one of them are indexed, so a plan that
    # deletes nothing pays nothing. None indexes every short string (and so does a lookup of
    # anything outside the set, correctly if more slowly).
    wanted: frozenset[str] | None = None

    @classmethod
    def from_plan(
        cls, plan: Mapping[str, Any], *, wanted: frozenset[str] | None = None
    ) -> PriorState | None:
        """The plan's prior state; None when the plan has none (a plan of an empty state)."""
        prior = plan.get("prior_state")
        if not isinstance(prior, Mapping):
            return None
        values = prior.get("values")
        root = values.get("root_module") if isinstance(values, Mapping) else None
        if not isinstance(root, Mapping):
            return cls(wanted=wanted)
        return cls(resources=tuple(_module_resources(root)), wanted=wanted)

    def resource(self, address: str) -> PriorResource | None:
        position = self._by_address.get(address)
        return None if position is None else self.resources[position]

    def users_of(
        self,
        identifiers: Iterable[Any],
        *,
        paths: Iterable[str],
        types: Iterable[str] | None = None,
        exclude: str | None = None,
    ) -> list[Use]:
        """Managed resources holding one of ``identifiers`` at one of ``paths``.

        A path matches a value's dotted path when it is that path or its last steps
        (``"target_group.arn"`` matches ``default_action.forward.target_group.arn``).
        ``types`` limits the users' types; ``exclude`` leaves one address out (the object
        itself: a group whose own rules name it).
        """
        wanted = tuple(paths)
        allowed = None if types is None else frozenset(types)
        keys = [i for i in identifiers if isinstance(i, str) and i]
        covered = self.wanted is not None and all(key in self.wanted for key in keys)
        index = self._wanted_index if covered else self._full_index
        found: list[Use] = []
        seen: set[tuple[str, str]] = set()
        for identifier in keys:
            for position, path in index.get(identifier, ()):
                user = self.resources[position]
                if user.mode != "managed" or user.address == exclude:
                    continue
                if allowed is not None and user.type not in allowed:
                    continue
                if not any(path == p or path.endswith("." + p) for p in wanted):
                    continue
                key = (user.address, path)
                if key not in seen:
                    seen.add(key)
                    found.append(Use(user=user, path=path))
        return found

    @cached_property
    def _by_address(self) -> dict[str, int]:
        return {resource.address: i for i, resource in enumerate(self.resources)}

    @cached_property
    def _wanted_index(self) -> dict[str, list[tuple[int, str]]]:
        return self._build_index(self.wanted or frozenset())

    @cached_property
    def _full_index(self) -> dict[str, list[tuple[int, str]]]:
        return self._build_index(None)

    def _build_index(self, wanted: frozenset[str] | None) -> dict[str, list[tuple[int, str]]]:
        """String value -> (resource position, dotted path), in one pass over the values."""
        index: dict[str, list[tuple[int, str]]] = {}
        if wanted is not None and not wanted:
            return index
        for position, resource in enumerate(self.resources):
            if resource.mode != "managed":
                continue
            for path, value in _string_leaves(resource.values, wanted):
                index.setdefault(value, []).append((position, path))
        return index


def deleted_identifiers(befores: Iterable[Mapping[str, Any] | None]) -> frozenset[str]:
    """The short top-level strings (id, arn, name, ...) of the objects a plan deletes: what
    plan-time rules look their users up by (an S3 bucket's ARN form included)."""
    found: set[str] = set()
    for before in befores:
        if not isinstance(before, Mapping):
            continue
        for value in before.values():
            if isinstance(value, str) and value and len(value) <= _MAX_INDEXED_LENGTH:
                found.add(value)
        bucket = before.get("bucket")
        if isinstance(bucket, str) and bucket:
            found.add(f"arn:aws:s3:::{bucket}")
    return frozenset(found)


def _module_resources(module: Mapping[str, Any]) -> Iterator[PriorResource]:
    stack = [module]
    while stack:
        current = stack.pop()
        for entry in current.get("resources") or ():
            if not isinstance(entry, Mapping):
                continue
            address, resource_type = entry.get("address"), entry.get("type")
            values = entry.get("values")
            if not isinstance(address, str) or not isinstance(resource_type, str):
                continue
            yield PriorResource(
                address=address,
                type=resource_type,
                mode="data" if entry.get("mode") == "data" else "managed",
                values=values if isinstance(values, Mapping) else {},
            )
        children = current.get("child_modules")
        if isinstance(children, list):
            stack.extend(reversed([c for c in children if isinstance(c, Mapping)]))


def _string_leaves(
    values: Mapping[str, Any], wanted: frozenset[str] | None
) -> Iterator[tuple[str, str]]:
    """(dotted path without list positions, string) for each short string below ``values``
    (only those in ``wanted`` when it is given); paths are only joined for leaves kept."""
    stack: list[tuple[str, Any]] = [("", values)]
    while stack:
        prefix, value = stack.pop()
        if isinstance(value, Mapping):
            for key, child in value.items():
                if isinstance(child, str):
                    if child and (
                        child in wanted if wanted is not None else len(child) <= _MAX_INDEXED_LENGTH
                    ):
                        yield (f"{prefix}.{key}" if prefix else str(key)), child
                elif isinstance(child, (Mapping, list)):
                    stack.append((f"{prefix}.{key}" if prefix else str(key), child))
        elif isinstance(value, list):
            for child in value:
                if isinstance(child, str):
                    if child and (
                        child in wanted if wanted is not None else len(child) <= _MAX_INDEXED_LENGTH
                    ):
                        yield prefix, child
                elif isinstance(child, (Mapping, list)):
                    stack.append((prefix, child))
