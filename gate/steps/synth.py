"""Step 1: synthesize every selected environment, unless nothing that feeds synth has changed."""

from __future__ import annotations

import os
import sys

from gate import fingerprint
from gate.options import GateOptions
from gate.runner import Status, StepLog, StepResult
from gate.stacks import StacksError, discover_stacks, stacks_fingerprint_files
from infra.config import SETTING_NAMES

SYNTH_TIMEOUT_SECONDS = 600


def synth_environment(options: GateOptions) -> dict[str, str]:
    """The CATALOG_* values synth will see: the caller's, narrowed by --env.

    Every setting infra/config.py reads from the environment; they are part of the synth
    fingerprint, so changing one re-synthesizes.
    """
    values = {name: os.environ.get(name, "") for name in SETTING_NAMES}
    if options.environment is not None:
        values["CATALOG_ENVIRONMENTS"] = options.environment
    return values


def input_fingerprint(options: GateOptions) -> str:
    """Hash of infra/, facts/ (which infra reads), Pipfile.lock and the env overrides:
    everything synth output depends on."""
    root = options.root
    files = [
        *fingerprint.tree_files(root / "infra"),
        *fingerprint.tree_files(root / "facts"),
        # The //.source format infra/sources.py writes into every stack.
        *(path for path in [root / "tfjson" / "source.py"] if path.is_file()),
        root / "Pipfile.lock",
    ]
    return fingerprint.combine(
        fingerprint.hash_files(files, base=root),
        fingerprint.hash_values(synth_environment(options)),
        str(options.stacks_dir.resolve()),
    )


def output_fingerprint(options: GateOptions) -> str | None:
    try:
        stacks = discover_stacks(options.stacks_dir, environment=options.environment)
    except StacksError:
        return None
    return fingerprint.hash_files(stacks_fingerprint_files(stacks), base=options.stacks_dir)


def stamp_path(options: GateOptions):
    return options.cache_dir / "synth.json"


def is_fresh(options: GateOptions) -> bool:
    """True when the last synth saw the same inputs and its output is untouched since."""
    stamp = fingerprint.read_stamp(stamp_path(options))
    return (
        stamp.get("inputs") == input_fingerprint(options)
        and stamp.get("outputs") is not None
        and stamp.get("outputs") == output_fingerprint(options)
    )


def run(options: GateOptions, log: StepLog) -> StepResult:
    if options.stacks_dir_given:
        return StepResult(
            status=Status.SKIPPED,
            detail=f"skipped: evaluating pre-made stacks in {options.stacks_dir} (--stacks-dir)",
        )
    if options.use_cache and is_fresh(options):
        log.write("synth inputs unchanged since the last synth; output untouched")
        return StepResult(
            status=Status.SKIPPED,
            detail="skipped: inputs unchanged since the last synth (infra/, facts/, Pipfile.lock, "
            "CATALOG_* settings); --no-cache forces it",
        )
    inputs = input_fingerprint(options)
    completed = log.run(
        [sys.executable, "-m", "infra"],
        cwd=options.root,
        env={**synth_environment(options), "CDKTF_OUTDIR": str(options.stacks_dir.resolve())},
        timeout=SYNTH_TIMEOUT_SECONDS,
    )
    if completed.returncode != 0:
        stamp_path(options).unlink(missing_ok=True)
        return StepResult(
            status=Status.FAILED, detail=f"python -m infra exited {completed.returncode}"
        )
    try:
        stacks = discover_stacks(options.stacks_dir, environment=options.environment)
    except StacksError as exc:
        return StepResult(status=Status.FAILED, detail=str(exc))
    outputs = output_fingerprint(options)
    fingerprint.write_stamp(stamp_path(options), {"inputs": inputs, "outputs": outputs or ""})
    return StepResult(
        status=Status.PASSED,
        detail=f"{len(stacks)} stack(s): {', '.join(s.name for s in stacks)}",
    )
