"""Where a synthesized resource came from in the Python code: its ``//``.source.

``infra/sources.py`` writes, at synth, ``"//": {"metadata": {...}, "source": {"file":
"infra/components/database.py", "line": 70}}`` into every resource and data block it can map.
Plans carry no ``//``, so a plan's addresses are matched to the synthesized stack of the same
run (``config_sources``). Stack files can come from an untrusted PR artifact: a source is kept
only when it is a plain relative ``*.py`` path and a positive line, so it is safe to print, to
link and to put into SARIF.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

METADATA_KEY = "//"
SOURCE_KEY = "source"
_SAFE_FILE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*\.py$")
_INDEX = re.compile(r"\[[^\]]*\]")
_SECTIONS = (("resource", ""), ("data", "data."))


class SourceLine(NamedTuple):
    """A line of a Python file, relative to the repository root, e.g. infra/components/cdn.py:57."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line}


def parse_source(value: Any) -> SourceLine | None:
    """A ``{"file", "line"}`` object as a SourceLine, or None when absent or unsafe."""
    if not isinstance(value, dict):
        return None
    file, line = value.get("file"), value.get("line")
    if not isinstance(file, str) or not _SAFE_FILE.match(file) or ".." in file.split("/"):
        return None
    if isinstance(line, bool) or not isinstance(line, int) or line < 1:
        return None
    return SourceLine(file=file, line=line)


def source_of(body: Any) -> SourceLine | None:
    """The source recorded in one resource or data block of a synthesized stack."""
    metadata = body.get(METADATA_KEY) if isinstance(body, dict) else None
    return parse_source(metadata.get(SOURCE_KEY)) if isinstance(metadata, dict) else None


def _named_blocks(config: Any) -> list[tuple[str, Any]]:
    """(address, body) of every resource and data block, ``data.`` prefixed for data."""
    found: list[tuple[str, Any]] = []
    if not isinstance(config, dict):
        return found
    for section, prefix in _SECTIONS:
        groups = config.get(section)
        for group in groups if isinstance(groups, list) else [groups]:
            if not isinstance(group, dict):
                continue
            for resource_type, named in group.items():
                for by_name in named if isinstance(named, list) else [named]:
                    if isinstance(by_name, dict):
                        found += [(f"{prefix}{resource_type}.{n}", b) for n, b in by_name.items()]
    return found


def config_sources(config: Any) -> dict[str, SourceLine]:
    """Address (``aws_lb.alb``, ``data.aws_caller_identity.caller``) -> source, for a stack."""
    sources = {}
    for address, body in _named_blocks(config):
        source = source_of(body)
        if source is not None:
            sources[address] = source
    return sources


def mapped_share(config: Any) -> tuple[int, int]:
    """(blocks with a source, all resource and data blocks) of one synthesized stack."""
    blocks = _named_blocks(config)
    return sum(1 for _, body in blocks if source_of(body) is not None), len(blocks)


def config_address(plan_address: str) -> str:
    """The configuration address of a plan instance: ``aws_subnet.x[0]`` -> ``aws_subnet.x``."""
    return _INDEX.sub("", plan_address)


def _line_of(text: str, keys: tuple[str, ...], start: int = 0) -> tuple[int, int] | None:
    """(line, offset) of the last of ``keys``, each searched for after the one before it."""
    position = start
    for key in keys:
        match = re.compile(re.escape(json.dumps(key)) + r"\s*:").search(text, position)
        if match is None:
            return None
        position = match.start()
    return text.count("\n", 0, position) + 1, position


def block_lines(text: str, config: Any) -> dict[int, str]:
    """Line of each block's ``"name": {`` in a stack's text -> its address.

    Tools that name a line of ``cdk.tf.json`` (checkov) find the resource there, then its source.
    """
    lines: dict[int, str] = {}
    for section, prefix in _SECTIONS:
        found = _line_of(text, (section,))
        if found is None:
            continue
        for address, _ in _named_blocks({section: (config or {}).get(section)}):
            resource_type, name = address.removeprefix(prefix).split(".", 1)
            located = _line_of(text, (resource_type, name), start=found[1])
            if located is not None:
                lines[located[0]] = address
    return lines
