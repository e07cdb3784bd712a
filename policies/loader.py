"""Turn input files into ``Document`` objects: CDKTF synth, hand-written ``*.tf.json`` or plans.

Every shape the rules see is built here, so rules never deal with where a value came from:
CDKTF ``${...}`` tokens and plan ``after_unknown`` leaves both become ``UNKNOWN``, deleted
resources carry their ``before`` values, and references between resources are kept in
``Resource.references`` before the token that held them is erased.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from policies.model import Backend, Document, Provider, Resource
from policies.toolkit.prior_state import PriorState, deleted_identifiers
from tfjson.config import expression_references, expression_values, resolve_tokens
from tfjson.kind import document_kind
from tfjson.reader import STDIN, InputError, read_json, read_json_stdin
from tfjson.source import SourceLine, config_sources, source_of
from tfjson.values import as_blocks, get_path, is_known

# Stack-name suffixes read as an environment (catalog-api-prod -> prod). A fixed list, because
# any other last word of a name ("plan", "api") would be a guess.
ENVIRONMENT_NAMES = frozenset(
    {"dev", "development", "test", "qa", "uat", "staging", "stage", "preprod", "prod", "production"}
)
ENVIRONMENT_TAG_KEYS = ("Environment", "environment", "Env", "env")
# File names that say nothing about the stack; the directory holding them names it instead.
_GENERIC_STEMS = frozenset({"cdk", "plan", "tfplan", "main", "terraform"})

_NEWLINE = re.compile("\n")
_INDEX = re.compile(r"\[[^\]]*\]")


@dataclass(frozen=True, kw_only=True)
class _Source:
    """One parsed input file: where it is, what it holds, and its text for line numbers."""

    path: Path
    display: str
    data: Any  # whatever the JSON held; document_kind() checks it is a config or a plan
    text: str

    @cached_property
    def newlines(self) -> list[int]:
        """Offsets of every line break, for turning text positions into line numbers."""
        return [match.start() for match in _NEWLINE.finditer(self.text)]


# Config address -> the Python line that made it, for plans (see load_sources).
Sources = Mapping[str, SourceLine]


def load_paths(
    paths: Sequence[Path], *, environment: str | None = None, sources: Sources | None = None
) -> list[Document]:
    """Every document found under ``paths`` (files or directories), in the order given."""
    documents: list[Document] = []
    for path in paths:
        documents.extend(load_path(path, environment=environment, sources=sources))
    return documents


def load_path(
    path: Path, *, environment: str | None = None, sources: Sources | None = None
) -> list[Document]:
    if str(path) == STDIN:
        return [load_stdin(environment=environment, sources=sources)]
    if path.is_dir():
        return _load_directory(path, environment=environment, plan_sources=sources)
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    return [load_file(path, environment=environment, sources=sources)]


def load_file(
    path: Path, *, environment: str | None = None, sources: Sources | None = None
) -> Document:
    source = _read(path)
    kind = document_kind(source.data, source=source.display)
    with _depth_guard(source):
        if kind == "plan":
            return parse_plan(source, environment=environment, sources=sources)
        return parse_config([source], stack=stack_name(path), environment=environment)


def load_stdin(*, environment: str | None = None, sources: Sources | None = None) -> Document:
    """``terraform show -json tfplan | policies check -``: the document on standard input."""
    data, text = read_json_stdin(source="<stdin>", empty="input is empty")
    source = _Source(path=Path("stdin.json"), display="<stdin>", data=data, text=text)
    kind = document_kind(data, source=source.display)
    with _depth_guard(source):
        if kind == "plan":
            return parse_plan(source, environment=environment, sources=sources)
        return parse_config([source], stack="stdin", environment=environment)


def load_sources(path: Path) -> dict[str, SourceLine]:
    """Address -> Python line from a synthesized stack (``cdk.tf.json``) of the same run.

    A plan has no ``//`` metadata; its resources take their source from this map instead.
    """
    source = _read(path)
    if document_kind(source.data, source=source.display) != "config":
        raise InputError(
            f"{source.display}: expected a synthesized stack (cdk.tf.json), not a plan"
        )
    return config_sources(source.data)


def stack_name(path: Path) -> str:
    """cdktf.out/stacks/catalog-api-prod/cdk.tf.json -> catalog-api-prod; prod.tf.json -> prod."""
    stem = path.name.removesuffix(".json").removesuffix(".tf")
    if stem in _GENERIC_STEMS and path.resolve().parent.name:
        return path.resolve().parent.name
    return stem


def environment_from_name(stack: str) -> str | None:
    suffix = re.split(r"[-_.]", stack)[-1].lower()
    return suffix if suffix in ENVIRONMENT_NAMES else None


def _load_directory(
    directory: Path, *, environment: str | None, plan_sources: Sources | None = None
) -> list[Document]:
    stack_files = sorted(directory.glob("stacks/*/cdk.tf.json"))
    if stack_files:
        return [load_file(path, environment=environment) for path in stack_files]
    documents: list[Document] = []
    config_files = sorted(directory.glob("*.tf.json"))
    if config_files:
        # Terraform reads every *.tf.json of a directory as one module, so they form one stack.
        sources = [_read(path) for path in config_files]
        for source in sources:
            document_kind(source.data, source=source.display)
        with _depth_guard(sources[0]):
            documents.append(
                parse_config(sources, stack=directory.resolve().name, environment=environment)
            )
    for path in sorted(directory.glob("*.json")):
        if path.name.endswith(".tf.json"):
            continue
        source = _read(path)
        # Other JSON beside plans (cdktf's manifest.json, package.json) is not ours to judge.
        looks_like_plan = isinstance(source.data, dict) and "format_version" in source.data
        if looks_like_plan and document_kind(source.data, source=source.display) == "plan":
            with _depth_guard(source):
                documents.append(parse_plan(source, environment=environment, sources=plan_sources))
    if not documents:
        raise InputError(
            f"{directory}: no stacks found "
            "(expected stacks/*/cdk.tf.json, *.tf.json or plan *.json)"
        )
    return documents


def _read(path: Path) -> _Source:
    data, text = read_json(path)
    return _Source(path=path, display=display_path(path), data=data, text=text)


def display_path(path: Path) -> str:
    """The path as users and SARIF want it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@contextmanager
