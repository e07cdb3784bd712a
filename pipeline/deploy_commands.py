"""Commands the deploy and drift scripts call, each returning everything one decision needs.

One Python start per decision (issue 10): ``describe`` gives every field of an environment at
once, ``plan-report`` writes the summary, its JSON and the redacted plan in one pass,
``drift-check`` writes the report, the issue body, the verdict and the redacted plans, and the
deployment steps (``store-plan``, ``fetch-plan``, ``check-order``, ``start-deployment``,
``complete-deployment``) each do their own AWS exchange. Scripts read the files these write,
never scrape their stdout.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from facts.project import run_url as current_run_url
from pipeline import deployments, drift, issue, summary
from pipeline.environments import matrix
from pipeline.files import write_text
from pipeline.markdown import MARKDOWN_LIMIT
from pipeline.redact import redact_plan
from tfjson.plan import Plan, parse_plan
from tfjson.reader import InputError, load_json

ENV_OPTION = click.option("--env", "environment", required=True, help="Environment, e.g. dev.")
COMMIT_OPTION = click.option(
    "--commit", help="Commit being deployed (default: $GITHUB_SHA, else HEAD)."
)
DESCRIBE_FIELDS = ("environment", "stack", "region", "plan_role", "apply_role", "state_bucket")


def _write_redacted(data: Any, path: Path) -> None:
    write_text(path, json.dumps(redact_plan(data), indent=1) + "\n")


def _plan_and_data(path: Path) -> tuple[Plan, Any]:
    data, _ = load_json(path)
    return parse_plan(data, source=str(path)), data


@click.command("describe")
@click.argument("environment")
@click.option(
    "--field",
    type=click.Choice(DESCRIBE_FIELDS),
    help="Print only this field's value (default: every field as name=value lines).",
)
def describe_command(environment: str, field: str | None) -> int:
    """Everything the scripts need about ENVIRONMENT, as $GITHUB_OUTPUT lines."""
    deployments.check_environment(environment)
    selected = {**os.environ, "CATALOG_ENVIRONMENTS": environment}
    entry = matrix(selected)["include"][0]
    values = {name: str(entry[name]) for name in DESCRIBE_FIELDS if name in entry}
    values["state_bucket"] = deployments.state_backend(selected).bucket
    if field is not None:
        click.echo(values[field])
    else:
        click.echo(deployments.github_output_lines(values), nl=False)
    return 0


@click.command("plan-report")
@click.argument("plan_json", metavar="PLAN_JSON", type=click.Path(path_type=Path))
@click.option("--title", default="Terraform plan", show_default=True)
@click.option("--markdown", type=click.Path(path_type=Path), help="Summary (Markdown).")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Summary (JSON).")
@click.option("--redacted", type=click.Path(path_type=Path), help="Plan copy safe to upload.")
@click.option(
    "--promotion-env",
    help="Also say which commit this environment runs and how far behind main it is "
    "(reads its deployment record in S3).",
)
@click.option(
    "--findings",
    "findings_json",
    type=click.Path(path_type=Path),
    help="The policy pack's JSON report of this plan: plan-time findings (PLAN...) are shown "
    "beside the resource they concern. A missing file adds nothing.",
)
def plan_report_command(
    *,
    plan_json: Path,
    title: str,
    markdown: Path | None,
    json_path: Path | None,
    redacted: Path | None,
    promotion_env: str | None,
    findings_json: Path | None,
) -> int:
    """Write a plan's summary (Markdown and/or JSON) and its redacted copy in one pass."""
    plan, data = _plan_and_data(plan_json)
    result = summary.summarize(plan, title=title)
    if findings_json is not None and findings_json.is_file():
        report, _ = load_json(findings_json)
        result = summary.with_findings(result, report)
    status = None
    if promotion_env is not None:
        deployments.check_environment(promotion_env)
        status = deployments.promotion(
            state=deployments.state_backend(os.environ), environment=promotion_env
        )
    if markdown is not None:
        lead = status.markdown() if status is not None else ""
        text = summary.render_markdown(result, limit=MARKDOWN_LIMIT - len(lead))
        heading, _, rest = text.partition("\n\n")
        write_text(markdown, f"{heading}\n\n{lead}{rest}")
    if json_path is not None:
        report = result.to_json()
        if status is not None:
            report["promotion"] = status.to_json()
        write_text(json_path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if redacted is not None:
        _write_redacted(data, redacted)
    return 0


@click.command("drift-check")
@ENV_OPTION
@click.option(
    "--drift-plan",
    type=click.Path(path_type=Path),
    required=True,
    help="`terraform show -json` of the refresh-only plan.",
)
@click.option(
    "--full-plan",
    type=click.Path(path_type=Path),
    required=True,
    help="`terraform show -json` of a normal plan of the same code.",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--run-url", help="Link to this run (default: from the GITHUB_* variables).")
@click.option(
    "--main-ref",
    default="HEAD",
    show_default=True,
    help="What 'behind main' is counted against.",
)
@click.option(
    "--promotion/--no-promotion",
    default=True,
    show_default=True,
    help="Read the deployment record (S3) to say which commit the environment runs.",
)
def drift_check_command(
    *,
    environment: str,
    drift_plan: Path,
    full_plan: Path,
    out: Path,
    run_url: str | None,
    main_ref: str,
    promotion: bool,
) -> int:
    """Write drift-report.md/.json, issue-body.md, verdict and the redacted plans to OUT.

    The verdict file says `drift` or `clean`. Exit 0 when it was written (drift or not),
    2 on bad input; a plan that Terraform reported errors for gets no verdict at all.
    """
    deployments.check_environment(environment)
    drift_parsed, drift_data = _plan_and_data(drift_plan)
    full_parsed, full_data = _plan_and_data(full_plan)
    for plan in (drift_parsed, full_parsed):
        if plan.errored:
            raise InputError(
                f"{plan.source}: Terraform reported errors while planning; "
                "this plan cannot tell whether anything drifted"
            )
    title = f"Drift in {environment}"
    report = drift.build_report(drift_parsed, full_plan=full_parsed, title=title)
    url = run_url or current_run_url(os.environ)
    status = (
        deployments.promotion(
            state=deployments.state_backend(os.environ),
            environment=environment,
            main_ref=main_ref,
        )
        if promotion
        else None
    )
    lead = status.markdown() if status is not None else ""

    def render(limit: int) -> str:
        text = drift.render_markdown(report, limit=limit - len(lead))
        heading, _, rest = text.partition("\n\n")
        return f"{heading}\n\n{lead}{rest}"

    head, tail = issue.issue_head(environment), issue.issue_tail(url)
    verdict = "drift" if report.has_drift else "clean"
    report_json = report.to_json() | {
        "environment": environment,
        "verdict": verdict,
        # drift-issue.sh links the run in the comment that closes an issue.
        "run_url": url,
        "promotion": status.to_json() if status is not None else None,
    }
    write_text(out / "drift-report.md", render(MARKDOWN_LIMIT))
    write_text(out / "drift-report.json", json.dumps(report_json, indent=2) + "\n")
    write_text(out / "issue-body.md", head + render(MARKDOWN_LIMIT - len(head) - len(tail)) + tail)
    _write_redacted(drift_data, out / "drift.plan.redacted.json")
    _write_redacted(full_data, out / "full.plan.redacted.json")
    # Last: a verdict file exists only when everything above was written.
    write_text(out / "verdict", verdict + "\n")
    click.echo(f"{environment}: {verdict}", err=True)
    return 0


@click.command("store-plan")
@ENV_OPTION
@click.option("--plan", type=click.Path(path_type=Path), required=True, help="Saved plan.")
@COMMIT_OPTION
def store_plan_command(environment: str, plan: Path, commit: str | None) -> int:
    """Upload the saved plan (SSE-KMS); print plan_sha256, plan_key and commit lines."""
    deployments.check_environment(environment)
    full = deployments.resolve_commit(commit, os.environ)
    sha256, key = deployments.store_plan(
        state=deployments.state_backend(os.environ),
        environment=environment,
        commit=full,
        plan=plan,
    )
    values = {"plan_sha256": sha256, "plan_key": key, "commit": full}
    click.echo(deployments.github_output_lines(values), nl=False)
    return 0


@click.command("fetch-plan")
@ENV_OPTION
@click.option("--key", required=True, help="plan_key from the plan job.")
@click.option("--sha256", required=True, help="plan_sha256 from the plan job.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def fetch_plan_command(environment: str, key: str, sha256: str, output: Path) -> int:
    """Download the reviewed plan; exit 1 (and write nothing) when its SHA-256 differs."""
    deployments.check_environment(environment)
    deployments.fetch_plan(
        state=deployments.state_backend(os.environ),
        environment=environment,
        key=key,
        sha256=deployments.check_sha256(sha256),
        output=output,
    )
    click.echo(f"{environment}: plan {key} matches its SHA-256", err=True)
    return 0


@click.command("check-order")
@ENV_OPTION
@COMMIT_OPTION
def check_order_command(environment: str, commit: str | None) -> int:
    """Exit 1 when the commit is older than, or diverged from, the recorded one.

    The recorded commit is the deployed one, or one whose apply started and did not complete.
    """
    deployments.check_environment(environment)
    full = deployments.resolve_commit(commit, os.environ)
    record = deployments.read_record(
        state=deployments.state_backend(os.environ), environment=environment
    )
    reason = deployments.order_verdict(
        recorded=record["commit"] if record is not None else None,
        deploying=full,
        in_progress=deployments.in_progress(record),
    )
    click.echo(f"{environment}: {reason}", err=True)
    return 0


RECORD_OPTIONS = (
    click.option("--plan-sha256", required=True, help="SHA-256 of the saved plan being applied."),
    COMMIT_OPTION,
    click.option("--run-url", help="Link to this run (default: from the GITHUB_* variables)."),
)


def _record_options(command: Any) -> Any:
    for option in reversed(RECORD_OPTIONS):
        command = option(command)
    return command


@click.command("start-deployment")
@ENV_OPTION
@_record_options
def start_deployment_command(
    environment: str, plan_sha256: str, commit: str | None, run_url: str | None
) -> int:
    """Before the apply: record the commit as in progress (exit 1 when it is older).

    Until an apply of this or a newer commit completes, older commits are refused.
    """
    deployments.check_environment(environment)
    record, reason = deployments.start_deployment(
        state=deployments.state_backend(os.environ),
        environment=environment,
        commit=deployments.resolve_commit(commit, os.environ),
        plan_sha256=deployments.check_sha256(plan_sha256),
        url=run_url or current_run_url(os.environ),
    )
    click.echo(f"{environment}: {reason}; recorded {record['commit']} as in progress", err=True)
    return 0


@click.command("complete-deployment")
@ENV_OPTION
@_record_options
def complete_deployment_command(
    environment: str, plan_sha256: str, commit: str | None, run_url: str | None
) -> int:
    """After a successful apply: mark the in-progress record of the commit as applied."""
    deployments.check_environment(environment)
    record = deployments.complete_deployment(
        state=deployments.state_backend(os.environ),
        environment=environment,
        commit=deployments.resolve_commit(commit, os.environ),
        plan_sha256=deployments.check_sha256(plan_sha256),
        url=run_url or current_run_url(os.environ),
    )
    click.echo(f"{environment}: recorded {record['commit']} as applied", err=True)
    return 0


COMMANDS = (
    describe_command,
    plan_report_command,
    drift_check_command,
    store_plan_command,
    fetch_plan_command,
    check_order_command,
    start_deployment_command,
    complete_deployment_command,
)


def register(cli: click.Group) -> None:
    """Add the commands to the ``pipeline`` group (kept apart from the report commands)."""
    for command in COMMANDS:
        cli.add_command(command)
