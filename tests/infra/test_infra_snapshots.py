"""Normalized snapshot of each environment stack: any change to the synthesized JSON shows up
as a readable diff in review. Accept an intended change with ``pytest --update-snapshots``.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.infra.synth_json import ENV_NAMES, stack_name

SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshots"
MAX_DIFF_LINES = 200


def normalize(value: Any) -> Any:
    """Drop cdktf's ``//`` metadata (construct paths, cdktf version) at every level."""
    if isinstance(value, dict):
        return {key: normalize(item) for key, item in value.items() if key != "//"}
    if isinstance(value, list):
        return [normalize(item) for item in value]
    return value


def render(stack: dict[str, Any]) -> str:
    return json.dumps(normalize(stack), indent=2, sort_keys=True) + "\n"


def test_normalize_strips_metadata_at_every_level() -> None:
    raw = {"//": {"metadata": {"version": "0.21.0"}}, "resource": {"a": [{"//": 1, "b": 2}]}}
    assert normalize(raw) == {"resource": {"a": [{"b": 2}]}}


@pytest.mark.parametrize("env", ENV_NAMES)
def test_stack_matches_snapshot(
    env: str, synthesized_stacks: dict[str, dict[str, Any]], update_snapshots: bool
) -> None:
    name = stack_name(env)
    path = SNAPSHOT_DIR / f"{name}.json"
    actual = render(synthesized_stacks[name])
    if update_snapshots:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"no snapshot {path.name}; create it with: pytest --update-snapshots")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = list(
            difflib.unified_diff(
                expected.splitlines(),
                actual.splitlines(),
                fromfile=f"snapshots/{path.name}",
                tofile=f"synthesized {name}",
                lineterm="",
            )
        )
        shown = "\n".join(diff[:MAX_DIFF_LINES])
        more = (
            f"\n... {len(diff) - MAX_DIFF_LINES} more diff lines"
            if len(diff) > MAX_DIFF_LINES
            else ""
        )
        pytest.fail(
            f"{name} differs from its snapshot (if intended: pytest --update-snapshots)\n"
            f"{shown}{more}",
            pytrace=False,
        )