def _depth_guard(source: _Source) -> Iterator[None]:
    """Nesting the JSON parser accepted can still exhaust the stack while we walk it."""
    try:
        yield
    except RecursionError:
        raise InputError(f"{source.display}: JSON nested too deeply") from None


# --- CDKTF synth and *.tf.json -------------------------------------------------------------


def parse_config(
    sources: Sequence[_Source], *, stack: str, environment: str | None = None
) -> Document:
    """One stack from one or more Terraform JSON files (a directory is one module)."""
    backend: Backend | None = None
    required_version: str | None = None
    providers: list[Provider] = []
    located: list[tuple[_Source, str, str, str, Any]] = []  # (source, mode, type, name, body)

    for source in sources:
        data = source.data
        for block in _blocks(data.get("terraform"), f"{source.display}: terraform"):
            version = block.get("required_version")
            if isinstance(version, str):
                required_version = version
            for backends in _blocks(block.get("backend"), f"{source.display}: terraform.backend"):
                for backend_type, body in backends.items():
                    config = _object(body, f"{source.display}: terraform.backend.{backend_type}")
                    backend = Backend(
                        type=backend_type,
                        config=resolve_tokens(config),
                        file=source.display,
                        line=_line_of(source, ("terraform", "backend", backend_type)),
                    )
        for providers_block in _blocks(data.get("provider"), f"{source.display}: provider"):
            for provider_name, configs in providers_block.items():
                where = f"{source.display}: provider.{provider_name}"
                line = _line_of(source, ("provider", provider_name))
                for config in _blocks(configs, where):
                    values = resolve_tokens(config)
                    alias = values.get("alias")
                    providers.append(
                        Provider(
                            name=provider_name,
                            alias=alias if isinstance(alias, str) else None,
                            config=values,
                            file=source.display,
                            line=line,
                        )
                    )
        for section, mode in (("resource", "managed"), ("data", "data")):
            for types in _blocks(data.get(section), f"{source.display}: {section}"):
                for resource_type, named in types.items():
                    where = f"{source.display}: {section}.{resource_type}"
                    for by_name in _blocks(named, where):
                        for name, body in by_name.items():
                            located.append((source, mode, resource_type, name, body))

    environment = environment or _environment_from_providers(providers)
    environment = environment or environment_from_name(stack)
    provider_regions = {
        provider.key: _known_str(provider.config.get("region")) for provider in providers
    }
    resources = []
    for source, mode, resource_type, name, raw_body in located:
        prefix = "data." if mode == "data" else ""
        address = f"{prefix}{resource_type}.{name}"
        body = _object(raw_body, f"{source.display}: {address}")
        references: dict[str, str] = {}
        templates: dict[str, str] = {}
        values = resolve_tokens(
            {k: v for k, v in body.items() if k != "//"}, references, templates=templates
        )
        provider_key = _provider_key(body.get("provider"), resource_type)
        section = "data" if mode == "data" else "resource"
        resources.append(
            Resource(
                address=address,
                type=resource_type,
                name=name,
                values=values,
                stack=stack,
                environment=environment,
                file=source.display,
                line=_line_of(source, (section, resource_type, name)),
                source=source_of(body),
                mode=mode,
                provider=provider_key,
                region=provider_regions.get(provider_key),
                references=references,
                templates=templates,
            )
        )
    return Document(
        kind="config",
        stack=stack,
        environment=environment,
        file=sources[0].display,
        resources=tuple(resources),
        backend=backend,
        providers=tuple(providers),
        required_version=required_version,
        raw_config=tuple(source.data for source in sources),
    )


