"""Benchmark: prints the speed figures the policy pack promises (a benchmark, not a test).

    pipenv run python -m policies.bench [--stacks cdktf.out] [--resources 10000] [--checkov PATH]

1. The whole CLI process on the synthesized stacks (target: under 1 s).
2. The whole CLI process on a generated plan of 10,000 resources (targets: under 2 s, 300 MB).
3. The same single stack through ``checkov --framework terraform_json`` and through us, whole
   processes, alternating, compared median to median (target: at least 25x faster). checkov
   lives in its own virtualenv (.venv-checkov, made by the gate script) because its dependency
   pins clash with ours; without it that line says "skipped".
4. Where our start-up goes: the bare interpreter, and what ``check`` imports.

Every run is a fresh process, so interpreter start-up and imports are included: that is what
a developer waits for. Both tools run with a warm bytecode cache kept in a temporary
directory (PYTHONPYCACHEPREFIX), as on a developer's machine, so neither pays for compiling
its sources and nothing is written into the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
STACKS_TARGET_S = 1.0
PLAN_TARGET_S = 2.0
PLAN_TARGET_MB = 300
CHECKOV_TARGET_RATIO = 25.0
# Modules ``check`` must not import for a JSON report with no waivers (see policies/cli.py).
UNUSED_BY_CHECK = ("rich", "yaml", "jsonschema", "cdktf", "boto3")
_PYCACHE = tempfile.mkdtemp(prefix="policies-bench-pycache-")


@dataclass(frozen=True, kw_only=True)
class Run:
    seconds: float
    peak_mb: float
    exit_code: int


def measure(command: list[str]) -> Run:
    """Wall time and peak RSS of one child process (wait4 gives that child's own rusage)."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO_ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = _PYCACHE
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.stderr is not None:
        process.stderr.close()
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return Run(seconds=seconds, peak_mb=usage.ru_maxrss / divisor, exit_code=process.returncode)


def policies_command(*paths: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "policies",
        "check",
        *map(str, paths),
        "-f",
        "json",
        "-o",
        os.devnull,
    ]


def repeat(command: list[str], times: int) -> list[Run]:
    runs = [measure(command) for _ in range(times)]
    for run in runs:
        if run.exit_code not in (0, 1):
            raise click.ClickException(f"{' '.join(command)} exited {run.exit_code}")
    return runs


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


_STACK_TYPES = (
    "aws_s3_bucket",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_ecs_service",
    "aws_rds_cluster",
    "aws_secretsmanager_secret",
    "aws_lb",
    "aws_security_group",
    "aws_iam_role",
    "aws_cloudwatch_log_group",
    "aws_cloudfront_distribution",
)


def _row_examples() -> dict[str, dict[str, Any]]:
    """One valid (passing) value set per resource type the table rows judge, so the plan
    exercises those rules too and not only the stack's own types."""
    from policies.rules import all_rules
    from policies.toolkit.rows import ROWS

    all_rules()  # registers the rule pack, as the CLI does

    examples: dict[str, dict[str, Any]] = {}
    for row in ROWS.values():
        examples.setdefault(row.resource_types[0], dict(row.passing))
    return examples


_ROW_EXAMPLES = _row_examples()
_TYPES = (*_STACK_TYPES, *(t for t in _ROW_EXAMPLES if t not in _STACK_TYPES))


def _values(resource_type: str, index: int) -> dict[str, Any]:
    name = f"catalog-api-{index:05d}"
    common = {"tags": {"Project": "catalog-api", "Environment": "prod", "Owner": "platform"}}
    common["tags_all"] = {**common["tags"], "ManagedBy": "cdktf"}
    specific: dict[str, dict[str, Any]] = {
        "aws_s3_bucket": {"bucket": name, "force_destroy": False},
        "aws_s3_bucket_lifecycle_configuration": {
            "rule": [{"id": "expire", "status": "Enabled", "filter": [{"prefix": "logs/"}],
                      "expiration": [{"days": 90}]}],
        },
        "aws_ecs_service": {
            "name": name, "desired_count": 2, "launch_type": None,
            "capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1}],
            "network_configuration": [{"assign_public_ip": False, "subnets": ["subnet-1"]}],
        },
        "aws_rds_cluster": {
            "cluster_identifier": name, "engine": "aurora-postgresql", "engine_version": "16.4",
            "storage_encrypted": True, "deletion_protection": True, "skip_final_snapshot": False,
            "final_snapshot_identifier": f"{name}-final", "manage_master_user_password": True,
        },
        "aws_secretsmanager_secret": {"name": name, "recovery_window_in_days": 30},
        "aws_lb": {"name": f"alb-{index:05d}", "internal": False,
                   "load_balancer_type": "application",
                   "access_logs": [{"enabled": True, "prefix": "alb"}]},
        "aws_security_group": {"name": name, "description": "managed",
                               "ingress": [{"from_port": 443, "to_port": 443, "protocol": "tcp",
                                            "cidr_blocks": ["10.0.0.0/16"]}]},
        "aws_iam_role": {"name": name, "assume_role_policy": '{"Version":"2012-10-17"}',
                         "max_session_duration": 3600},
        "aws_cloudwatch_log_group": {"name": f"/ecs/{name}", "retention_in_days": 30},
        "aws_cloudfront_distribution": {
            "enabled": True,
            "default_cache_behavior": [{"target_origin_id": "alb", "cache_policy_id": "658327ea",
                                        "viewer_protocol_policy": "redirect-to-https"}],
            "viewer_certificate": [{"minimum_protocol_version": "TLSv1.2_2021",
                                    "ssl_support_method": "sni-only",
                                    "cloudfront_default_certificate": False}],
        },
    }  # fmt: skip
    if resource_type not in specific:
        return {**_ROW_EXAMPLES[resource_type], **common}
    return {**specific[resource_type], **common}


def generate_plan(resources: int) -> dict[str, Any]:
    """A plan shaped like ``terraform show -json`` output: changes, planned values, config."""
    changes, planned, declared, prior = [], [], [], []
    for index in range(resources):
        resource_type = _TYPES[index % len(_TYPES)]
        name = f"r{index:05d}"
        address = f"{resource_type}.{name}"
        after = {**_values(resource_type, index), "id": f"id-{index:05d}"}
        action = ("create", "update", "no-op", "no-op", "no-op")[index % 5]
        # Every 97th resource is replaced: the plan-time rules then build the prior state's
        # relation index (issue 19) and look its users up.
        actions = ["delete", "create"] if index % 97 == 1 and action != "create" else [action]
        if action != "create":
            prior.append(
                {"address": address, "mode": "managed", "type": resource_type, "name": name,
                 "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
                 "values": after, "sensitive_values": {}}
            )  # fmt: skip
        changes.append(
            {
                "address": address,
                "mode": "managed",
                "type": resource_type,
                "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": actions,
                    "before": None if action == "create" else after,
                    "after": after,
                    "after_unknown": {"arn": True, "id": action == "create", "tags": {}},
                    "before_sensitive": False if action == "create" else {},
                    "after_sensitive": {"tags": {}},
                },
            }
        )
        planned.append(
            {"address": address, "mode": "managed", "type": resource_type, "name": name,
             "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
             "values": after, "sensitive_values": {"tags": {}}}
        )  # fmt: skip
        declared.append(
            {"address": address, "mode": "managed", "type": resource_type, "name": name,
             "provider_config_key": "aws",
             "expressions": {"name": {"constant_value": after.get("name")},
                             "kms_key_id": {"references": ["aws_kms_key.main.arn",
                                                           "aws_kms_key.main"]}}}
        )  # fmt: skip
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": planned}},
        "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": prior}}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "full_name": "registry.terraform.io/hashicorp/aws",
                    "expressions": {
                        "region": {"constant_value": "eu-north-1"},
                        "default_tags": [{"tags": {"constant_value": {"Environment": "prod"}}}],
                    },
                }
            },
            "root_module": {"resources": declared},
        },
    }


