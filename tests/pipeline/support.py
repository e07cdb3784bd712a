"""Paths and small helpers for the pipeline tests (fixtures live in conftest.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fixture_paths import TERRAFORM_PLANS

DRIFT_FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass(frozen=True, kw_only=True)
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def shared_plan(name: str) -> Path:
    path = TERRAFORM_PLANS / name
    if not path.is_file():
        raise FileNotFoundError(f"plan fixture missing: {path}")
    return path


def shared_plans() -> list[Path]:
    plans = sorted(TERRAFORM_PLANS.glob("*.json"))
    if not plans:
        raise FileNotFoundError(f"no plan fixtures in {TERRAFORM_PLANS}")
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