def _provider_key(provider: Any, resource_type: str) -> str:
    if isinstance(provider, str) and provider:
        # CDKTF writes "aws.us_east_1"; hand-written JSON may wrap it as "${aws.us_east_1}".
        return provider.removeprefix("${").removesuffix("}")
    return resource_type.split("_", 1)[0]


def _environment_from_providers(providers: Iterable[Provider]) -> str | None:
    for provider in providers:
        tags = get_path(provider.config, "default_tags.tags")
        if not isinstance(tags, Mapping):
            continue
        for key in ENVIRONMENT_TAG_KEYS:
            value = tags.get(key)
            if isinstance(value, str) and value:
                return value.lower()
    return None


def _line_of(source: _Source, keys: Sequence[str]) -> int | None:
    """Line of the last of ``keys``, each searched for (as an object key) after the one before.

    Plain string search plus one index of line starts per file: a stack of a thousand
    resources costs no more than reading it.
    """
    text = source.text
    position = 0
    for key in keys:
        needle = json.dumps(key)
        while True:
            found = text.find(needle, position)
            if found < 0:
                return None
            after = found + len(needle)
            while after < len(text) and text[after] in " \t\r\n":
                after += 1
            if after < len(text) and text[after] == ":":
                position = found
                break
            position = found + len(needle)
    return bisect_right(source.newlines, position) + 1


# --- terraform show -json ------------------------------------------------------------------


