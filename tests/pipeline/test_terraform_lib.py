"""scripts/lib/terraform.sh with a fake `terraform`: exit codes of plan -detailed-exitcode.

0 means no changes, 2 changes; anything else must fail loudly and never read as "no changes"
(for drift: never "no drift"), even under `set -euo pipefail`.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.fixture_paths import REPO_ROOT

LIB = REPO_ROOT / "scripts" / "lib" / "terraform.sh"

FAKE_TERRAFORM = """#!/usr/bin/env bash
echo "terraform $*" >>"$FAKE_TF_LOG"
echo "plan output that must not reach stdout of the caller"
exit "$FAKE_TF_EXIT"
"""

# What the drift and deploy scripts do: capture the verdict under errexit, then go on.
CALLER = """
set -euo pipefail
source "$LIB"
verdict=$(terraform_plan stack drift.tfplan -refresh-only)
echo "verdict=$verdict"
"""


def _run(tmp_path: Path, exit_code: int) -> tuple[subprocess.CompletedProcess[str], str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "terraform"
    fake.write_text(FAKE_TERRAFORM, encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "tf.log"
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "LIB": str(LIB),
        "FAKE_TF_LOG": str(log),
        "FAKE_TF_EXIT": str(exit_code),
    }
    result = subprocess.run(
        ["bash", "-c", CALLER], env=env, capture_output=True, text=True, check=False, timeout=30
    )
    return result, log.read_text(encoding="utf-8")


@pytest.mark.parametrize(("exit_code", "verdict"), [(0, "no-changes"), (2, "changes")])
def test_plan_exit_codes_0_and_2_are_verdicts(tmp_path, exit_code, verdict) -> None:
    result, log = _run(tmp_path, exit_code)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"verdict={verdict}\n"
    assert log == (
        "terraform -chdir=stack plan -input=false -detailed-exitcode -lock=false "
        "-out=drift.tfplan -refresh-only\n"
    )


@pytest.mark.parametrize("exit_code", [1, 3, 127])
def test_plan_error_fails_loudly_and_gives_no_verdict(tmp_path, exit_code) -> None:
    result, _ = _run(tmp_path, exit_code)

    assert result.returncode != 0
    assert "verdict" not in result.stdout
    assert f"error: terraform plan failed (exit code {exit_code}) in stack" in result.stderr
