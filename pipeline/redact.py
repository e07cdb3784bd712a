"""A copy of a plan JSON with every value Terraform marks sensitive replaced, safe to upload.

``terraform show -json`` writes sensitive values in clear text next to the trees that mark them,
so the raw JSON (and the binary plan) never leave the runner; this redacted copy does.
"""

from __future__ import annotations

from typing import Any

from tfjson.values import SENSITIVE, mask


def redact_plan(plan: dict[str, Any]) -> dict[str, Any]:
    redacted = dict(plan)
    for key in ("resource_changes", "resource_drift"):
        if isinstance(plan.get(key), list):
            redacted[key] = [_redact_resource_change(entry) for entry in plan[key]]
    if isinstance(plan.get("output_changes"), dict):
        redacted["output_changes"] = {
            name: _redact_change(change) for name, change in plan["output_changes"].items()
        }
    if isinstance(plan.get("planned_values"), dict):
        redacted["planned_values"] = _redact_values(plan["planned_values"])
    prior = plan.get("prior_state")
    if isinstance(prior, dict) and isinstance(prior.get("values"), dict):
        redacted["prior_state"] = prior | {"values": _redact_values(prior["values"])}
    if isinstance(plan.get("variables"), dict):
        redacted["variables"] = _redact_variables(plan)
    return redacted


def _redact_change(change: Any) -> Any:
    if not isinstance(change, dict):
        return change
    return change | {
        "before": mask(change.get("before"), change.get("before_sensitive")),
        "after": mask(change.get("after"), change.get("after_sensitive")),
    }


def _redact_resource_change(entry: Any) -> Any:
    if not isinstance(entry, dict):
        return entry
    return entry | {"change": _redact_change(entry.get("change"))}


def _redact_values(values: dict[str, Any]) -> dict[str, Any]:
    """planned_values / prior_state.values: outputs plus a module tree of resources."""
    result = dict(values)
    if isinstance(values.get("outputs"), dict):
        result["outputs"] = {
            name: (output | {"value": SENSITIVE})
            if isinstance(output, dict) and output.get("sensitive") and "value" in output
            else output
            for name, output in values["outputs"].items()
        }
    if isinstance(values.get("root_module"), dict):
        result["root_module"] = _redact_module(values["root_module"])
    return result


def _redact_module(module: dict[str, Any]) -> dict[str, Any]:
    result = dict(module)
    if isinstance(module.get("resources"), list):
        result["resources"] = [
            resource | {"values": mask(resource.get("values"), resource.get("sensitive_values"))}
            if isinstance(resource, dict) and "values" in resource
            else resource
            for resource in module["resources"]
        ]
    if isinstance(module.get("child_modules"), list):
        result["child_modules"] = [
            _redact_module(child) if isinstance(child, dict) else child
            for child in module["child_modules"]
        ]
    return result


def _redact_variables(plan: dict[str, Any]) -> dict[str, Any]:
    config = plan.get("configuration")
    root = config.get("root_module") if isinstance(config, dict) else None
    declared = root.get("variables") if isinstance(root, dict) else None
    declared = declared if isinstance(declared, dict) else {}
    return {
        name: (variable | {"value": SENSITIVE})
        if isinstance(variable, dict)
        and isinstance(declared.get(name), dict)
        and declared[name].get("sensitive")
        else variable
        for name, variable in plan["variables"].items()
    }
