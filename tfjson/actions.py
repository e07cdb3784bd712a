"""Terraform's action lists and ``action_reason`` values, in the words every report uses."""

from __future__ import annotations

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

# The order reports list actions in: the most dangerous first.
ACTION_ORDER = ("delete", "replace", "update", "create", "read", "forget", "no-op")


def reason_text(action_reason: str | None) -> str | None:
    """The words for an ``action_reason``; an unlisted (newer) reason is shown as it is."""
    if action_reason is None:
        return None
    return ACTION_REASONS.get(action_reason, action_reason)


def action_of(actions: tuple[str, ...]) -> str:
    """Terraform's action list as one word; both replacement orders count as ``replace``."""
    if set(actions) == {"delete", "create"} and len(actions) == 2:
        return "replace"
    if len(actions) == 1:
        return actions[0]
    return "+".join(actions) or "no-op"
