"""Finding the inputs of a check: which files, read how, forming which stack, of which kind.

The kind (configuration or plan) is decided here, once per file, by ``tfjson.kind``; the
document builders trust it.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from tfjson.kind import Kind, document_kind
from tfjson.reader import STDIN, InputError, read_json, read_json_stdin

# File names that say nothing about the stack; the directory holding them names it instead.
_GENERIC_STEMS = frozenset({"cdk", "plan", "tfplan", "main", "terraform"})
_NEWLINE = re.compile("\n")


class Source:
    """One parsed input file: where it is, what it holds, and its text for line numbers.

    A plain class rather than a dataclass: generating a dataclass's methods at import costs
    more than reading a stack (see ``policies bench``).
    """

    __slots__ = ("_newlines", "_positions", "data", "display", "path", "text")

    def __init__(self, *, path: Path, display: str, data: Any, text: str) -> None:
        self.path = path
        self.display = display
        self.data = data  # a JSON object once the kind is decided (document_kind checks it)
        self.text = text
        self._newlines: list[int] | None = None
        self._positions: dict[tuple[str, ...], int] = {}

    def line_of(self, keys: tuple[str, ...]) -> int | None:
        """Line of the last of ``keys``, each found (as an object key) after the one before.

        Plain string search, remembered per key path: every resource of a stack shares the
        search for ``"resource"`` and its type, so a stack costs about one pass over its text.
        """
        position = 0
        for depth in range(1, len(keys) + 1):
            path = keys[:depth]
            found = self._positions.get(path)
            if found is None:
                found = self._positions[path] = _key_position(self.text, keys[depth - 1], position)
            if found < 0:
                return None
            position = found
        if self._newlines is None:
            self._newlines = [match.start() for match in _NEWLINE.finditer(self.text)]
        return bisect_right(self._newlines, position) + 1


def _key_position(text: str, key: str, start: int) -> int:
    """Offset of the first ``"key":`` (JSON whitespace allowed before the colon) from start."""
    needle = json.dumps(key)
    position = start
    while True:
        found = text.find(needle, position)
        if found < 0:
            return -1
        after = found + len(needle)
        while after < len(text) and text[after] in " \t\r\n":
            after += 1
        if after < len(text) and text[after] == ":":
            return found
        position = after


class Input(NamedTuple):
    """One document to build: a plan, or the configuration files of one stack."""

    kind: Kind
    stack: str
    sources: tuple[Source, ...]


def find_inputs(path: Path) -> Iterator[Input]:
    """The inputs at ``path``: a file, ``-`` for standard input, or a directory."""
    if str(path) == STDIN:
        yield stdin_input()
    elif path.is_dir():
        yield from _directory_inputs(path)
    elif not path.exists():
        raise InputError(f"{path}: no such file or directory")
    else:
        yield file_input(path)


def file_input(path: Path) -> Input:
    source = read_source(path)
    kind = document_kind(source.data, source=source.display)
    return Input(kind=kind, stack=stack_name(path), sources=(source,))


def stdin_input() -> Input:
    """``terraform show -json tfplan | policies check -``: the document on standard input."""
    data, text = read_json_stdin(source="<stdin>", empty="input is empty")
    source = Source(path=Path("stdin.json"), display="<stdin>", data=data, text=text)
    kind = document_kind(data, source=source.display)
    return Input(kind=kind, stack="stdin", sources=(source,))


def _directory_inputs(directory: Path) -> Iterator[Input]:
    stack_files = sorted(directory.glob("stacks/*/cdk.tf.json"))
    if stack_files:
        yield from (file_input(path) for path in stack_files)
        return
    found = False
    config_files = sorted(directory.glob("*.tf.json"))
    if config_files:
        # Terraform reads every *.tf.json of a directory as one module, so they form one stack.
        sources = tuple(read_source(path) for path in config_files)
        for source in sources:
            if document_kind(source.data, source=source.display) != "config":
                raise InputError(
                    f"{source.display}: a plan among the directory's *.tf.json configuration; "
                    "name plans *.json"
                )
        found = True
        yield Input(kind="config", stack=directory.resolve().name, sources=sources)
    for path in sorted(directory.glob("*.json")):
        if path.name.endswith(".tf.json"):
            continue
        source = read_source(path)
        # Other JSON beside plans (cdktf's manifest.json, package.json) is not ours to judge.
        if isinstance(source.data, dict) and "format_version" in source.data:
            kind = document_kind(source.data, source=source.display)
            found = True
            yield Input(kind=kind, stack=stack_name(path), sources=(source,))
    if not found:
        raise InputError(
            f"{directory}: no stacks found "
            "(expected stacks/*/cdk.tf.json, *.tf.json or plan *.json)"
        )


def read_source(path: Path) -> Source:
    data, text = read_json(path)
    return Source(path=path, display=display_path(path), data=data, text=text)


def stack_name(path: Path) -> str:
    """cdktf.out/stacks/catalog-api-prod/cdk.tf.json -> catalog-api-prod; prod.tf.json -> prod."""
    stem = path.name.removesuffix(".json").removesuffix(".tf")
    if stem in _GENERIC_STEMS and path.resolve().parent.name:
        return path.resolve().parent.name
    return stem


def display_path(path: Path) -> str:
    """The path as users and SARIF want it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
