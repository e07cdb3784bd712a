"""Test modules share one import namespace (no packages under tests/): two with the same
basename stop pytest from collecting the whole suite ("import file mismatch")."""

from __future__ import annotations

from collections import Counter

from tests.fixture_paths import REPO_ROOT


def test_no_two_test_modules_share_a_basename() -> None:
    names = Counter(p.name for p in (REPO_ROOT / "tests").rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
