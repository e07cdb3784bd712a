"""Step 5: ``terraform fmt -check`` where it applies and ``validate`` on each stack.

Runs only when the binary exists; otherwise it says so. When ``init`` cannot download the
providers (no network to the registry) the stack is reported as skipped with that reason:
never a pass that did not happen. Any other failure fails the step.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from gate import fingerprint
from gate.options import GateOptions
from gate.runner import Status, StepLog, StepResult
from gate.stacks import Stack, StacksError, discover_stacks

TIMEOUT_SECONDS = 600
# What terraform prints when the provider registry or its CDN cannot be reached.
_NETWORK_FAILURE = re.compile(
    r"could not connect to registry|failed to request discovery document|no such host"
    r"|dial tcp|i/o timeout|TLS handshake timeout|connection refused|network is unreachable"
    r"|Failed to query available provider packages.*\n(.*\n)*.*(timeout|connect)",
    re.IGNORECASE,
)


def run(options: GateOptions, log: StepLog) -> StepResult:
    terraform = shutil.which("terraform")
    if terraform is None:
        return StepResult(status=Status.SKIPPED, detail="skipped: terraform not installed")
    try:
        stacks = discover_stacks(options.stacks_dir, environment=options.environment)
    except StacksError as exc:
        return StepResult(status=Status.FAILED, detail=str(exc))

    env = _terraform_env(options)
    version_line = _version(terraform, options=options, log=log, env=env)
    lines = [version_line, _fmt_check(terraform, stacks=stacks, options=options, log=log, env=env)]
    fmt_failed = lines[-1].startswith("fmt -check failed")

    validated: list[str] = []
    cached: list[str] = []
    failed: list[str] = []
    skipped: list[tuple[str, str]] = []  # (stack, reason)
    for stack in stacks:
        outcome = _validate(
            terraform, stack=stack, version=version_line, options=options, log=log, env=env
        )
        if outcome == "validated":
            validated.append(stack.name)
        elif outcome == "cached":
            cached.append(stack.name)
        elif outcome == "failed":
            failed.append(stack.name)
        else:
            skipped.append((stack.name, outcome))
    for reason in dict.fromkeys(reason for _, reason in skipped):
        names = [name for name, why in skipped if why == reason]
        lines.append(f"skipped {len(names)} stack(s): {reason}: {', '.join(names)}")
    if cached:
        lines.append(f"validate reused for unchanged stack(s): {', '.join(cached)}")
    if failed:
        lines.append(f"validate failed: {', '.join(failed)}")

    ok = len(validated) + len(cached)
    detail = f"validate: {ok}/{len(stacks)} stack(s) valid"
    if failed or fmt_failed:
        return StepResult(status=Status.FAILED, detail=detail, lines=tuple(lines))
    if skipped and ok == 0:
        return StepResult(
            status=Status.SKIPPED,
            detail=f"skipped: terraform init cannot download providers "
            f"(registry unreachable); validated 0/{len(stacks)}",
            lines=tuple(lines),
        )
    if skipped:
        return StepResult(status=Status.WARNING, detail=detail, lines=tuple(lines))
    return StepResult(status=Status.PASSED, detail=detail, lines=tuple(lines))


def _version(terraform: str, *, options: GateOptions, log: StepLog, env) -> str:
    output = log.run([terraform, "version", "-json"], cwd=options.root, env=env).stdout
    match = re.search(r'"terraform_version"\s*:\s*"([^"]+)"', output)
    return f"terraform {match.group(1)}" if match else "terraform (unknown version)"


def _terraform_env(options: GateOptions) -> dict[str, str]:
    env = {"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"}
    # One provider download per machine instead of one per stack and run.
    plugin_cache = Path(
        os.environ.get("TF_PLUGIN_CACHE_DIR") or options.cache_dir / "terraform-plugins"
    )
    # terraform ignores a cache directory that does not exist yet (CI's first, uncached run
    # sets TF_PLUGIN_CACHE_DIR to one), so nothing would be cached for the next run.
    plugin_cache.mkdir(parents=True, exist_ok=True)
    env["TF_PLUGIN_CACHE_DIR"] = str(plugin_cache.resolve())
    # The stacks have no lock file (validation throws it away), and without this terraform
    # >= 1.4 ignores the plugin cache for providers missing from the lock file.
    env["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"] = "true"
    return env


def _fmt_check(terraform: str, *, stacks, options: GateOptions, log: StepLog, env) -> str:
    # CDKTF emits JSON (.tf.json), which terraform fmt does not format; only .tf files count.
    tf_files = sorted(p for s in stacks for p in s.directory.glob("*.tf"))
    if not tf_files:
        return "fmt -check: not applicable (no .tf files; CDKTF emits .tf.json)"
    completed = log.run(
        [terraform, "fmt", "-check", "-diff", *map(str, tf_files)], cwd=options.root, env=env
    )
    if completed.returncode != 0:
        return f"fmt -check failed on {len(tf_files)} .tf file(s); run terraform fmt"
    return f"fmt -check: {len(tf_files)} .tf file(s) formatted"


def _validate(
    terraform: str, *, stack: Stack, version: str, options: GateOptions, log: StepLog, env
) -> str:
    """One of "validated", "cached", "failed", or a skip reason."""
    key = fingerprint.combine(fingerprint.hash_files([stack.file], base=stack.directory), version)
    stamp = options.cache_dir / "terraform" / f"{stack.name}.json"
    if options.use_cache and fingerprint.read_stamp(stamp).get("valid") == key:
        log.write(f"{stack.name}: unchanged since it last validated")
        return "cached"
    init = log.run(
        [
            terraform,
            f"-chdir={stack.directory}",
            "init",
            "-backend=false",
            "-input=false",
            "-no-color",
        ],
        cwd=options.root,
        env=env,
        timeout=TIMEOUT_SECONDS,
    )
    if init.returncode != 0:
        if _NETWORK_FAILURE.search(init.stdout):
            return "terraform init cannot download providers (registry unreachable)"
        return "failed"
    validate = log.run(
        [terraform, f"-chdir={stack.directory}", "validate", "-no-color"],
        cwd=options.root,
        env=env,
        timeout=TIMEOUT_SECONDS,
    )
    if validate.returncode != 0:
        stamp.unlink(missing_ok=True)
        return "failed"
    fingerprint.write_stamp(stamp, {"valid": key})
    return "validated"
