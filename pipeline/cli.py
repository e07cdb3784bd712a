"""``pipenv run pipeline <command>``: what the workflows and scripts/ call for plans, reports,
comments and deployments (the policy pack has its own ``policies`` command).

Exit codes: 0 success, 2 bad input (one ``error:`` line on stderr, never a traceback), 1 when a
deployment step refuses (wrong plan hash, older commit, AWS error), and for ``drift-report`` 3
when drift was found.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from facts.project import plan_comment_marker, run_url
from infra.config import ConfigError
from pipeline import artifact, boundary, comment, deploy_commands, drift, outputs, summary
from pipeline.deployments import Refused
from pipeline.environments import matrix
from pipeline.files import write_text
from pipeline.markdown import MARKDOWN_LIMIT
from tfjson.plan import load_plan
from tfjson.reader import InputError, load_json

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
_MIN_LIMIT = 2_000

FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
)
MAX_CHARS = click.option(
    "--max-chars",
    type=click.IntRange(min=_MIN_LIMIT),
    default=MARKDOWN_LIMIT,
    show_default=True,
    help="Cut Markdown to this many characters (GitHub's limit for comments is 65,536).",
)
PLAN_ARGUMENT = click.argument("plan_json", metavar="PLAN_JSON", type=click.Path(path_type=Path))


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Pipeline glue for the catalog API workflows: plan summaries, drift reports, matrix."""


@cli.command("matrix")
def matrix_command() -> int:
    """Print the environments as a GitHub Actions matrix (one line, for $GITHUB_OUTPUT).

    CATALOG_ENVIRONMENTS and the other CATALOG_* variables select environments as for synth.
    """
    click.echo(json.dumps(matrix(os.environ), separators=(",", ":")))
    return 0


@cli.command("plan-summary")
@PLAN_ARGUMENT
@FORMAT
@click.option("--title", default="Terraform plan", show_default=True)
@click.option(
    "--findings",
    "findings_json",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The policy pack's JSON report of this plan: plan-time findings (PLAN...) are shown "
    "beside the resource they concern.",
)
@MAX_CHARS
def plan_summary_command(
    plan_json: Path, output_format: str, title: str, max_chars: int, findings_json: Path | None
) -> int:
    """Summarize `terraform show -json` output: counts, changed resources, outputs.

    PLAN_JSON may be `-` for standard input. Sensitive values print as (sensitive).
    """
    result = summary.summarize(load_plan(plan_json), title=title)
    if findings_json is not None:
        result = summary.with_findings(result, load_json(findings_json)[0])
    if output_format == "json":
        _emit_json(result.to_json())
    else:
        click.echo(summary.render_markdown(result, limit=max_chars), nl=False)
    return 0


@cli.command("drift-report")
@PLAN_ARGUMENT
@click.option(
    "--full-plan",
    type=click.Path(path_type=Path),
    help="A normal plan of the same code, to tell pending code changes apart from drift.",
)
@FORMAT
@click.option("--title", default="Drift report", show_default=True)
@MAX_CHARS
def drift_report_command(
    plan_json: Path, full_plan: Path | None, output_format: str, title: str, max_chars: int
) -> int:
    """Report drift from a refresh-only plan. Exit 0: no drift, 3: drift, 2: bad input."""
    report = _drift_report(plan_json, full_plan=full_plan, title=title)
    if output_format == "json":
        _emit_json(report.to_json())
    else:
        click.echo(drift.render_markdown(report, limit=max_chars), nl=False)
    return report.exit_code


@cli.command("outputs")
@click.argument("output_json", metavar="OUTPUT_JSON", type=click.Path(path_type=Path))
@FORMAT
@click.option("--title", default="Outputs", show_default=True)
def outputs_command(output_json: Path, output_format: str, title: str) -> int:
    """Render `terraform output -json` (file or `-`) with sensitive outputs masked."""
    masked = outputs.masked_outputs(load_json(output_json)[0], source=str(output_json))
    if output_format == "json":
        _emit_json(masked)
    else:
        click.echo(outputs.render_markdown(masked, title=title, limit=MARKDOWN_LIMIT), nl=False)
    return 0


@cli.command("plan-comment")
@click.option("--env", "environment", required=True, help="Environment name.")
@click.option("--stack", help="Stack name.")
@click.option(
    "--summary", "summary_md", type=click.Path(path_type=Path), help="Plan summary (Markdown)."
)
@click.option("--findings", type=click.Path(path_type=Path), help="Policy findings (Markdown).")
@click.option("--plan-exit", type=int, help="Exit code of terraform plan (unless --refused).")
@click.option("--policies-exit", type=int, help="Exit code of the policy check, if it ran.")
@click.option("--plan-log", type=click.Path(path_type=Path), help="terraform's output.")
@click.option(
    "--refused",
    type=click.Path(path_type=Path),
    help="Log of the checks that refused the PR's stacks before planning (nothing planned).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write.",
)
def plan_comment_command(
    *,
    environment: str,
    stack: str | None,
    summary_md: Path | None,
    findings: Path | None,
    plan_exit: int | None,
    policies_exit: int | None,
    plan_log: Path | None,
    refused: Path | None,
    output: Path,
) -> int:
    """Write the sticky PR comment for one environment's plan (missing inputs are left out)."""
    if (plan_exit is None) == (refused is None):
        raise click.UsageError("give either --plan-exit or --refused")
    body = comment.render(
        marker=plan_comment_marker(environment),
        environment=environment,
        stack=stack,
        summary=_read_optional(summary_md),
        findings=_read_optional(findings),
        plan_exit=plan_exit,
        policies_exit=policies_exit,
        plan_log=_read_optional(plan_log),
        run_url=_this_run(),
        refused=(_read_optional(refused) or "(no log)") if refused is not None else None,
    )
    write_text(output, body)
    click.echo(f"wrote {output} ({len(body):,} characters)")
    return 0


@cli.command("comment-marker")
@click.option("--env", "environment", required=True, help="Environment name.")
def comment_marker_command(environment: str) -> int:
    """Print the hidden first line of the environment's sticky plan comment."""
    click.echo(plan_comment_marker(environment))
    return 0


def _this_run() -> str | None:
    return run_url(os.environ)


def _read_optional(path: Path | None) -> str | None:
    """A text input that a failed earlier step may not have written."""
    if path is None or not path.is_file():
        return None
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def _drift_report(plan_json: Path, *, full_plan: Path | None, title: str) -> drift.DriftReport:
    plans = [load_plan(plan_json), *([load_plan(full_plan)] if full_plan is not None else [])]
    for plan in plans:
        # A plan that errored is partial: its missing entries must never read as "no drift".
        if plan.errored:
            raise InputError(
                f"{plan.source}: Terraform reported errors while planning; "
                "this plan cannot tell whether anything drifted"
            )
    return drift.build_report(plans[0], full_plan=plans[1] if len(plans) > 1 else None, title=title)


artifact.register(cli)
boundary.register(cli)
deploy_commands.register(cli)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; every failure the user can cause is one stderr line and exit code 2."""
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="pipeline",
            standalone_mode=False,
        )
    except (InputError, ConfigError) as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_BAD_INPUT
    except Refused as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_REFUSED
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        return EXIT_BAD_INPUT
    except click.Abort:
        click.echo("error: aborted", err=True)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # `pipeline ... | head`: the reader left; nothing useful to report.
        sys.stderr.close()
        return 0
    return result if isinstance(result, int) else 0
