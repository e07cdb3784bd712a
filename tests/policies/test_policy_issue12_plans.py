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


# Issue 19: the plan-time rules read the prior state; on the 12 shared real plans
# (tests/fixtures/terraform-plans) none of them may report an error, and none may crash.
SHARED_PLANS = sorted((Path(__file__).parents[1] / "fixtures" / "terraform-plans").glob("*.json"))
PLAN_TIME_RULES = ("PLAN110", "PLAN111", "PLAN120", "PLAN130", "PLAN140", "PLAN150", "PLAN160")
PLAN_TIME_RULES += ("PLAN161", "PLAN170")


def test_the_shared_real_plans_are_all_here() -> None:
    assert len(SHARED_PLANS) == 12


@pytest.mark.parametrize("path", SHARED_PLANS, ids=lambda p: p.stem)
def test_plan_time_rules_report_no_error_on_the_shared_real_plans(
    capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    report = check(capsys, path)
    assert report["summary"]["internal_errors"] == 0
    errors = [
        f
        for f in report["findings"]
        if f["rule_id"] in PLAN_TIME_RULES and f["severity"] == "error"
    ]
    assert errors == []
