"""The checkov step end to end, with the real checkov (the session's one checkov environment)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.gate.conftest import FIXTURES, REPO_ROOT

SCAN_FIXTURE = FIXTURES / "checkov-scan"


@pytest.mark.slow
def test_unexpected_failures_fail_the_gate_and_the_scan_is_reused(
    run_gate, checkov_venv: Path
) -> None:
    env = {"GATE_CHECKOV_VENV": str(checkov_venv)}
    first = run_gate("--only", "checkov", "--stacks-dir", str(SCAN_FIXTURE), env=env)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "gate FAILED: checkov" in first.stdout
    assert "1 stack(s), 9 passed, 0 accepted, 10 unexpected failure(s)" in first.stdout
    assert (
        "CKV_AWS_24 (1): Ensure no security groups allow ingress from 0.0.0.0:0 to port 22"
        in first.stdout
    )
    assert "aws_security_group.web_sg_5E6F7A8B in catalog-api-dev" in first.stdout
    # The accepted file's entries are about resources this scan never saw: not stale.
    assert "stale" not in first.stdout

    sarif = json.loads((first.reports / "checkov.sarif").read_text())
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    # Reports name the real stack file, not the temporary copy checkov read.
    assert uris == {str((SCAN_FIXTURE / "catalog-api-dev" / "cdk.tf.json").relative_to(REPO_ROOT))}
    assert "<testsuites" in (first.reports / "checkov.xml").read_text()

    second = run_gate("--only", "checkov", "--stacks-dir", str(SCAN_FIXTURE), env=env)
    assert second.returncode == 1
    assert "scan reused: stacks and checkov requirements unchanged" in second.stdout
    assert "10 unexpected failure(s)" in second.stdout
