"""Real Terraform plans of the issue-12 rule examples: each failing plan is flagged, no passing one.

The fixtures (tests/policies/fixtures/issue12_plans/README.md) are what Terraform 1.11 and the
AWS provider accepted at plan time, so a hit here is an apply-time failure Terraform misses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policies.cli import run

PLANS = Path(__file__).parent / "fixtures" / "issue12_plans"
FAILING = sorted(PLANS.glob("*_failing*.json"))
PASSING = sorted(PLANS.glob("*_passing.json"))


def check(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, Any]:
    run(["check", str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert "internal error" not in err, err
    return json.loads(out)


def rule_of(path: Path) -> str:
    return path.name.split("_", 1)[0]


def test_every_rule_example_has_plans() -> None:
    assert len(FAILING) >= 17 and len(PASSING) >= 16
    assert {rule_of(p) for p in PASSING} <= {rule_of(p) for p in FAILING}


@pytest.mark.parametrize("path", FAILING, ids=lambda p: p.stem)
def test_failing_plan_is_flagged(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    report = check(capsys, path)
    hits = [f for f in report["findings"] if f["rule_id"] == rule_of(path)]
    assert hits, report["findings"]
    assert {f["severity"] for f in hits} == {"error"}


@pytest.mark.parametrize("path", PASSING, ids=lambda p: p.stem)
def test_passing_plan_is_not_flagged(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    report = check(capsys, path)
    ours = [f for f in report["findings"] if f["rule_id"].startswith(("AT2", "PLAN1"))]
    assert ours == []


def test_plan_keeps_which_attribute_a_reference_reads(capsys: pytest.CaptureFixture[str]) -> None:
    # .arn versus .qualified_arn only shows in the plan's configuration references.
    report = check(capsys, PLANS / "AT217_failing_unqualified_reference.json")
    messages = [f["message"] for f in report["findings"] if f["rule_id"] == "AT217"]
    assert any(
        "aws_lambda_function.edge.arn is the unqualified function ARN" in m for m in messages
    )
    report = check(capsys, PLANS / "AT217_failing_function_region.json")
    messages = [f["message"] for f in report["findings"] if f["rule_id"] == "AT217"]
    assert any("must be in us-east-1" in m for m in messages)
