"""Read JSON the way users' shells write it: UTF-8, UTF-8 with BOM, or UTF-16 (Windows `>`).

Every failure is an ``InputError`` whose text is one line naming the file; the CLIs print it
and exit 2.
"""

from __future__ import annotations

import codecs
import json
import sys
from pathlib import Path
from typing import Any

STDIN = "-"  # the path that means standard input


class InputError(Exception):
    """Bad input: the CLI prints ``str(exc)`` as one line and exits 2."""


def decode_bytes(raw: bytes, *, source: str) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif len(raw) >= 2 and raw[0] == 0 and raw[1] != 0:
        encoding = "utf-16-be"
    elif len(raw) >= 2 and raw[0] != 0 and raw[1] == 0:
        encoding = "utf-16-le"
    else:
        encoding = "utf-8"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: cannot decode as {encoding}: {exc.reason}") from None


def parse_json(raw: bytes, *, source: str, empty: str = "file is empty") -> tuple[Any, str]:
    """Decode and parse ``raw``; every failure is an InputError with a one-line message."""
    text = decode_bytes(raw, source=source)
    if not text.strip():
        raise InputError(f"{source}: {empty}")
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise InputError(f"{source}: JSON nested too deeply") from None


def read_json(path: Path) -> tuple[Any, str]:
    """Return (parsed JSON, decoded text). Raises InputError with a one-line message."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a JSON file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_json(raw, source=str(path))


def read_json_stdin(*, source: str, empty: str) -> tuple[Any, str]:
    """Like read_json, for ``-`` (e.g. ``terraform show -json tfplan | ... -``)."""
    return parse_json(sys.stdin.buffer.read(), source=source, empty=empty)


def load_json(path: Path | str) -> tuple[Any, str]:
    """(parsed JSON, decoded text) from a file, or from standard input when ``path`` is ``-``."""
    if str(path) == STDIN:
        return read_json_stdin(source="<stdin>", empty="input is empty")
    return read_json(Path(path))
