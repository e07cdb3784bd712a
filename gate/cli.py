"""Command line of the gate: flags in, one frozen ``GateOptions`` out, exit code back.

Exit codes: 0 every blocking step passed, 1 a blocking step failed (the output names it),
2 bad usage (unknown flag, unknown step or environment), with a one-line error on stderr.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import click

from gate import summary
from gate.options import HEAVY_STEPS, STEP_NAMES, TEST_STEPS, GateOptions
from gate.runner import Console, run_steps
from gate.steps import ALL_STEPS
from gate.steps import synth as synth_step
from infra.config import ENVIRONMENTS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CACHE_DIR = ".gate-cache"

EPILOG = f"""
Steps, in order: {", ".join(STEP_NAMES)}. Independent steps run in parallel after synth.
Three of them are test tiers: pytest (the suite without the heavy tiers), and the heavy tiers
{" and ".join(HEAVY_STEPS)} (pytest -m terraform, pytest -m rehearsal), which pr.yml runs as
jobs beside its verdict ("--skip {",".join(HEAVY_STEPS)}"). Without flags the gate runs every
step, as a PR does, and prints how long each tier took.
terraform and tflint run only when their binaries are installed; otherwise they print a
visible "skipped: ... not installed" line.

Reports go to the reports directory: policies.{{json,sarif,xml,md}}, checkov.{{json,sarif,xml}},
junit.xml (junit-terraform-tier.xml, junit-rehearsal.xml), summary.md, and one log per step
in logs/.

