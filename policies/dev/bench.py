"""Benchmark: prints the speed figures the policy pack promises (a benchmark, not a test).

    pipenv run policies bench [--stacks cdktf.out] [--resources 10000] [--checkov PATH]...
    (the same: python -m policies.dev.bench ...)

1. The whole CLI process on the synthesized stacks (target: under 1 s).
2. The whole CLI process on a generated plan of 10,000 resources (targets: under 2 s, 300 MB).
3. One stack (prod) as users check it, ``python -m policies check --format json --env prod
   <cdk.tf.json>``, against every checkov it is given or finds, alternating whole processes
   after one warm-up run each, median to median (target: at least 25x faster than the
   FASTEST checkov). checkov runs as the gate runs it (``--framework terraform_json
   --skip-download``, on the copy of the stack its parser can read), and a checkov run that
   parsed nothing is reported, since beating a tool that did no work proves nothing. checkov
   lives in its own virtualenv because its pins clash with ours: give each one with
   ``--checkov PATH`` (repeat it for 3.2 and 3.3), else ``.venv-checkov/bin/checkov`` and
   ``checkov`` on PATH are used; without any that line says "skipped".
4. Where our start-up goes: the bare interpreter, and what ``check`` imports.

Every run is a fresh process, so interpreter start-up and imports are included: that is what
a user waits for. Python writes and reads its bytecode as it does for a user: the bench
removes PYTHONPYCACHEPREFIX and PYTHONDONTWRITEBYTECODE from the children's environment (the
scripts' shared environment sets the first), so each tool keeps its own ``__pycache__``.
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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
STACKS_TARGET_S = 1.0
PLAN_TARGET_S = 2.0
PLAN_TARGET_MB = 300
CHECKOV_TARGET_RATIO = 25.0
# Modules ``check`` must not import for a JSON report with no waivers (see policies/cli.py).
UNUSED_BY_CHECK = ("click", "rich", "yaml", "jsonschema", "cdktf", "boto3")
# What the gate sets for checkov (gate/steps/checkov.py): offline, no telemetry, no SCA scan.
CHECKOV_ENV = {
    "BC_SKIP_MAPPING": "TRUE",
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
    "LOG_LEVEL": "WARNING",
}


@dataclass(frozen=True, kw_only=True)
class Run:
    seconds: float
    peak_mb: float
    exit_code: int
    stdout: str = ""


def user_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment as a user's shell has it: Python writes bytecode where it always does."""
    env = {**os.environ, "NO_COLOR": "1", **(extra or {})}
    for name in ("PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE", "PYTHONPATH"):
        env.pop(name, None)
    return env


def measure(command: Sequence[str], *, env: dict[str, str] | None = None) -> Run:
    """Wall time and peak RSS of one child process (wait4 gives that child's own rusage)."""
    with tempfile.TemporaryFile() as stdout:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            cwd=REPO_ROOT,
            env=env or user_environment(),
            stdout=stdout,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        output = stdout.read().decode("utf-8", errors="replace")
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return Run(
        seconds=seconds,
        peak_mb=usage.ru_maxrss / divisor,
        exit_code=process.returncode,
        stdout=output,
    )


def policies_command(*paths: Path, environment: str | None = None) -> list[str]:
    """The CLI as users call it: ``.venv/bin/python -m policies check --format json ...``."""
    env_option = ["--env", environment] if environment else []
    return [sys.executable, "-m", "policies", "check", "--format", "json", *env_option,
            *map(str, paths)]  # fmt: skip


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


def find_checkovs(given: Sequence[Path]) -> list[Path]:
    """The checkov executables to compare with: those given, else the gate's and PATH's."""
    if given:
        missing = [str(path) for path in given if not path.is_file()]
        if missing:
            raise click.BadParameter(f"no such file: {', '.join(missing)}", param_hint="--checkov")
        candidates = list(given)
    else:
        on_path = shutil.which("checkov")
        candidates = [DEFAULT_CHECKOV, *([Path(on_path)] if on_path else [])]
    found: dict[Path, Path] = {}
    for path in candidates:
        if path.is_file():
            found.setdefault(path.resolve(), path)
    return list(found.values())


