"""Files the pipeline's commands write: a failure is one ``InputError`` line, exit 2."""

from __future__ import annotations

from pathlib import Path

from tfjson.reader import InputError


def write_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None
