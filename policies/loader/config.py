"""Building the document of one stack from its Terraform JSON (CDKTF synth or ``*.tf.json``).

CDKTF ``${...}`` tokens become ``UNKNOWN``, with the resource each one referenced kept in
``Resource.references`` before the token is erased; every finding gets the line of its block.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from policies.loader.environment import decide_environment
from policies.loader.inputs import Source
from policies.loader.shapes import blocks, json_object, known_str
from policies.model import Backend, Document, Provider, Resource
from tfjson.config import resolve_tokens
from tfjson.source import source_of

_SECTIONS = (("resource", "managed"), ("data", "data"))


class _Block(NamedTuple):
    """A resource or data block as found: its file, mode, type, name and raw body."""

    source: Source
    mode: str
    type: str
    name: str
    body: Any


def config_document(
    sources: Sequence[Source], *, stack: str, environment: str | None = None
) -> Document:
    """One stack from one or more Terraform JSON files (a directory is one module)."""
    backend, required_version = _settings(sources)
    providers = [provider for source in sources for provider in _providers(source)]
    environment = decide_environment(environment, providers=providers, stack=stack)
    regions = {provider.key: known_str(provider.config.get("region")) for provider in providers}
    resources = tuple(
        _resource(block, stack=stack, environment=environment, regions=regions)
        for source in sources
        for block in _blocks_of(source)
    )
    return Document(
        kind="config",
        stack=stack,
        environment=environment,
        file=sources[0].display,
        resources=resources,
        backend=backend,
        providers=tuple(providers),
        required_version=required_version,
        raw_config=tuple(source.data for source in sources),
    )


def _settings(sources: Sequence[Source]) -> tuple[Backend | None, str | None]:
    """The backend and ``required_version`` of the ``terraform`` blocks (the last one wins)."""
    backend: Backend | None = None
    required_version: str | None = None
    for source in sources:
        where = f"{source.display}: terraform"
        for block in blocks(source.data.get("terraform"), where):
            version = block.get("required_version")
            if isinstance(version, str):
                required_version = version
            for backends in blocks(block.get("backend"), f"{where}.backend"):
                for backend_type, body in backends.items():
                    config = json_object(body, f"{where}.backend.{backend_type}")
                    backend = Backend(
                        type=backend_type,
                        config=resolve_tokens(config),
                        file=source.display,
                        line=source.line_of(("terraform", "backend", backend_type)),
                    )
    return backend, required_version


def _providers(source: Source) -> list[Provider]:
    providers: list[Provider] = []
    for providers_block in blocks(source.data.get("provider"), f"{source.display}: provider"):
        for provider_name, configs in providers_block.items():
            where = f"{source.display}: provider.{provider_name}"
            line = source.line_of(("provider", provider_name))
            for config in blocks(configs, where):
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
    return providers


def _blocks_of(source: Source) -> list[_Block]:
    found: list[_Block] = []
    for section, mode in _SECTIONS:
        for types in blocks(source.data.get(section), f"{source.display}: {section}"):
            for resource_type, named in types.items():
                where = f"{source.display}: {section}.{resource_type}"
                for by_name in blocks(named, where):
                    found += [
                        _Block(source=source, mode=mode, type=resource_type, name=name, body=body)
                        for name, body in by_name.items()
                    ]
    return found


def _resource(
    block: _Block, *, stack: str, environment: str | None, regions: dict[str, str | None]
) -> Resource:
    data = block.mode == "data"
    address = f"{'data.' if data else ''}{block.type}.{block.name}"
    body = json_object(block.body, f"{block.source.display}: {address}")
    references: dict[str, str] = {}
    templates: dict[str, str] = {}
    values = resolve_tokens(
        {k: v for k, v in body.items() if k != "//"}, references, templates=templates
    )
    provider_key = _provider_key(body.get("provider"), block.type)
    return Resource(
        address=address,
        type=block.type,
        name=block.name,
        values=values,
        stack=stack,
        environment=environment,
        file=block.source.display,
        line=block.source.line_of(("data" if data else "resource", block.type, block.name)),
        source=source_of(body),
        mode="data" if data else "managed",
        provider=provider_key,
        region=regions.get(provider_key),
        references=references,
        templates=templates,
    )


def _provider_key(provider: Any, resource_type: str) -> str:
    if isinstance(provider, str) and provider:
        # CDKTF writes "aws.us_east_1"; hand-written JSON may wrap it as "${aws.us_east_1}".
        return provider.removeprefix("${").removesuffix("}")
    return resource_type.split("_", 1)[0]