Environment: CDKTF_OUTDIR (default cdktf.out/) is where synth writes; GATE_CACHE_DIR
(default {DEFAULT_CACHE_DIR}/) holds the synth, checkov and terraform caches; GATE_CHECKOV_VENV
(default .venv-checkov/) is checkov's own virtualenv; GATE_JOBS limits parallel steps;
TF_PLUGIN_CACHE_DIR is honoured.
Exit codes: 0 passed, 1 a blocking step failed, 2 usage error.
"""


class UsageError(Exception):
    """Bad flags; the message is one line."""


def _parse_steps(value: str | None, *, flag: str = "--only") -> tuple[str, ...]:
    if value is None:
        return STEP_NAMES
    wanted = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in STEP_NAMES]
    if unknown or not wanted:
        raise UsageError(
            f"unknown step '{unknown[0] if unknown else value}' in {flag} "
            f"(steps: {', '.join(STEP_NAMES)})"
        )
    # The summary always lists steps in gate order, whatever order --only named them.
    return tuple(name for name in STEP_NAMES if name in wanted)


@click.command(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EPILOG,
)
@click.option("--fast", is_flag=True, help=f"Skip every test tier ({', '.join(TEST_STEPS)}).")
@click.option("--only", "only", metavar="STEP[,STEP]", help="Run only the named steps.")
@click.option(
    "--skip",
    "skip",
    metavar="STEP[,STEP]",
    help=f"Leave out the named steps (the PR's verdict job: --skip {','.join(HEAVY_STEPS)}).",
)
@click.option(
    "--env",
    "environment",
    metavar="NAME",
    help=f"Limit the gate to one environment ({', '.join(ENVIRONMENTS)}).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Ignore the synth, checkov and terraform caches and redo the work.",
)
@click.option(
    "--stacks-dir",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Evaluate pre-made stacks in DIR (laid out like cdktf.out) instead of synthesizing.",
)
@click.option(
    "--reports-dir",
    type=click.Path(path_type=Path),
    default=Path("reports"),
    show_default=True,
    metavar="DIR",
    help="Where reports and step logs go.",
)
def command(
    *,
    fast: bool,
    only: str | None,
    skip: str | None,
    environment: str | None,
    no_cache: bool,
    stacks_dir: Path | None,
    reports_dir: Path,
) -> int:
    """The PR gate: synth, policies, checkov, the tests, terraform, tflint; one verdict.

    The same script runs on a laptop and in CI (.github/workflows/pr.yml).
    """
    steps = _parse_steps(only)
    skipped = _parse_steps(skip, flag="--skip") if skip is not None else ()
    if fast:
        skipped = (*skipped, *TEST_STEPS)
    steps = tuple(s for s in steps if s not in skipped)
    if not steps:
        raise UsageError("nothing to run: --fast or --skip removed every selected step")
    if environment is not None and environment not in ENVIRONMENTS:
        raise UsageError(f"unknown environment '{environment}' (known: {', '.join(ENVIRONMENTS)})")
    if stacks_dir is not None and not stacks_dir.is_dir():
        raise UsageError(f"--stacks-dir {stacks_dir}: not a directory")
    options = GateOptions(
        root=ROOT,
        steps=steps,
        environment=environment,
        stacks_dir=(stacks_dir or _synth_outdir()).resolve(),
        stacks_dir_given=stacks_dir is not None,
        reports_dir=(ROOT / reports_dir).resolve(),
        cache_dir=(ROOT / os.environ.get("GATE_CACHE_DIR", DEFAULT_CACHE_DIR)).resolve(),
        use_cache=not no_cache,
        jobs=_jobs(),
    )
    return run_gate(options)


def _synth_outdir() -> Path:
    # CDKTF_OUTDIR is honoured by synth too, so both agree on where the stacks are.
    return ROOT / os.environ.get("CDKTF_OUTDIR", "cdktf.out")


def _jobs() -> int:
    raw = os.environ.get("GATE_JOBS", "")
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise UsageError(f"GATE_JOBS must be a positive integer, got '{raw}'")
        return int(raw)
    return max(1, min(os.cpu_count() or 1, 4))


def run_gate(options: GateOptions) -> int:
    console = Console(stream=sys.stdout, root=options.root)
    scope = f"environment {options.environment}" if options.environment else "all environments"
    console.say(
        f"pre-validate-iac: {', '.join(options.steps)} ({scope}); "
        f"reports in {console.relative(options.reports_dir)}/"
    )
    needs_stacks = any(s.needs_stacks for s in ALL_STEPS if s.name in options.steps)
    if (
        needs_stacks
        and not options.runs("synth")
        and not options.stacks_dir_given
        and not synth_step.is_fresh(options)
    ):
        console.say(
            "warning: cdktf.out may not match infra/ (changed since the gate last "
            "synthesized it); add synth to --only to refresh it"
        )
    started = time.monotonic()
    options.reports_dir.mkdir(parents=True, exist_ok=True)
    (options.reports_dir / "summary.md").unlink(missing_ok=True)
    selected = [s for s in ALL_STEPS if s.name in options.steps]
    results = run_steps(options=options, steps=selected, console=console)
    total = time.monotonic() - started
    summary_path = options.reports_dir / "summary.md"
    summary.write_markdown(
        results,
        path=summary_path,
        total_seconds=total,
        relative_to=options.root,
        # The same variable the policy CLI reads: links to the PR's head commit, set by CI.
        link_base=os.environ.get("POLICIES_LINK_BASE") or None,
        tiers=summary.tier_line(results, started=started),
    )
    summary.print_table(results, total_seconds=total)
    console.say(summary.tier_line(results, started=started))
    console.say(f"summary: {console.relative(summary_path)}")
    return 1 if summary.blocking_failures(results) else 0


def main(argv: Sequence[str]) -> int:
    try:
        return command.main(args=list(argv), prog_name="pre-validate-iac.sh", standalone_mode=False)
    except click.NoSuchOption as exc:
        _usage_error(f"unknown option '{exc.option_name}'")
    except click.UsageError as exc:
        _usage_error(" ".join(exc.format_message().split()))
    except UsageError as exc:
        _usage_error(str(exc))
    except (click.Abort, KeyboardInterrupt):
        print("interrupted", file=sys.stderr)
        return 130
    return 2


def _usage_error(message: str) -> None:
    print(f"error: {message} (see --help)", file=sys.stderr)
