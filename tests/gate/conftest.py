from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fixture_paths import REPO_ROOT

GATE = REPO_ROOT / "scripts" / "pre-validate-iac.sh"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

TAGS = {"Project": "catalog-api", "Environment": "dev", "ManagedBy": "cdktf", "Owner": "team"}


@dataclass(frozen=True, kw_only=True)
class GateRun:
    returncode: int
    stdout: str
    stderr: str
    reports: Path


@pytest.fixture
def run_gate(tmp_path: Path):
    """Run the real gate script with its reports and caches under tmp_path."""

    def run(*args: str, env: dict[str, str] | None = None) -> GateRun:
        reports = tmp_path / "reports"
        completed = subprocess.run(
            ["bash", str(GATE), *args, "--reports-dir", str(reports)],
            cwd=REPO_ROOT,
            env={
                **os.environ,
                "GATE_CACHE_DIR": str(tmp_path / "cache"),
                "CDKTF_OUTDIR": str(tmp_path / "cdktf.out"),
                **(env or {}),
            },
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        return GateRun(
            returncode=completed.returncode,
            stdout=completed.stdout,
            stderr=completed.stderr,
            reports=reports,
        )

    return run


def minimal_stack(*, resources: dict[str, Any] | None = None) -> dict[str, Any]:
    """A synthesized stack as cdktf lays it out, tagged the way the policies require."""
    document: dict[str, Any] = {
        "provider": {"aws": [{"region": "eu-north-1", "default_tags": [{"tags": TAGS}]}]},
        "terraform": {
            "required_providers": {"aws": {"source": "aws", "version": "6.25.0"}},
        },
    }
    if resources:
        document["resource"] = resources
    return document


def write_stacks(directory: Path, stacks: dict[str, dict[str, Any] | str]) -> Path:
    """Lay out ``stacks/<name>/cdk.tf.json`` (a str is written verbatim, e.g. broken JSON)."""
    for name, document in stacks.items():
        target = directory / "stacks" / name / "cdk.tf.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = document if isinstance(document, str) else json.dumps(document, indent=2)
        target.write_text(text, encoding="utf-8")
    return directory
