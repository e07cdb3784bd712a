"""End to end through the CLI with the real rule pack: scenarios, our own stacks, real plans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policies.cli import run
from tests.fixture_paths import TERRAFORM_PLANS

FIXTURES = Path(__file__).parent / "fixtures"

# Scenario file -> (rule ID, address) it must trigger as a blocking error. Rule IDs are stable
# (policies/registry.py), so a renumbered rule fails here on purpose.
SCENARIOS = {
    "scenario_cloudfront_forwarded_values_with_cache_policy.tf.json": [
        ("AT002", "aws_cloudfront_distribution.cdn")
    ],
    "scenario_ecs_launch_type_with_capacity_provider_strategy.tf.json": [
        ("AT003", "aws_ecs_service.api")
    ],
    "scenario_s3_lifecycle_rule_without_filter.tf.json": [
        ("AT005", "aws_s3_bucket_lifecycle_configuration.logs")
    ],
    "scenario_aurora_postgresql_15_3_eu_north_1.tf.json": [("AT006", "aws_rds_cluster.db")],
    "scenario_dev_secret_fixed_name_default_recovery_window.tf.json": [
        ("AT007", "aws_secretsmanager_secret.app_config")
    ],
    "scenario_s3_backend_encrypt_false_unknown_argument.tf.json": [
        ("SEC001", "terraform.backend.s3"),
        ("AT001", "terraform.backend.s3"),
    ],
    "scenario_literal_master_password.tf.json": [("SEC002", "aws_db_instance.legacy")],
    "plan_stateful_replace.json": [
        ("PLAN001", "aws_rds_cluster.db"),
        ("PLAN001", 'aws_secretsmanager_secret.old["reporting"]'),
    ],
}


def check_json(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, dict[str, Any]]:
    code = run(["check", *(str(arg) for arg in args), "--format", "json"])
    out, err = capsys.readouterr()
    assert "internal error" not in err, err
    return code, json.loads(out)


@pytest.mark.parametrize(("name", "expected"), SCENARIOS.items(), ids=list(SCENARIOS))
def test_each_scenario_triggers_its_rule(
    capsys: pytest.CaptureFixture[str], name: str, expected: list[tuple[str, str]]
) -> None:
    code, report = check_json(capsys, FIXTURES / name)
    errors = {(f["rule_id"], f["address"]) for f in report["findings"] if f["severity"] == "error"}
    for rule_id, address in expected:
        assert (rule_id, address) in errors, report["findings"]
    assert code == 1


def test_plan_findings_show_terraforms_action_reason(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = check_json(capsys, FIXTURES / "plan_stateful_replace.json")
    replace = next(
        f
        for f in report["findings"]
        if f["rule_id"] == "PLAN001" and f["address"] == "aws_rds_cluster.db"
    )
    assert "cannot" in replace["message"]  # replace_because_cannot_update, in words or not


def test_literal_secret_is_never_echoed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    secret = "Correct-Horse-Battery-Staple-42"
    source = FIXTURES / "scenario_literal_master_password.tf.json"
    assert secret in source.read_text()
    outputs = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "sarif", "junit", "markdown")}
    args = [str(source), "--format", "text"]
    for fmt, path in outputs.items():
        args += ["--format", fmt, "--output", str(path)]
    assert run(["check", *args]) == 1
    out, err = capsys.readouterr()
    assert "SEC002" in out
    for text in (out, err, *(path.read_text() for path in outputs.values())):
        assert secret not in text


def test_the_repository_stacks_have_no_error_level_finding(
    capsys: pytest.CaptureFixture[str], synth_dir: Path
) -> None:
    code, report = check_json(capsys, synth_dir)
    stacks = {stack["stack"]: stack for stack in report["stacks"]}
    for environment in ("dev", "staging", "prod"):
        assert stacks[f"catalog-api-{environment}"]["environment"] == environment
        assert stacks[f"catalog-api-{environment}"]["resources"] > 0
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert errors == []
    assert code == 0


def test_the_shared_plan_fixtures_are_present() -> None:
    # Guards the parametrized test below from silently collecting nothing.
    assert len(list(TERRAFORM_PLANS.glob("*.json"))) >= 10


@pytest.mark.parametrize("plan", sorted(TERRAFORM_PLANS.glob("*.json")), ids=lambda path: path.stem)
def test_every_shared_plan_loads_and_evaluates(
    capsys: pytest.CaptureFixture[str], plan: Path
) -> None:
    code, report = check_json(capsys, plan)
    assert code in (0, 1)
    assert report["stacks"][0]["kind"] == "plan"
    assert report["summary"]["resources"] > 0


# The only errors the pack may raise on the shared real plans: one plan replaces a Secrets
# Manager secret (PLAN001, a true positive: its versions go with it) and carries none of our
# tags (OPS004 at production severity, since no --env is given). Every apply-time (AT*),
# trust-boundary (SEC*) and plan-relation (PLAN1xx) rule must stay silent on all twelve.
EXPECTED_ERRORS_ON_REAL_PLANS = {
    ("checkov__plan_with_deleted_resources", "OPS004", "aws_secretsmanager_secret.default"),
    ("checkov__plan_with_deleted_resources", "PLAN001", "aws_secretsmanager_secret.default"),
}


def test_the_real_plans_raise_no_error_beyond_the_known_true_positives(
    capsys: pytest.CaptureFixture[str],
) -> None:
    errors = set()
    for plan in sorted(TERRAFORM_PLANS.glob("*.json")):
        _, report = check_json(capsys, plan)
        errors |= {
            (plan.stem, finding["rule_id"], finding["address"])
            for finding in report["findings"]
            if finding["severity"] == "error"
        }
    assert errors == EXPECTED_ERRORS_ON_REAL_PLANS
