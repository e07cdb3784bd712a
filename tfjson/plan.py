"""``terraform show -json <planfile>`` output as typed, read-only objects: the one plan reader.

``policies`` turns these into rule documents; ``pipeline`` renders them. Only the parts those
need are modelled. Anything that is not a plan (a synthesized
``cdk.tf.json``, a state, a binary plan file, a truncated download) is rejected here with a
one-line ``InputError``, so no command ever reports "no changes" for a file it did not understand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from tfjson.actions import action_of, reason_text
from tfjson.kind import require_plan
from tfjson.reader import InputError, load_json
from tfjson.values import merge_unknown


class Change(NamedTuple):
    actions: tuple[str, ...]
    before: Any
    after: Any
    after_unknown: Any
    before_sensitive: Any
    after_sensitive: Any

    @property
    def action(self) -> str:
        return action_of(self.actions)

    @property
    def after_values(self) -> Any:
        """``after`` with the parts known only after apply replaced by ``UNKNOWN``."""
        return merge_unknown(self.after, self.after_unknown)


class ResourceChange(NamedTuple):
    address: str
    mode: str
    type: str
    name: str
    provider_name: str
    change: Change
    action_reason: str | None = None
    replace_paths: tuple[tuple[str | int, ...], ...] = ()
    previous_address: str | None = None
    importing: bool = False

    @property
    def action(self) -> str:
        return self.change.action

    @property
    def reason_text(self) -> str | None:
        return reason_text(self.action_reason)


class OutputChange(NamedTuple):
    name: str
    change: Change
    sensitive: bool


class Plan(NamedTuple):
    source: str
    format_version: str
    terraform_version: str | None  # None when the plan does not say
    resource_changes: tuple[ResourceChange, ...]
    resource_drift: tuple[ResourceChange, ...]
    output_changes: tuple[OutputChange, ...]
    errored: bool
    complete: bool
    # The ``configuration`` section as written (provider blocks, declared resources and their
    # expressions); only the policy pack reads it.
    configuration: dict[str, Any]


def load_plan(path: Path | str) -> Plan:
    """A plan from a file, or from standard input when ``path`` is ``-``."""
    data, _ = load_json(path)
    return parse_plan(data, source="<stdin>" if str(path) == "-" else str(path))


def parse_plan(data: Any, *, source: str) -> Plan:
    """The plan in ``data``; anything that is not a plan is an InputError saying what it is."""
    require_plan(data, source=source)
    return plan_of(data, source=source)


def plan_of(data: dict[str, Any], *, source: str) -> Plan:
    """The plan in ``data``, which ``tfjson.kind.document_kind`` has already called a plan.

    For callers that decide the kind themselves (the policy loader reads configurations and
    plans alike), so the kind is decided once.
    """
    outputs_sensitive = _sensitive_output_names(data)
    return Plan(
        source=source,
        format_version=str(data["format_version"]),
        terraform_version=version
        if isinstance(version := data.get("terraform_version"), str)
        else None,
        resource_changes=_resource_changes(data, "resource_changes", source=source),
        resource_drift=_resource_changes(data, "resource_drift", source=source),
        output_changes=tuple(
            OutputChange(
                name=name,
                change=_change(raw, source=source, where=f"output_changes.{name}"),
                sensitive=name in outputs_sensitive,
            )
            for name, raw in sorted(_object(data, "output_changes", source=source).items())
        ),
        errored=data.get("errored") is True,
        complete=data.get("complete", True) is not False,
        configuration=_object(data, "configuration", source=source),
    )


def _sensitive_output_names(data: dict[str, Any]) -> set[str]:
    """Outputs marked sensitive anywhere: planned values, configuration or the change itself."""
    names: set[str] = set()
    planned = data.get("planned_values")
    if isinstance(planned, dict) and isinstance(planned.get("outputs"), dict):
        names |= {
            n for n, o in planned["outputs"].items() if isinstance(o, dict) and o.get("sensitive")
        }
    config = data.get("configuration")
    root = config.get("root_module") if isinstance(config, dict) else None
    if isinstance(root, dict) and isinstance(root.get("outputs"), dict):
        names |= {
            n for n, o in root["outputs"].items() if isinstance(o, dict) and o.get("sensitive")
        }
    changes = data.get("output_changes")
    if isinstance(changes, dict):
        names |= {
            n
            for n, c in changes.items()
            if isinstance(c, dict)
            and (c.get("before_sensitive") is True or c.get("after_sensitive") is True)
        }
    return names


def _object(data: dict[str, Any], key: str, *, source: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{source}: '{key}' must be an object, got {type(value).__name__}")
    return value


def _resource_changes(data: dict[str, Any], key: str, *, source: str) -> tuple[ResourceChange, ...]:
    entries = data.get(key)
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise InputError(f"{source}: '{key}' must be a list, got {type(entries).__name__}")
    return tuple(
        _resource_change(entry, source=source, where=f"{key}[{i}]")
        for i, entry in enumerate(entries)
    )


def _resource_change(entry: Any, *, source: str, where: str) -> ResourceChange:
    if not isinstance(entry, dict) or not isinstance(entry.get("address"), str):
        raise InputError(f"{source}: {where} is not a resource change (no address)")
    address = entry["address"]
    # Terraform writes replace_paths inside "change"; older fixtures put it beside it.
    change = entry.get("change")
    nested = change.get("replace_paths") if isinstance(change, dict) else None
    replace_paths = nested or entry.get("replace_paths") or []
    if not isinstance(replace_paths, list) or not all(
        isinstance(p, list) and all(isinstance(step, str | int) for step in p)
        for p in replace_paths
    ):
        raise InputError(f"{source}: {address}: replace_paths must be a list of paths")
    return ResourceChange(
        address=address,
        mode=str(entry.get("mode", "managed")),
        type=str(entry.get("type", "")),
        name=str(entry.get("name", "")),
        provider_name=str(entry.get("provider_name", "")),
        change=_change(entry.get("change"), source=source, where=address),
        action_reason=entry.get("action_reason")
        if isinstance(entry.get("action_reason"), str)
        else None,
        replace_paths=tuple(tuple(step for step in p) for p in replace_paths),
        previous_address=entry.get("previous_address")
        if isinstance(entry.get("previous_address"), str)
        else None,
        importing=isinstance(entry.get("change"), dict)
        and entry["change"].get("importing") is not None,
    )


def _change(raw: Any, *, source: str, where: str) -> Change:
    if not isinstance(raw, dict):
        raise InputError(f"{source}: {where}: 'change' must be an object")
    actions = raw.get("actions")
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise InputError(f"{source}: {where}: change.actions must be a list of strings")
    return Change(
        actions=tuple(actions),
        before=raw.get("before"),
        after=raw.get("after"),
        after_unknown=raw.get("after_unknown"),
        # Plans older than format 0.2 carry no sensitivity trees; nothing can be masked there.
        before_sensitive=raw.get("before_sensitive"),
        after_sensitive=raw.get("after_sensitive"),
    )
