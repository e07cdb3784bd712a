"""matrix (the single list of environments for the workflows) and outputs masking."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from tests.fixture_paths import REPO_ROOT
from tests.pipeline.support import assert_one_line_error


def test_matrix_is_one_compact_line_in_deploy_order(run_cli, monkeypatch) -> None:
    for name in ("CATALOG_ENVIRONMENTS", "CATALOG_REGION"):
        monkeypatch.delenv(name, raising=False)

    result = run_cli("matrix")

    assert result.code == 0
    assert result.out.count("\n") == 1
    assert " " not in result.out
    assert json.loads(result.out) == {
        "include": [
            {
                "environment": env,
                "stack": f"catalog-api-{env}",
                "region": "eu-north-1",
                "plan_role": f"catalog-api-github-plan-{env}",
                "apply_role": f"catalog-api-github-apply-{env}",
            }
            for env in ("dev", "staging", "prod")
        ]
    }


def test_matrix_honours_the_catalog_overrides(run_cli, monkeypatch) -> None:
    monkeypatch.setenv("CATALOG_ENVIRONMENTS", "prod")
    monkeypatch.setenv("CATALOG_REGION", "eu-west-1")

    entries = run_cli("matrix").json()["include"]

    assert [(e["environment"], e["region"]) for e in entries] == [("prod", "eu-west-1")]


def test_matrix_with_a_bad_environment_is_one_line(run_cli, monkeypatch) -> None:
    monkeypatch.setenv("CATALOG_ENVIRONMENTS", "dev,qa")

    assert_one_line_error(run_cli("matrix"), "unknown environment 'qa'")


def _stdlib_matrix(environments: str) -> subprocess.CompletedProcess[str]:
    """``python -m pipeline.environments`` as drift.yml's and pr-plan.yml's first jobs run it,
    with nothing installed: -S leaves site-packages (click, cdktf, ...) out of reach."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    env["CATALOG_ENVIRONMENTS"] = environments
    return subprocess.run(
        [sys.executable, "-S", "-m", "pipeline.environments"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_the_matrix_needs_only_the_standard_library(run_cli, monkeypatch) -> None:
    monkeypatch.setenv("CATALOG_ENVIRONMENTS", "dev,prod")
    for name in ("CATALOG_REGION", "CATALOG_STATE_BUCKET"):
        monkeypatch.delenv(name, raising=False)

    result = _stdlib_matrix("dev,prod")

    assert result.returncode == 0, result.stderr
    assert result.stdout == run_cli("matrix").out


@pytest.mark.parametrize("environments", ["dev,qa", "dev,dev"])
def test_the_stdlib_matrix_refuses_a_bad_setting_in_one_line(environments: str) -> None:
    result = _stdlib_matrix(environments)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr


TERRAFORM_OUTPUTS = {
    "alb_dns_name": {"sensitive": False, "type": "string", "value": "catalog-dev.elb.example"},
    "db_password": {"sensitive": True, "type": "string", "value": "Pa55-NeverShown"},
    "subnets": {"sensitive": False, "type": ["list", "string"], "value": ["subnet-1", "subnet-2"]},
}


def test_outputs_mask_sensitive_values(run_cli, write_json) -> None:
    path = write_json("outputs.json", TERRAFORM_OUTPUTS)

    markdown = run_cli("outputs", path, "--title", "Outputs of dev").out
    as_json = run_cli("outputs", path, "--format", "json").json()

    assert "Pa55-NeverShown" not in markdown
    assert '| `alb_dns_name` | `"catalog-dev.elb.example"` |' in markdown
    assert "| `db_password` | `(sensitive)` |" in markdown
    assert as_json["db_password"] == "(sensitive)"
    assert as_json["subnets"] == ["subnet-1", "subnet-2"]


def test_outputs_from_stdin(run_cli, monkeypatch) -> None:
    raw = json.dumps(TERRAFORM_OUTPUTS).encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))

    result = run_cli("outputs", "-")

    assert result.code == 0
    assert "Pa55-NeverShown" not in result.out
    assert "| `db_password` | `(sensitive)` |" in result.out


def test_no_outputs(run_cli, write_json) -> None:
    assert "No outputs." in run_cli("outputs", write_json("o.json", {})).out
