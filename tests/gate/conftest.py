from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_session_dir
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


@pytest.fixture(scope="session")
def checkov_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ONE checkov environment for every test that scans, never built inside the checkout.

    ``GATE_CHECKOV_VENV`` when the caller set it (CI may prebuild one); else the project's
    ``.venv-checkov`` when it is current (only read; once a build the gate is running has
    finished); else one built for this session, by the first xdist worker that asks.
    """
    from gate.runner import StepLog
    from gate.steps.checkov import VENV, VENV_ENV, ensure_venv, venv_is_current, venv_lock

    if os.environ.get(VENV_ENV):
        return Path(os.environ[VENV_ENV])
    # Under the gate, its checkov step may be building .venv-checkov right now: wait for it.
    with venv_lock(REPO_ROOT / VENV):
        if venv_is_current(REPO_ROOT / VENV, root=REPO_ROOT):
            return REPO_ROOT / VENV
    venv = shared_session_dir(tmp_path_factory) / "checkov-venv"
    log_path = venv.parent / "checkov-venv-build.log"
    with log_path.open("a") as handle:
        failure = ensure_venv(venv, root=REPO_ROOT, log=StepLog(path=log_path, handle=handle))
    if failure is not None:
        pytest.fail(f"{failure.detail}; see {log_path}")
    return venv


@pytest.fixture
def run_gate(tmp_path: Path):
    """Run the real gate script with its reports and caches under tmp_path.

    A test that runs the checkov step passes ``GATE_CHECKOV_VENV`` from ``checkov_venv``;
    any other run gets an empty location outside the checkout, so no gate run started by the
    tests ever builds or replaces the project's ``.venv-checkov``.
    """

    def run(*args: str, env: dict[str, str] | None = None) -> GateRun:
        reports = tmp_path / "reports"
        completed = subprocess.run(
            ["bash", str(GATE), *args, "--reports-dir", str(reports)],
            cwd=REPO_ROOT,
            env={
                **os.environ,
                "GATE_CACHE_DIR": str(tmp_path / "cache"),
                "CDKTF_OUTDIR": str(tmp_path / "cdktf.out"),
                "GATE_CHECKOV_VENV": str(tmp_path / "no-checkov-venv"),
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