def find_checkov(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit if explicit.exists() else None
    if DEFAULT_CHECKOV.exists():
        return DEFAULT_CHECKOV
    found = shutil.which("checkov")
    return Path(found) if found else None


@click.command()
@click.option(
    "--stacks",
    type=click.Path(file_okay=False, path_type=Path),
    default=REPO_ROOT / "cdktf.out",
    show_default=True,
    help="Synthesized app (cdktf.out layout).",
)
@click.option("--resources", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option("--repeat", "times", type=click.IntRange(min=1), default=5, show_default=True)
@click.option(
    "--checkov",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"checkov executable (default: {DEFAULT_CHECKOV.relative_to(REPO_ROOT)}, else PATH).",
)
def main(*, stacks: Path, resources: int, times: int, checkov: Path | None) -> None:
    """Print wall time and peak memory of the policy CLI, and its ratio to checkov."""
    try:
        _run_all(stacks=stacks, resources=resources, times=times, checkov=checkov)
    finally:
        shutil.rmtree(_PYCACHE, ignore_errors=True)


def _run_all(*, stacks: Path, resources: int, times: int, checkov: Path | None) -> None:
    click.echo(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, best/median of {times}")
    stack_files = sorted(stacks.glob("stacks/*/cdk.tf.json"))
    if stack_files:
        runs = repeat(policies_command(stacks), times)
        best = min(run.seconds for run in runs)
        click.echo(
            f"[1] CLI on {len(stack_files)} synthesized stacks: best {best:.3f} s, median "
            f"{statistics.median(run.seconds for run in runs):.3f} s, peak "
            f"{max(run.peak_mb for run in runs):.0f} MB "
            f"(target < {STACKS_TARGET_S:.0f} s: {verdict(best < STACKS_TARGET_S)})"
        )
    else:
        click.echo(f"[1] skipped: no stacks in {stacks} (run `pipenv run synth` first)")

    with tempfile.TemporaryDirectory(prefix="policies-bench-") as scratch:
        plan = Path(scratch) / f"plan-{resources}.json"
        plan.write_text(json.dumps(generate_plan(resources)), encoding="utf-8")
        size_mb = plan.stat().st_size / 1e6
        runs = repeat(policies_command(plan), max(1, min(times, 3)))
        best = min(run.seconds for run in runs)
        peak = max(run.peak_mb for run in runs)
        ok = best < PLAN_TARGET_S and peak < PLAN_TARGET_MB
        click.echo(
            f"[2] CLI on a generated plan of {resources:,} resources ({size_mb:.1f} MB): best "
            f"{best:.3f} s, peak {peak:.0f} MB "
            f"(target < {PLAN_TARGET_S:.0f} s and < {PLAN_TARGET_MB} MB: {verdict(ok)})"
        )

    executable = find_checkov(checkov)
    if not stack_files:
        click.echo("[3] skipped: no synthesized stack to compare on")
    elif executable is None:
        click.echo("[3] skipped: checkov not installed (.venv-checkov/bin/checkov or PATH)")
    else:
        stack = next((f for f in stack_files if "prod" in f.parent.name), stack_files[0])
        compare_with_checkov(stack, executable, times=max(times, 5))
    startup_breakdown(stack_files[0] if stack_files else None, times=times)


def compare_with_checkov(stack: Path, executable: Path, *, times: int) -> None:
    ours_command = policies_command(stack)
    checkov_command = [str(executable), "-f", str(stack), "--framework", "terraform_json",
                       "--quiet", "--compact", "-o", "json"]  # fmt: skip
    # One unmeasured run each fills the bytecode cache, then they alternate so load from
    # anything else running hits both alike.
    repeat(ours_command, 1)
    measure(checkov_command)
    ours_runs, theirs_runs = [], []
    for _ in range(times):
        ours_runs.extend(repeat(ours_command, 1))
        theirs_runs.append(measure(checkov_command))
    ours = statistics.median(run.seconds for run in ours_runs)
    theirs = statistics.median(run.seconds for run in theirs_runs)
    ratio = theirs / ours
    best_ratio = min(r.seconds for r in theirs_runs) / min(r.seconds for r in ours_runs)
    click.echo(
        f"[3] one stack ({stack.parent.name}), {times} alternating runs each, median: policies "
        f"{ours:.3f} s, checkov {theirs:.3f} s (exit {theirs_runs[0].exit_code}): "
        f"{ratio:.1f}x faster median to median ({best_ratio:.1f}x best to best) "
        f"(target >= {CHECKOV_TARGET_RATIO:.0f}x median: {verdict(ratio >= CHECKOV_TARGET_RATIO)})"
    )


def startup_breakdown(stack: Path | None, *, times: int) -> None:
    """The interpreter's own start-up, and the modules ``check`` imports that it must not."""
    bare = repeat([sys.executable, "-c", "pass"], times)
    line = (
        f"[4] start-up: bare interpreter median {statistics.median(r.seconds for r in bare):.3f} s"
    )
    if stack is None:
        click.echo(line)
        return
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONPYCACHEPREFIX": _PYCACHE}
    traced = subprocess.run(
        [sys.executable, "-X", "importtime", *policies_command(stack)[1:]],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    imported = {
        row.split("|")[-1].strip()
        for row in traced.stderr.splitlines()
        if row.startswith("import time:") and "|" in row
    }
    loaded = sorted(
        name for name in UNUSED_BY_CHECK if any(m.split(".")[0] == name for m in imported)
    )
    project = sum(1 for m in imported if m.split(".")[0] in ("policies", "tfjson", "facts"))
    click.echo(
        f"{line}; `check -f json` imports {len(imported)} modules ({project} of ours); "
        f"{', '.join(loaded) + ' loaded: MISSED' if loaded else 'no rich, yaml or jsonschema: ok'}"
    )


if __name__ == "__main__":
    main()
