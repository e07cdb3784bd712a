"""``terraform show -json <planfile>`` output as typed, read-only objects.

Only the parts the reports need are modelled. Anything that is not a plan (a synthesized
``cdk.tf.json``, a state, a binary plan file, a truncated download) is rejected here with a
one-line ``InputError``, so no command ever reports "no changes" for a file it did not understand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies.jsonio import InputError, read_json, read_json_stdin

STDIN = "-"

# Terraform promises backward-compatible additions within a major format version.
SUPPORTED_FORMAT_MAJORS = ("0", "1")

# Readable text for Terraform's action_reason values (internal/command/jsonplan).
ACTION_REASONS = {
    "replace_because_tainted": "tainted (e.g. an earlier apply failed while creating it)",
    "replace_because_cannot_update": "an argument that cannot be updated in place changed",
    "replace_by_request": "replacement requested with -replace",
    "replace_by_triggers": "replace_triggered_by changed",
    "delete_because_no_resource_config": "removed from the configuration",
    "delete_because_no_module": "its module was removed from the configuration",
    "delete_because_wrong_repetition": "count/for_each was added or removed",
    "delete_because_count_index": "its count index is out of range",
    "delete_because_each_key": "its for_each key no longer exists",
    "delete_because_no_move_target": "the target of its moved block does not exist",
    "read_because_config_unknown": "its configuration depends on values known only after apply",
    "read_because_dependency_pending": "it depends on a resource with pending changes",
    "read_because_check_nested": "it is used in a check block",
}

ACTION_ORDER = ("delete", "replace", "update", "create", "read", "forget", "no-op")


def action_of(actions: tuple[str, ...]) -> str:
    """Terraform's action list as one word; both replacement orders count as ``replace``."""
    if set(actions) == {"delete", "create"} and len(actions) == 2:
        return "replace"
    if len(actions) == 1:
        return actions[0]
    return "+".join(actions) or "no-op"


@dataclass(frozen=True, kw_only=True)
class Change:
    actions: tuple[str, ...]
    before: Any
    after: Any
    after_unknown: Any
    before_sensitive: Any
    after_sensitive: Any

    @property
    def action(self) -> str:
        return action_of(self.actions)


@dataclass(frozen=True, kw_only=True)
class ResourceChange:
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
        if self.action_reason is None:
            return None
        return ACTION_REASONS.get(self.action_reason, self.action_reason)


@dataclass(frozen=True, kw_only=True)
class OutputChange:
    name: str
    change: Change
    sensitive: bool


@dataclass(frozen=True, kw_only=True)
class Plan:
    source: str
    format_version: str
    terraform_version: str
    resource_changes: tuple[ResourceChange, ...]
    resource_drift: tuple[ResourceChange, ...]
    output_changes: tuple[OutputChange, ...]
    errored: bool
    complete: bool


def load_json(path: Path | str) -> Any:
    """JSON from a file, or from standard input when ``path`` is ``-``."""
    if str(path) == STDIN:
        data, _ = read_json_stdin(source="standard input", empty="no JSON received")
    else:
        data, _ = read_json(Path(path))
    return data


def load_plan(path: Path | str) -> Plan:
    return parse_plan(load_json(path), source=str(path))


def parse_plan(data: Any, *, source: str) -> Plan:
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a JSON object from `terraform show -json`")
    if "format_version" not in data:
        if any(key in data for key in ("resource", "terraform", "provider", "//")):
            raise InputError(
                f"{source}: this is Terraform configuration (e.g. cdk.tf.json), not a plan; "
                "pass the output of `terraform show -json tfplan`"
            )
        raise InputError(f"{source}: not a Terraform plan (no format_version)")
    version = str(data["format_version"])
    if version.split(".", maxsplit=1)[0] not in SUPPORTED_FORMAT_MAJORS:
        raise InputError(f"{source}: unsupported plan format_version {version}")
    plan_keys = ("resource_changes", "planned_values", "output_changes", "resource_drift")
    if not any(key in data for key in plan_keys):
        if "values" in data:
            raise InputError(
                f"{source}: this is a Terraform state, not a plan; "
                "pass the output of `terraform show -json tfplan`"
            )
        raise InputError(f"{source}: not a Terraform plan (no planned_values or resource_changes)")
    outputs_sensitive = _sensitive_output_names(data)
    return Plan(
        source=source,
        format_version=version,
        terraform_version=str(data.get("terraform_version", "unknown")),
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
    replace_paths = entry.get("replace_paths") or []
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
