"""Turn input files into ``Document`` objects: CDKTF synth, hand-written ``*.tf.json`` or plans.

One job per module:

inputs.py       finding the inputs: files, directories, stdin; which stack; which kind
                (decided once, by ``tfjson.kind``)
environment.py  deciding the environment: ``--env``, else provider tags, else the name
config.py       building a stack's document from its Terraform JSON
plan.py         building a plan's document from ``tfjson.plan`` (imported only for plans)
shapes.py       shape checks shared by the builders: bad input is an InputError

Every shape the rules see is built here, so rules never deal with where a value came from:
CDKTF ``${...}`` tokens and plan ``after_unknown`` leaves both become ``UNKNOWN``, deleted
resources carry their ``before`` values, and references between resources are kept in
``Resource.references`` before the token that held them is erased.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from policies.loader.config import config_document
from policies.loader.environment import ENVIRONMENT_NAMES, environment_from_name
from policies.loader.inputs import Input, file_input, find_inputs, read_source, stack_name
from policies.model import Document
from tfjson.kind import document_kind
from tfjson.reader import InputError
from tfjson.source import SourceLine, config_sources

__all__ = [
    "ENVIRONMENT_NAMES",
    "Sources",
    "build_document",
    "environment_from_name",
    "load_file",
    "load_path",
    "load_paths",
    "load_sources",
    "stack_name",
]

# Config address -> the Python line that made it, for plans (see load_sources).
Sources = Mapping[str, SourceLine]


def load_paths(
    paths: Sequence[Path], *, environment: str | None = None, sources: Sources | None = None
) -> list[Document]:
    """Every document found under ``paths`` (files, directories or ``-``), in the order given."""
    return [
        build_document(found, environment=environment, sources=sources)
        for path in paths
        for found in find_inputs(path)
    ]


def load_path(
    path: Path, *, environment: str | None = None, sources: Sources | None = None
) -> list[Document]:
    return load_paths([path], environment=environment, sources=sources)


def load_file(
    path: Path, *, environment: str | None = None, sources: Sources | None = None
) -> Document:
    return build_document(file_input(path), environment=environment, sources=sources)


def build_document(
    found: Input, *, environment: str | None = None, sources: Sources | None = None
) -> Document:
    """The document of one input, as its (already decided) kind says."""
    with _depth_guard(found.sources[0].display):
        if found.kind == "plan":
            from policies.loader.plan import plan_document  # deferred: synth checks read no plan

            return plan_document(
                found.sources[0], stack=found.stack, environment=environment, sources=sources
            )
        return config_document(found.sources, stack=found.stack, environment=environment)


def load_sources(path: Path) -> dict[str, SourceLine]:
    """Address -> Python line from a synthesized stack (``cdk.tf.json``) of the same run.

    A plan has no ``//`` metadata; its resources take their source from this map instead.
    """
    source = read_source(path)
    if document_kind(source.data, source=source.display) != "config":
        raise InputError(
            f"{source.display}: expected a synthesized stack (cdk.tf.json), not a plan"
        )
    return config_sources(source.data)


@contextmanager
def _depth_guard(display: str) -> Iterator[None]:
    """Nesting the JSON parser accepted can still exhaust the stack while we walk it."""
    try:
        yield
    except RecursionError:
        raise InputError(f"{display}: JSON nested too deeply") from None