@dataclass(frozen=True, kw_only=True)
class Checkov:
    """One checkov installation and the command that scans the stack with it."""

    executable: Path
    version: str
    command: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"checkov {self.version}"


def checkov_version(executable: Path) -> str:
    result = subprocess.run(
        [str(executable), "--version"],
        capture_output=True,
        text=True,
        check=False,
        env=user_environment(CHECKOV_ENV),
        timeout=300,
    )
    words = result.stdout.split()
    return words[-1] if result.returncode == 0 and words else "(unknown version)"


def checkov_scan_input(stack: Path, into: Path) -> Path:
    """The stack as the gate gives it to checkov: the copy its terraform_json parser reads."""
    from gate.steps.checkov import parseable_copy  # deferred: the gate is not ours to load

    copy = into / stack.parent.name / stack.name
    copy.parent.mkdir(parents=True)
    document = json.loads(stack.read_text(encoding="utf-8"))
    copy.write_text(json.dumps(parseable_copy(document), indent=2), encoding="utf-8")
    return copy


def checkov_scanned(run: Run) -> str | None:
    """Why a checkov run proves nothing (it parsed nothing, or crashed), or None."""
    try:
        reports = json.loads(run.stdout)
    except json.JSONDecodeError:
        return f"exit {run.exit_code}, no JSON report"
    for report in reports if isinstance(reports, list) else [reports]:
        summary = report.get("summary", {}) if isinstance(report, dict) else {}
        if summary.get("parsing_errors"):
            return f"{summary['parsing_errors']} parsing error(s)"
        if summary.get("passed", 0) + summary.get("failed", 0) > 0:
            return None
    return "no checks ran"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
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
    "checkovs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A checkov executable to compare with; repeat it (e.g. 3.2 and 3.3, each in its own "
    f"virtualenv). Default: {DEFAULT_CHECKOV.relative_to(REPO_ROOT)} and PATH's checkov.",
)
@click.option(
    "--only",
    type=click.Choice(["stacks", "plan", "checkov", "startup"]),
    multiple=True,
    help="Run only these measurements (repeat it). Default: all.",
)
def main(
    *, stacks: Path, resources: int, times: int, checkovs: tuple[Path, ...], only: tuple[str, ...]
) -> None:
    """Print wall time and peak memory of the policy CLI, and its ratio to checkov."""
    wanted = set(only) or {"stacks", "plan", "checkov", "startup"}
    click.echo(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, best/median of {times}")
    stack_files = sorted(stacks.glob("stacks/*/cdk.tf.json"))
    prod = next((f for f in stack_files if "prod" in f.parent.name), None)
    if "stacks" in wanted:
        measure_stacks(stacks, count=len(stack_files), times=times)
    if "plan" in wanted:
        measure_plan(resources, times=max(1, min(times, 3)))
    if "checkov" in wanted:
        executables = find_checkovs(checkovs)
        if prod is None:
            click.echo(f"[3] skipped: no prod stack in {stacks} (run `pipenv run synth` first)")
        elif not executables:
            click.echo("[3] skipped: no checkov (give --checkov PATH, or make .venv-checkov)")
        else:
            compare_with_checkov(prod, executables, times=max(times, 5))
    if "startup" in wanted:
        startup_breakdown(prod or (stack_files[0] if stack_files else None), times=times)


def measure_stacks(stacks: Path, *, count: int, times: int) -> None:
    if not count:
        click.echo(f"[1] skipped: no stacks in {stacks} (run `pipenv run synth` first)")
        return
    runs = repeat(policies_command(stacks), times)
    best = min(run.seconds for run in runs)
    click.echo(
        f"[1] CLI on {count} synthesized stacks: best {best:.3f} s, median "
        f"{statistics.median(run.seconds for run in runs):.3f} s, peak "
        f"{max(run.peak_mb for run in runs):.0f} MB "
        f"(target < {STACKS_TARGET_S:.0f} s: {verdict(best < STACKS_TARGET_S)})"
    )


def measure_plan(resources: int, *, times: int) -> None:
    with tempfile.TemporaryDirectory(prefix="policies-bench-") as scratch:
        plan = Path(scratch) / f"plan-{resources}.json"
        plan.write_text(json.dumps(generate_plan(resources)), encoding="utf-8")
        size_mb = plan.stat().st_size / 1e6
        runs = repeat(policies_command(plan), times)
    best = min(run.seconds for run in runs)
    peak = max(run.peak_mb for run in runs)
    ok = best < PLAN_TARGET_S and peak < PLAN_TARGET_MB
    click.echo(
        f"[2] CLI on a generated plan of {resources:,} resources ({size_mb:.1f} MB): best "
        f"{best:.3f} s, peak {peak:.0f} MB "
        f"(target < {PLAN_TARGET_S:.0f} s and < {PLAN_TARGET_MB} MB: {verdict(ok)})"
    )


def compare_with_checkov(stack: Path, executables: Sequence[Path], *, times: int) -> None:
    ours_command = policies_command(stack, environment="prod")
    with tempfile.TemporaryDirectory(prefix="policies-bench-checkov-") as scratch:
        scan_input = checkov_scan_input(stack, Path(scratch))
        arguments = ("-f", str(scan_input), "--framework", "terraform_json",
                     "--skip-download", "--quiet", "--compact", "-o", "json")  # fmt: skip
        tools = [
            Checkov(
                executable=executable,
                version=checkov_version(executable),
                command=(str(executable), *arguments),
            )
            for executable in executables
        ]
        checkov_env = user_environment(CHECKOV_ENV)
        # One unmeasured run each (it also writes any missing bytecode), then whole rounds
        # alternate so that load from anything else running hits every tool alike.
        repeat(ours_command, 1)
        for tool in tools:
            measure(tool.command, env=checkov_env)
        ours_runs: list[Run] = []
        their_runs: dict[str, list[Run]] = {tool.label: [] for tool in tools}
        for _ in range(times):
            ours_runs.extend(repeat(ours_command, 1))
            for tool in tools:
                their_runs[tool.label].append(measure(tool.command, env=checkov_env))
    ours = statistics.median(run.seconds for run in ours_runs)
    click.echo(
        f"[3] one stack ({stack.parent.name}), median of {times} alternating runs after one "
        f"warm-up each: `{' '.join(['python', *ours_command[1:]])}` {ours:.3f} s"
    )
    ratios = []
    for tool in tools:
        runs = their_runs[tool.label]
        theirs = statistics.median(run.seconds for run in runs)
        ratios.append(theirs / ours)
        problem = checkov_scanned(runs[0])
        click.echo(
            f"    {tool.label} ({tool.executable}): {theirs:.3f} s, exit {runs[0].exit_code}; "
            f"policies is {theirs / ours:.1f}x faster"
            + (f" (MISSED: checkov scanned nothing: {problem})" if problem else "")
        )
    fastest = min(ratios)
    click.echo(
        f"    against the fastest checkov: {fastest:.1f}x "
        f"(target >= {CHECKOV_TARGET_RATIO:.0f}x: {verdict(fastest >= CHECKOV_TARGET_RATIO)})"
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
    traced = subprocess.run(
        [sys.executable, "-X", "importtime", *policies_command(stack, environment="prod")[1:]],
        cwd=REPO_ROOT, env=user_environment(), capture_output=True, text=True, check=False,
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
    none_of = ", ".join(UNUSED_BY_CHECK)
    click.echo(
        f"{line}; `check -f json` imports {len(imported)} modules ({project} of ours); "
        + (f"{', '.join(loaded)} loaded: MISSED" if loaded else f"none of {none_of}: ok")
    )


if __name__ == "__main__":
    from policies.command import run_click

    sys.exit(run_click(main, prog="bench"))
