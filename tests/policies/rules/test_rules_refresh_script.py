"""scripts/refresh-rds-engine-versions.sh against a stand-in `aws` CLI (no AWS account needed)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "refresh-rds-engine-versions.sh"

FAKE_AWS = """#!/usr/bin/env bash
# Answers describe-db-engine-versions like the real CLI; fails for region eu-south-9.
region=""; engine=""
while [ $# -gt 0 ]; do
  case "$1" in --region) region=$2; shift;; --engine) engine=$2; shift;; esac; shift
done
[ "$region" = "eu-south-9" ] && { echo "Could not connect to the endpoint URL" >&2; exit 255; }
case "$engine" in
  aurora-postgresql) echo '["16.6", "15.10", "16.10"]';;
  *) echo '[]';;
esac
"""


def run(tmp_path: Path, *regions: str) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "aws"
    fake.write_text(FAKE_AWS)
    fake.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "RDS_ENGINE_VERSIONS_FILE": str(tmp_path / "versions.json"),
        "RDS_ENGINES": "aurora-postgresql mysql",
    }
    return subprocess.run(
        ["bash", str(SCRIPT), *regions], env=env, capture_output=True, text=True, check=False
    )


def test_refresh_writes_sorted_versions_with_source_and_date(tmp_path):
    result = run(tmp_path, "eu-north-1", "eu-west-1")
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "versions.json").read_text())
    assert "describe-db-engine-versions" in data["source"]
    assert len(data["as_of"]) == 10
    assert data["regions"]["eu-north-1"] == {
        "aurora-postgresql": ["15.10", "16.6", "16.10"],
        "mysql": [],
    }
    assert set(data["regions"]) == {"eu-north-1", "eu-west-1"}


def test_refresh_failure_keeps_the_old_file_and_says_why(tmp_path):
    existing = tmp_path / "versions.json"
    existing.write_text('{"keep": true}')
    result = run(tmp_path, "eu-north-1", "eu-south-9")
    assert result.returncode == 2
    assert existing.read_text() == '{"keep": true}'
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("refresh-rds-engine-versions: eu-south-9 aurora-postgresql:")
    assert "Traceback" not in result.stderr


def test_refresh_rejects_a_malformed_region(tmp_path):
    result = run(tmp_path, "Europe")
    assert result.returncode == 2
    assert "'Europe' is not an AWS region name" in result.stderr
