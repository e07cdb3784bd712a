"""The click application behind ``python -m policies``: check, explain, and the dev tools.

``policies/cli.py`` runs ``check``'s everyday command lines without loading this module; help,
usage errors, ``--list-rules`` and every other command come here. Dev tools (``bench``) are
imported only when they run: they live in ``policies/dev/``, off ``check``'s import path.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from policies import __version__
from policies.check import CHECK_OPTIONS, CheckRequest, Option, option_order, run_check, targets
from policies.registry import Rule
from policies.rules import all_rules


class _CheckCommand(click.Command):
    """Remembers the order of ``--format`` and ``--output`` (see ``policies.check.targets``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["format_output_order"] = option_order(args)
        return super().parse_args(ctx, args)


def _click_option(option: Option) -> Callable[[Any], Any]:
    param_type: click.ParamType | None = None
    if option.kind == "choice":
        param_type = click.Choice(option.choices)
    elif option.kind == "file":
        param_type = click.Path(dir_okay=False, path_type=Path)
    return click.option(
        *option.names,
        option.dest,
        type=param_type,
        multiple=option.multiple,
        default=option.default,
        show_default=option.default is not None,
        envvar=option.envvar,
        help=option.help,
    )


def _check_options(function: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(CHECK_OPTIONS):
        function = _click_option(option)(function)
    return function


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policies")
def cli() -> None:
    """Policy checks for CDKTF synth output and Terraform plans."""


@cli.command("check", cls=_CheckCommand)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_check_options
@click.option("--list-rules", is_flag=True, help="List rules (text or --format json) and exit.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), hidden=True)  # reproducible expiry
@click.pass_context
def check(
    ctx: click.Context,
    *,
    paths: tuple[Path, ...],
    formats: tuple[str, ...],
    outputs: tuple[Path, ...],
    list_rules: bool,
    today: dt.datetime | None,
    **options: Any,
) -> int:
    """Check PATH... (files, directories, or - for stdin; default: cdktf.out).

    Inputs are CDKTF synth output (cdk.tf.json), *.tf.json, or `terraform show -json` plans.
    Exit 0: nothing blocks; 1: a blocking finding; 2: bad input, usage, or a rule crashed.
    """
    if list_rules:
        return _list_rules(all_rules(), formats=formats)
    order = ctx.meta.get("format_output_order", [])
    request = CheckRequest(
        paths=paths,
        targets=targets(formats, outputs, order=order),
        today=today.date() if today else None,
        **options,
    )
    return run_check(request)


@cli.command("explain")
@click.argument("rule_id")
def explain(*, rule_id: str) -> int:
    """Print the documentation of RULE_ID: why it matters, how to fix it, examples."""
    rules = {rule.id: rule for rule in all_rules()}
    rule = rules.get(rule_id.strip().upper())
    if rule is None:
        raise click.UsageError(
            f"unknown rule {rule_id!r}; `policies check --list-rules` lists them"
        )
    click.echo(f"{rule.id}  {rule.severity.value}  {rule.title}")
    click.echo(
        f"category {rule.category}; applies to {', '.join(sorted(rule.applies_to))}; "
        f"resources {', '.join(rule.resource_types) or '(stack-level)'}"
    )
    click.echo(rule.help_uri)
    click.echo()
    if rule.doc_path.exists():
        click.echo(rule.doc_path.read_text(encoding="utf-8").rstrip())
    else:
        click.echo(f"(no documentation at {rule.doc_path})")
    return 0


@cli.command(
    "bench",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.pass_context
def bench(ctx: click.Context) -> int:
    """Dev tool: print the speed figures (see `policies bench --help`)."""
    from policies.dev.bench import main as bench_main  # deferred: only the benchmark needs it

    result = bench_main.main(args=ctx.args, prog_name="policies bench", standalone_mode=False)
    return result if isinstance(result, int) else 0


def _list_rules(rules: Sequence[Rule], *, formats: Sequence[str]) -> int:
    format_name = formats[-1] if formats else "text"
    if format_name == "json":
        listing = [
            {
                "id": rule.id,
                "severity": rule.severity.value,
                "title": rule.title,
                "category": rule.category,
                "service": rule.service,
                "failure_class": rule.failure_class,
                "source": rule.source,
                "resource_types": list(rule.resource_types),
                "applies_to": sorted(rule.applies_to),
                "help_uri": rule.help_uri,
            }
            for rule in rules
        ]
        click.echo(json.dumps(listing, indent=2))
        return 0
    if format_name != "text":
        raise click.UsageError("--list-rules supports --format text or json")
    for rule in rules:
        click.echo(f"{rule.id:<8} {rule.severity.value:<8} {rule.title}")
    return 0
