"""Paths and small helpers for the pipeline tests (fixtures live in conftest.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
# CI runs in a fresh clone with shared/ beside it.
SHARED_PLANS = REPO_ROOT.parent / "shared" / "fixtures" / "terraform-plans"
DRIFT_FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass(frozen=True, kw_only=True)
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def shared_plan(name: str) -> Path:
    path = SHARED_PLANS / name
    if not path.is_file():
        raise FileNotFoundError(f"shared fixture missing: {path} (clone shared/ beside the repo)")
    return path


def shared_plans() -> list[Path]:
    plans = sorted(SHARED_PLANS.glob("*.json"))
    if not plans:
        raise FileNotFoundError(
            f"no shared plans in {SHARED_PLANS} (clone shared/ beside the repo)"
        )
    return plans


def drift_fixture(name: str) -> Path:
    return DRIFT_FIXTURES / name


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def assert_one_line_error(result: CliResult, *expected: str) -> None:
    """Bad input: exit 2, nothing on stdout, exactly one `error:` line naming the problem."""
    assert result.code == 2, result
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.err
    for text in expected:
        assert text in lines[0], (text, lines[0])
