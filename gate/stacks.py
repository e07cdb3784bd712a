"""Which synthesized stacks a run evaluates.

cdktf never deletes stack directories from earlier runs, so a directory listing can hold stale
stacks; the ``manifest.json`` written by the latest synth is the authority when it exists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from infra.config import ENVIRONMENTS

STACK_FILE = "cdk.tf.json"


class StacksError(ValueError):
    """The stacks directory cannot be read; the message is one line for the user."""


@dataclass(frozen=True, kw_only=True)
class Stack:
    name: str
    directory: Path

    @property
    def file(self) -> Path:
        return self.directory / STACK_FILE


def discover_stacks(stacks_dir: Path, *, environment: str | None) -> tuple[Stack, ...]:
    """The stacks in ``stacks_dir`` (a cdktf.out-like directory), limited to one environment."""
    if not stacks_dir.is_dir():
        raise StacksError(f"no synthesized stacks: {stacks_dir} does not exist (run synth)")
    manifest = stacks_dir / "manifest.json"
    if manifest.is_file():
        stacks = _from_manifest(manifest)
    else:
        stacks = tuple(
            Stack(name=path.parent.name, directory=path.parent)
            for path in sorted(stacks_dir.rglob(STACK_FILE))
        )
    if environment is not None:
        wanted = ENVIRONMENTS[environment].stack_name
        stacks = tuple(s for s in stacks if s.name == wanted)
    if not stacks:
        scope = f" for environment '{environment}'" if environment else ""
        raise StacksError(f"no synthesized stacks{scope} in {stacks_dir}")
    return stacks


def _from_manifest(manifest: Path) -> tuple[Stack, ...]:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        entries = data["stacks"].values()
        stacks = tuple(
            Stack(
                name=entry["name"],
                directory=(manifest.parent / entry["synthesizedStackPath"]).parent,
            )
            for entry in entries
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StacksError(f"unreadable cdktf manifest {manifest}: {exc}") from None
    return tuple(sorted(stacks, key=lambda s: s.name))


def stacks_fingerprint_files(stacks: tuple[Stack, ...]) -> list[Path]:
    return [s.file for s in stacks if s.file.is_file()]
