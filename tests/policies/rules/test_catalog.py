"""Every registered rule is complete: metadata, a doc with the required sections, and tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policies.catalog import stale
from policies.model import Severity
from policies.registry import DOCS_DIR, FAILURE_CLASSES, SERVICES
from policies.rules import all_rules
from policies.toolkit.rows import ROWS
from tests.policies.rules.row_cases import unknown_variants

RULES = all_rules()
TEST_TEXT = "\n".join(
    p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py")
)
REQUIRED_SECTIONS = ("## Why", "## How to fix", "## Example")


def test_rule_pack_is_loaded():
    assert len(RULES) >= 20
    assert {r.id for r in RULES} >= {"AT001", "AT002", "AT003", "AT005", "AT006", "PLAN001"}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_metadata(rule):
    assert re.fullmatch(r"(AT|SEC|OPS|PLAN)\d{3}", rule.id)
    assert rule.title and rule.title[0].isupper()
    assert isinstance(rule.severity, Severity)
    assert rule.category in {"apply-time", "security", "operations", "plan"}
    assert rule.resource_types and all(rule.resource_types)
    assert rule.applies_to and rule.applies_to <= {"config", "plan"}
    if rule.id.startswith("PLAN"):
        assert rule.applies_to == {"plan"}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_states_service_failure_class_and_source(rule):
    assert rule.service in SERVICES, f"{rule.id}: service {rule.service!r} not in SERVICES"
    assert rule.failure_class in FAILURE_CLASSES, rule.failure_class
    assert re.fullmatch(r"https://\S+", rule.source), rule.source
    # Posture is for security and operations hygiene; an AT rule predicts an apply failure.
    assert (rule.failure_class == "posture") == (rule.category in {"security", "operations"})


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_doc(rule):
    path = DOCS_DIR / f"{rule.id}.md"
    assert path.is_file(), f"missing {path}"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# {rule.id}"), "first line names the rule"
    positions = [text.find(section) for section in REQUIRED_SECTIONS]
    assert all(p >= 0 for p in positions), positions
    assert positions == sorted(positions), "sections in order: Why, How to fix, Example"
    example = text[positions[2] :]
    assert re.search(r"fail", example, re.I) and re.search(r"pass", example, re.I)
    assert example.count("```") >= 4, "a failing and a passing snippet"
    assert re.search(r"https?://|#\d+", text), "cites the AWS/provider source or issue"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_pass_fail_and_unknown_cases(rule):
    if rule.id in ROWS:
        # Table rows get their cases from the row (test_rows.py builds them).
        row = ROWS[rule.id]
        assert row.failing and row.passing
        assert unknown_variants(row), f"{rule.id}: no unknown-value case"
        return
    ids = re.findall(rf'id="{rule.id}-(\w+)', TEST_TEXT)
    assert "pass" in ids, f"{rule.id}: no passing case"
    assert {"fail", "warn", "info"} & set(ids), f"{rule.id}: no failing case"
    assert "unknown" in ids, f"{rule.id}: no unknown-value case"


def test_generated_docs_are_up_to_date():
    # docs/policies.md's rule listing and the docs of table rows come from the registry.
    assert [str(p) for p in stale(RULES)] == [], "run: python -m policies.catalog --write"


def test_docs_policies_md_lists_every_rule_with_its_severity():
    # The README points readers to docs/policies.md for the full list; a new rule must join it.
    listing = (DOCS_DIR.parent.parent / "docs" / "policies.md").read_text(encoding="utf-8")
    rows = dict(
        re.findall(r"^\| \[(\w+)\]\(\.\./policies/docs/\w+\.md\) \| (\w+) \|", listing, re.M)
    )
    assert rows == {rule.id: rule.severity.value for rule in RULES}
