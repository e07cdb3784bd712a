"""Content hashes that decide when a cached result is still valid, and stamps that store them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

# Generated or editor files under infra/ that do not change what synth produces.
_IGNORED_PARTS = frozenset({"__pycache__", ".pytest_cache", ".gen", "cdktf.out"})
_IGNORED_SUFFIXES = frozenset({".pyc", ".pyo", ".swp"})


def tree_files(directory: Path) -> list[Path]:
    """Every file under ``directory`` that can influence synth, in a stable order."""
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file()
        and path.suffix not in _IGNORED_SUFFIXES
        and not _IGNORED_PARTS.intersection(path.relative_to(directory).parts)
    )


def hash_files(files: Iterable[Path], *, base: Path) -> str:
    """One hash over file names (relative to ``base``) and contents."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(base)).encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def hash_values(values: Mapping[str, str | None]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def combine(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def read_stamp(path: Path) -> dict[str, str]:
    """A stamp is a small JSON object; a missing or unreadable one simply means "no cache"."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_stamp(path: Path, values: Mapping[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(values), indent=2, sort_keys=True) + "\n", encoding="utf-8")
