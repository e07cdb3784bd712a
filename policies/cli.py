"""``python -m policies``: check synthesized stacks and plans, list and explain rules.

Exit codes are a contract the gate script and workflows rely on: 0 nothing blocks, 1 at least
one blocking finding, 2 bad input or usage, or a rule that crashed. Every exit-2 path prints
one line on stderr and never a traceback.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from policies import __version__
from policies.engine import evaluate, exit_code
from policies.loader import load_paths, load_sources
from policies.model import Severity
from policies.reporters import FORMATS, Report, render
from policies.rules import all_rules
from policies.waivers import DEFAULT_WAIVERS, load_waivers
from tfjson.reader import InputError

DEFAULT_PATH = Path("cdktf.out")


class _CheckCommand(click.Command):
    """Remembers the order of ``--format`` and ``--output`` so each output pairs with its format.

    click keeps the order within one repeated option but not across two, and
    ``--format text --format json --output r.json`` must send json, not text, to r.json.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["format_output_order"] = _option_order(args)
        return super().parse_args(ctx, args)


def _option_order(args: Sequence[str]) -> list[str]:
    order: list[str] = []
    tokens = iter(args)
    for token in tokens:
        if token == "--":
            break
        for kind, long, short in (("format", "--format", "-f"), ("output", "--output", "-o")):
            if token in (long, short):
                order.append(kind)
                next(tokens, None)
            elif token.startswith(f"{long}=") or (token.startswith(short) and len(token) > 2):
                order.append(kind)
    return order


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policies")
def cli() -> None:
    """Policy checks for CDKTF synth output and Terraform plans."""


@cli.command("check", cls=_CheckCommand)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS),
    help="Output format; repeat it, each followed by its own --output. Default: text.",
)
@click.option(
    "--output",
    "-o",
    "outputs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File for the --format just before it. Default: stdout.",
)
@click.option("--env", "environment", help="Environment of every input (default: from tags/name).")
@click.option(
    "--waivers",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Waivers file. Default: policies/waivers.yaml.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="Lowest severity that blocks (exit 1).",
)
@click.option(
    "--synth",
    "synth_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Synthesized stack (cdk.tf.json) of the same run: plan findings name the Python line "
    "that made each resource, as config findings do from the stack's // metadata.",
)
@click.option(
    "--link-base",
    envvar="POLICIES_LINK_BASE",
    help="Markdown links Python lines to LINK_BASE/<file>#L<line>, e.g. "
    "https://github.com/OWNER/REPO/blob/HEAD_SHA. Env: POLICIES_LINK_BASE.",
)
@click.option("--list-rules", is_flag=True, help="List rules (text or --format json) and exit.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), hidden=True)  # reproducible expiry
@click.pass_context
def check(
    ctx: click.Context,
    *,
    paths: tuple[Path, ...],
    formats: tuple[str, ...],
    outputs: tuple[Path, ...],
    environment: str | None,
    waivers: Path | None,
    fail_on: str,
    synth_file: Path | None,
    link_base: str | None,
    list_rules: bool,
    today: dt.datetime | None,
) -> int:
    """Check PATH... (files, directories, or - for stdin; default: cdktf.out).

    Inputs are CDKTF synth output (cdk.tf.json), *.tf.json, or `terraform show -json` plans.
    Exit 0: nothing blocks; 1: a blocking finding; 2: bad input, usage, or a rule crashed.
    """
    rules = all_rules()
    if list_rules:
        return _list_rules(rules, formats=formats)
    targets = _targets(formats, outputs, order=ctx.meta.get("format_output_order", []))

    waiver_file = waivers or (DEFAULT_WAIVERS if DEFAULT_WAIVERS.exists() else None)
    known = {rule.id for rule in rules}
    active_waivers = load_waivers(waiver_file, known_rules=known) if waiver_file else ()
    if not paths and not DEFAULT_PATH.exists():
        raise InputError(f"{DEFAULT_PATH}: no such directory; run `pipenv run synth` first")
    sources = load_sources(synth_file) if synth_file else None
    documents = load_paths(list(paths) or [DEFAULT_PATH], environment=environment, sources=sources)
    evaluation = evaluate(
        documents,
        rules=rules,
        waivers=active_waivers,
        today=today.date() if today else None,
    )
    severity = Severity(fail_on)
    for format_name, output in targets:
        color = format_name == "text" and output is None and _stdout_wants_color()
        report = Report(
            evaluation=evaluation,
            rules=tuple(rules),
            fail_on=severity,
            color=color,
            link_base=link_base or None,
        )
        _write(render(format_name, report), output, color=color)
    for message in evaluation.internal_errors:
        click.echo(f"policies: internal error: {message}", err=True)
    return exit_code(evaluation, fail_on=severity)


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
    """Print the speed figures (see `policies bench --help`)."""
    from policies.bench import main as bench_main  # deferred: only the benchmark needs it

    bench_main.main(args=ctx.args, prog_name="policies bench", standalone_mode=False)
    return 0


def _list_rules(rules: Sequence[Any], *, formats: Sequence[str]) -> int:
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


def _targets(
    formats: Sequence[str], outputs: Sequence[Path], *, order: Sequence[str]
) -> list[tuple[str, Path | None]]:
    """Pair each ``--output`` with the ``--format`` just before it; the rest go to stdout."""
    targets: list[list[Any]] = []
    format_values, output_values = iter(formats), iter(outputs)
    for kind in order:
        if kind == "format":
            targets.append([next(format_values), None])
        elif targets and targets[-1][1] is None:
            targets[-1][1] = next(output_values)
        else:
            raise click.UsageError("each --output must follow the --format it is for")
    if not targets:
        targets = [["text", None]]
    if sum(1 for _, output in targets if output is None) > 1:
        raise click.UsageError("only one --format can go to stdout; give the others an --output")
    return [(format_name, output) for format_name, output in targets]


def _stdout_wants_color() -> bool:
    # https://no-color.org: any non-empty NO_COLOR disables colour; FORCE_COLOR forces it.
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _write(content: str, output: Path | None, *, color: bool = False) -> None:
    if output is None:
        # click strips ANSI codes from non-TTY streams unless told the colour was asked for.
        click.echo(content, nl=not content.endswith("\n"), color=color or None)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{output}: cannot write: {exc.strerror}") from None


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; every failure is one line on stderr."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        args = ["--help"]
    try:
        result = cli.main(args=args, prog_name="policies", standalone_mode=False)
    except InputError as exc:
        return _fail(str(exc))
    except click.ClickException as exc:
        return _fail(exc.format_message())
    except click.Abort:
        return _fail("aborted", code=130)
    except KeyboardInterrupt:
        return _fail("interrupted", code=130)
    except Exception as exc:
        # A bug of ours still gets the one-line contract; the type names it for a bug report.
        return _fail(f"internal error: {type(exc).__name__}: {exc}")
    return result if isinstance(result, int) else 0


def _fail(message: str, *, code: int = 2) -> int:
    click.echo(f"policies: error: {' '.join(message.split())}", err=True)
    return code


def main() -> NoReturn:
    # A short-lived process that builds one large acyclic tree (a 10,000-resource plan is
    # millions of objects): cyclic garbage collection only costs time here.
    gc.disable()
    sys.exit(run())