def parse_plan(
    source: _Source,
    *,
    environment: str | None = None,
    sources: Mapping[str, SourceLine] | None = None,
) -> Document:
    """One plan, read by ``tfjson.plan``, as a rule document of its resource changes.

    ``sources`` (config address -> Python line, from the synthesized stack of the same run)
    gives plan resources the source their ``//`` metadata would have told.
    """
    from tfjson.plan import parse_plan as read_plan  # deferred: synth checks read no plan

    where = source.display
    plan = read_plan(source.data, source=where)
    configuration = plan.configuration
    provider_config = _object(
        configuration.get("provider_config"), f"{where}: configuration.provider_config"
    )
    providers: list[Provider] = []
    provider_regions: dict[str, str | None] = {}
    for key, raw_entry in provider_config.items():
        entry = _object(raw_entry, f"{where}: configuration.provider_config.{key}")
        values = expression_values(entry.get("expressions"))
        provider_regions[key] = _known_str(values.get("region"))
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

    declared = _declared_resources(configuration.get("root_module"), module="")
    stack = stack_name(source.path)
    environment = environment or _environment_from_providers(providers)
    environment = environment or environment_from_name(stack)
    lines = _plan_lines(source.text)

    resources = []
    for index, resource_change in enumerate(plan.resource_changes):
        address, resource_type = resource_change.address, resource_change.type
        if not resource_type:
            raise InputError(f"{where}: resource_changes[{index}] has no address or type")
        change = resource_change.change
        before = change.before if isinstance(change.before, dict) else None
        if change.actions == ("delete",):
            values: Any = before or {}
        else:
            values = change.after_values
            values = values if isinstance(values, dict) else {}
        config_address = _INDEX.sub("", address)
        provider_key, references, templates = declared.get(config_address, (None, {}, {}))
        if provider_key is None:
            provider_key = (
                resource_change.provider_name.rsplit("/", 1)[-1] or resource_type.split("_", 1)[0]
            )
        resources.append(
            Resource(
                address=address,
                type=resource_type,
                name=resource_change.name or address.rsplit(".", 1)[-1],
                values=values,
                stack=stack,
                environment=environment,
                file=where,
                line=lines.get(address),
                source=(sources or {}).get(config_address),
                mode="data" if resource_change.mode == "data" else "managed",
                provider=provider_key.rsplit(":", 1)[-1],
                region=provider_regions.get(provider_key),
                references=references,
                templates=templates,
                actions=change.actions,
                before=before,
                action_reason=resource_change.action_reason,
                replace_paths=resource_change.replace_paths,
            )
        )
    return Document(
        kind="plan",
        stack=stack,
        environment=environment,
        file=where,
        resources=tuple(resources),
        providers=tuple(providers),
        terraform_version=plan.terraform_version,
        # Only the identifiers of what the plan deletes are looked up: index just those.
        prior_state=PriorState.from_plan(
            source.data,
            wanted=deleted_identifiers(r.before for r in resources if "delete" in r.actions),
        ),
    )


def _declared_resources(
    body: Any, *, module: str
) -> dict[str, tuple[str | None, dict[str, str], dict[str, str]]]:
    """Config address -> (provider_config_key, references, templates) from ``configuration``."""
    declared: dict[str, tuple[str | None, dict[str, str], dict[str, str]]] = {}
    if not isinstance(body, dict):
        return declared
    for entry in _as_list(body.get("resources")):
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
    for match in re.finditer(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"', text[start:]):
        offset = start + match.start()
        line += text.count("\n", position, offset)
        position = offset
        raw = match.group(1)
        address = json.loads(f'"{raw}"') if "\\" in raw else raw
        lines.setdefault(address, line)
    return lines


# --- shape checks: bad input is an InputError, never a traceback ----------------------------


def _object(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{where}: expected an object, got {_json_type(value)}")
    return value


def _blocks(value: Any, where: str) -> list[dict[str, Any]]:
    """A block written as an object or as a list of objects (both are valid Terraform JSON)."""
    blocks = as_blocks(value)
    for block in blocks:
        if not isinstance(block, dict):
            raise InputError(f"{where}: expected an object, got {_json_type(block)}")
    return blocks


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _known_str(value: Any) -> str | None:
    return value if isinstance(value, str) and is_known(value) else None


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")
