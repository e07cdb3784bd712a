"""Each plan-time rule against real plans: its failing fixture is flagged, its passing one not.

The fixtures (tests/fixtures/plan-time/README.md) are `terraform show -json` of real plans:
Terraform 1.11 and the AWS provider 5.100.0 applied the "before" configuration to moto, then
planned the "after" one. ``regenerate.py`` beside them makes them again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policies.cli import run

FIXTURES = Path(__file__).parents[1] / "fixtures" / "plan-time"
# case -> (rule, severity the rule must report at most: "error" for failing cases, None when
# it must say nothing, "warning" when it may only warn).
CASES: dict[str, tuple[str, str | None]] = {
    "ec2-security-group-replaced-in-use": ("PLAN110", "error"),
    "ec2-security-group-create-before-destroy": ("PLAN110", None),
    "ec2-subnet-replaced-under-load-balancer": ("PLAN111", "error"),
    "ec2-subnet-replaced-with-its-interface": ("PLAN111", "warning"),
    "elbv2-target-group-replaced-under-listener": ("PLAN120", "error"),
    "elbv2-target-group-create-before-destroy": ("PLAN120", None),
    "rds-parameter-group-replaced-in-use": ("PLAN130", "error"),
    "rds-parameter-group-create-before-destroy": ("PLAN130", None),
    "acm-certificate-replaced-under-listener": ("PLAN140", "error"),
    "acm-certificate-create-before-destroy": ("PLAN140", None),
    "s3-bucket-with-logs-deleted": ("PLAN150", "error"),
    "s3-bucket-force-destroy-deleted": ("PLAN150", None),
    "rds-cluster-deleted-with-deletion-protection": ("PLAN160", "error"),
    "rds-cluster-deleted-without-deletion-protection": ("PLAN160", None),
    "rds-final-snapshot-identifier-taken": ("PLAN161", "error"),
    "rds-final-snapshot-identifier-free": ("PLAN161", "warning"),
    "iam-role-replaced-in-instance-profile": ("PLAN170", "error"),
    "iam-role-renamed-with-instance-profile": ("PLAN170", None),
}


def check(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, Any]:
    run(["check", str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert "internal error" not in err, err
    return json.loads(out)


def test_every_case_directory_is_listed_and_complete() -> None:
    found = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert found == set(CASES)
    for case in found:
        for name in ("before.tf.json", "after.tf.json", "plan.json"):
            assert (FIXTURES / case / name).is_file(), f"{case}/{name}"


def test_every_plan_time_rule_has_a_failing_and_a_passing_real_plan() -> None:
    rules = {rule for rule, _ in CASES.values()}
    assert len(rules) >= 8
    for rule in rules:
        severities = {severity for r, severity in CASES.values() if r == rule}
        assert "error" in severities and severities - {"error"}, rule


@pytest.mark.parametrize("case", sorted(CASES), ids=str)
def test_real_plan(capsys: pytest.CaptureFixture[str], case: str) -> None:
    plan = json.loads((FIXTURES / case / "plan.json").read_text())
    # Made by Terraform itself, with a prior state to read relations from.
    assert plan["terraform_version"].startswith("1.11")
    assert plan["prior_state"]["values"]["root_module"]["resources"]
    rule, expected = CASES[case]
    report = check(capsys, FIXTURES / case / "plan.json")
    severities = {f["severity"] for f in report["findings"] if f["rule_id"] == rule}
    if expected is None:
        assert severities == set()
    else:
        assert severities == {expected}
