"""Building the document of one plan (``terraform show -json``) from ``tfjson.plan``'s reading.

Deleted resources carry their ``before`` values, ``after_unknown`` leaves become ``UNKNOWN``,
and each resource takes its references and provider from the plan's ``configuration``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from policies.loader.environment import decide_environment
from policies.loader.inputs import Source
from policies.loader.shapes import json_object, known_str
from policies.model import Document, Provider, Resource
from policies.toolkit.prior_state import PriorState, deleted_identifiers
from tfjson.config import expression_references, expression_values
from tfjson.plan import ResourceChange, plan_of
from tfjson.reader import InputError
from tfjson.source import SourceLine, config_address

# Config address -> (provider_config_key, references, templates), from ``configuration``.
_Declared = dict[str, tuple[str | None, dict[str, str], dict[str, str]]]
_ADDRESS = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')


def plan_document(
    source: Source,
    *,
    stack: str,
    environment: str | None = None,
    sources: Mapping[str, SourceLine] | None = None,
) -> Document:
    """One plan as a rule document of its resource changes.

    ``sources`` (config address -> Python line, from the synthesized stack of the same run)
    gives plan resources the source their ``//`` metadata would have told.
    """
    plan = plan_of(source.data, source=source.display)
    providers, regions = _providers(plan.configuration, where=source.display)
    environment = decide_environment(environment, providers=providers, stack=stack)
    declared = _declared_resources(plan.configuration.get("root_module"), module="")
    lines = _plan_lines(source.text)
    resources = []
    for index, resource_change in enumerate(plan.resource_changes):
        if not resource_change.type:
            raise InputError(f"{source.display}: resource_changes[{index}] has no address or type")
        address = config_address(resource_change.address)
        provider_key, references, templates = declared.get(address, (None, {}, {}))
        if provider_key is None:
            provider_name = resource_change.provider_name.rsplit("/", 1)[-1]
            provider_key = provider_name or resource_change.type.split("_", 1)[0]
        resources.append(
            Resource(
                **_change_values(resource_change),
                stack=stack,
                environment=environment,
                file=source.display,
                line=lines.get(resource_change.address),
                source=(sources or {}).get(address),
                provider=provider_key.rsplit(":", 1)[-1],
                region=regions.get(provider_key),
                references=references,
                templates=templates,
            )
        )
    return Document(
        kind="plan",
        stack=stack,
        environment=environment,
        file=source.display,
        resources=tuple(resources),
        providers=tuple(providers),
        terraform_version=plan.terraform_version,
        # Only the identifiers of what the plan deletes are looked up: index just those.
        prior_state=PriorState.from_plan(
            source.data,
            wanted=deleted_identifiers(r.before for r in resources if "delete" in r.actions),
        ),
    )


def _change_values(resource_change: ResourceChange) -> dict[str, Any]:
    """What a resource change says about its resource: address, values, actions."""
    change = resource_change.change
    before = change.before if isinstance(change.before, dict) else None
    if change.actions == ("delete",):
        values: Any = before or {}
    else:
        values = change.after_values
        values = values if isinstance(values, dict) else {}
    address = resource_change.address
    return {
        "address": address,
        "type": resource_change.type,
        "name": resource_change.name or address.rsplit(".", 1)[-1],
        "values": values,
        "mode": "data" if resource_change.mode == "data" else "managed",
        "actions": change.actions,
        "before": before,
        "action_reason": resource_change.action_reason,
        "replace_paths": resource_change.replace_paths,
    }


def _providers(
    configuration: Mapping[str, Any], *, where: str
) -> tuple[list[Provider], dict[str, str | None]]:
    """The root module's provider blocks, and the region of every provider config key."""
    provider_config = json_object(
        configuration.get("provider_config"), f"{where}: configuration.provider_config"
    )
    providers: list[Provider] = []
    regions: dict[str, str | None] = {}
    for key, raw_entry in provider_config.items():
        entry = json_object(raw_entry, f"{where}: configuration.provider_config.{key}")
        values = expression_values(entry.get("expressions"))
        regions[key] = known_str(values.get("region"))
        if ":" in key:
            continue  # a module's own provider block; its resources resolve it by full key
        name = entry.get("name") if isinstance(entry.get("name"), str) else key.split(".")[0]
        alias = entry.get("alias")
        providers.append(
            Provider(
                name=name,
                alias=alias if isinstance(alias, str) else None,
                config=values,
                file=where,
            )
        )
    return providers, regions


def _declared_resources(body: Any, *, module: str) -> _Declared:
    """Config address -> (provider_config_key, references, templates) from ``configuration``."""
    declared: _Declared = {}
    if not isinstance(body, dict):
        return declared
    entries = body.get("resources")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("address"), str):
            continue
        references: dict[str, str] = {}
        templates: dict[str, str] = {}
        expression_references(
            entry.get("expressions"), (), references, module_prefix=module, templates=templates
        )
        key = entry.get("provider_config_key")
        declared[module + entry["address"]] = (
            key if isinstance(key, str) else None,
            references,
            templates,
        )
    calls = body.get("module_calls")
    if isinstance(calls, dict):
        for call_name, call in calls.items():
            if isinstance(call, dict):
                declared.update(
                    _declared_resources(call.get("module"), module=f"{module}module.{call_name}.")
                )
    return declared


def _plan_lines(text: str) -> dict[str, int]:
    """Address -> line of its ``resource_changes`` entry, in one pass over the text."""
    start = text.find('"resource_changes"')
    if start < 0:
        return {}
    lines: dict[str, int] = {}
    line = text.count("\n", 0, start) + 1
    position = start
    for match in _ADDRESS.finditer(text, start):
        offset = match.start()
        line += text.count("\n", position, offset)
        position = offset
        raw = match.group(1)
        address = json.loads(f'"{raw}"') if "\\" in raw else raw
        lines.setdefault(address, line)
    return lines
