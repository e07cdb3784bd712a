"""Step 6: tflint on each stack, when the binary exists; otherwise it says so."""

from __future__ import annotations

import shutil
from pathlib import Path

from gate.options import GateOptions
from gate.runner import Status, StepLog, StepResult
from gate.stacks import StacksError, discover_stacks

CONFIG = Path("tools/tflint/tflint.hcl")
TIMEOUT_SECONDS = 300


def run(options: GateOptions, log: StepLog) -> StepResult:
    tflint = shutil.which("tflint")
    if tflint is None:
        return StepResult(status=Status.SKIPPED, detail="skipped: tflint not installed")
    try:
        stacks = discover_stacks(options.stacks_dir, environment=options.environment)
    except StacksError as exc:
        return StepResult(status=Status.FAILED, detail=str(exc))
    config = str((options.root / CONFIG).resolve())
    init = log.run(
        [tflint, f"--config={config}", "--init"], cwd=options.root, timeout=TIMEOUT_SECONDS
    )
    if init.returncode != 0:
        return StepResult(status=Status.FAILED, detail="tflint --init failed; see the log")
    failed = []
    for stack in stacks:
        completed = log.run(
            [tflint, f"--chdir={stack.directory}", f"--config={config}", "--format=compact"],
            cwd=options.root,
            timeout=TIMEOUT_SECONDS,
        )
        if completed.returncode != 0:
            failed.append(stack.name)
    if failed:
        return StepResult(
            status=Status.FAILED,
            detail=f"issues in {len(failed)}/{len(stacks)} stack(s): " + ", ".join(failed),
        )
    return StepResult(status=Status.PASSED, detail=f"{len(stacks)} stack(s) clean")
