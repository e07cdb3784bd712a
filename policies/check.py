"""``policies check``: its options, the one request they make, and the run itself.

The options are declared once, in ``CHECK_OPTIONS``: ``policies/commands.py`` turns them into
click options, and ``parse_check`` reads the everyday command line (``check -f json -o FILE
PATH...``) without importing click at all, because click's import costs more than checking a
stack. ``parse_check`` accepts only what it can read for certain; anything else (``--help``,
an unknown option, a bad value, ``--list-rules``) returns None and click parses it, so errors
and help always come from click. A test holds the two parsers to the same result.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from policies.command import UsageError, stdout_wants_color, write_output
from policies.engine import evaluate, exit_code
from policies.loader import load_paths, load_sources
from policies.model import Document, Severity
from policies.registry import Rule
from policies.reporters import FORMATS, Report, render
from policies.rules import all_rules
from policies.waivers import DEFAULT_WAIVERS, load_waivers
from tfjson.reader import InputError

DEFAULT_PATH = Path("cdktf.out")
FAIL_ON = ("error", "warning")
LINK_BASE_ENV = "POLICIES_LINK_BASE"


class Option(NamedTuple):
    """One ``check`` option with a value; click and the fast parser both read it from here."""

    dest: str
    names: tuple[str, ...]
    help: str
    kind: str = "text"  # "text", "choice" or "file" (a path that must not be a directory)
    choices: tuple[str, ...] = ()
    multiple: bool = False
    default: str | None = None
    envvar: str | None = None


CHECK_OPTIONS = (
    Option(
        dest="formats",
        names=("--format", "-f"),
        kind="choice",
        choices=FORMATS,
        multiple=True,
        help="Output format; repeat it, each followed by its own --output. Default: text.",
    ),
    Option(
        dest="outputs",
        names=("--output", "-o"),
        kind="file",
        multiple=True,
        help="File for the --format just before it. Default: stdout.",
    ),
    Option(
        dest="environment",
        names=("--env",),
        help="Environment of every input (default: from tags/name).",
    ),
    Option(
        dest="waivers",
        names=("--waivers",),
        kind="file",
        help="Waivers file. Default: policies/waivers.yaml.",
    ),
    Option(
        dest="fail_on",
        names=("--fail-on",),
        kind="choice",
        choices=FAIL_ON,
        default="error",
        help="Lowest severity that blocks (exit 1).",
    ),
    Option(
        dest="synth_file",
        names=("--synth",),
        kind="file",
        help="Synthesized stack (cdk.tf.json) of the same run: plan findings name the Python "
        "line that made each resource, as config findings do from the stack's // metadata.",
    ),
    Option(
        dest="link_base",
        names=("--link-base",),
        envvar=LINK_BASE_ENV,
        help="Markdown links Python lines to LINK_BASE/<file>#L<line>, e.g. "
        f"https://github.com/OWNER/REPO/blob/HEAD_SHA. Env: {LINK_BASE_ENV}.",
    ),
)


class CheckRequest(NamedTuple):
    """One ``check`` run, however its command line was parsed."""

    paths: tuple[Path, ...] = ()
    targets: tuple[tuple[str, Path | None], ...] = (("text", None),)
    environment: str | None = None
    waivers: Path | None = None
    fail_on: str = "error"
    synth_file: Path | None = None
    link_base: str | None = None
    today: dt.date | None = None  # hidden --today: reproducible waiver expiry


def targets(
    formats: Sequence[str], outputs: Sequence[Path], *, order: Sequence[str]
) -> tuple[tuple[str, Path | None], ...]:
    """Pair each ``--output`` with the ``--format`` just before it; the rest go to stdout.

    ``order`` is the sequence of "format" and "output" options as given on the command line.
    """
    pairs: list[list[str | Path | None]] = []
    format_values, output_values = iter(formats), iter(outputs)
    for kind in order:
        if kind == "format":
            pairs.append([next(format_values), None])
        elif pairs and pairs[-1][1] is None:
            pairs[-1][1] = next(output_values)
        else:
            raise UsageError("each --output must follow the --format it is for")
    if not pairs:
        return (("text", None),)
    if sum(1 for _, output in pairs if output is None) > 1:
        raise UsageError("only one --format can go to stdout; give the others an --output")
    return tuple((str(name), output) for name, output in pairs)  # type: ignore[misc]


def option_order(args: Sequence[str]) -> list[str]:
    """The order of ``--format`` and ``--output`` options in ``args`` (see ``targets``).

    click keeps the order within one repeated option but not across two, and
    ``--format text --format json --output r.json`` must send json, not text, to r.json.
    """
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


# --- the fast path: the everyday command line without click ----------------------------------

_BY_NAME = {name: option for option in CHECK_OPTIONS for name in option.names}


def parse_check(args: Sequence[str]) -> CheckRequest | None:
    """The request ``args`` (after ``check``) make, or None when click should parse them.

    Only long and short option names followed by their value as the next token, and
    ``--long=value``, are read; every value must be valid as it stands.
    """
    values: dict[str, list[str]] = {option.dest: [] for option in CHECK_OPTIONS}
    order: list[str] = []
    paths: list[Path] = []
    tokens = iter(args)
    for token in tokens:
        if not token.startswith("-") or token == "-":
            if not token:
                return None
            paths.append(Path(token))
            continue
        name, has_value, value = token.partition("=")
        option = _BY_NAME.get(name)
        if option is None or (has_value and not name.startswith("--")):
            return None  # help, flags, bundled short options, --: click's to read
        if not has_value:
            value = next(tokens, None)  # type: ignore[assignment]
            if value is None:
                return None
        if not _acceptable(option, value):
            return None
        values[option.dest].append(value)
        if option.dest in ("formats", "outputs"):
            order.append("format" if option.dest == "formats" else "output")

    def last(dest: str) -> str | None:
        given = values[dest]
        return given[-1] if given else None

    def last_path(dest: str) -> Path | None:
        given = last(dest)
        return Path(given) if given is not None else None

    return CheckRequest(
        paths=tuple(paths),
        targets=targets(values["formats"], [Path(o) for o in values["outputs"]], order=order),
        environment=last("environment"),
        waivers=last_path("waivers"),
        fail_on=last("fail_on") or "error",
        synth_file=last_path("synth_file"),
        link_base=last("link_base") or os.environ.get(LINK_BASE_ENV) or None,
    )


def _acceptable(option: Option, value: str) -> bool:
    if not value or value.startswith("-"):
        return False
    if option.kind == "choice":
        return value in option.choices
    if option.kind == "file":
        return not Path(value).is_dir()
    return True


# --- the run ---------------------------------------------------------------------------------


def run_check(request: CheckRequest) -> int:
    """Check the request's inputs, write every report, and return the exit code.

    Exit 0: nothing blocks; 1: a blocking finding; 2: a rule crashed (bad input raises).
    """
    waiver_file = request.waivers or (DEFAULT_WAIVERS if DEFAULT_WAIVERS.exists() else None)
    active_waivers = load_waivers(waiver_file, known_rules=_AllRuleIds()) if waiver_file else ()
    if not request.paths and not DEFAULT_PATH.exists():
        raise InputError(f"{DEFAULT_PATH}: no such directory; run `pipenv run synth` first")
    sources = load_sources(request.synth_file) if request.synth_file else None
    documents = load_paths(
        list(request.paths) or [DEFAULT_PATH], environment=request.environment, sources=sources
    )
    rules = rules_for(documents)
    evaluation = evaluate(documents, rules=rules, waivers=active_waivers, today=request.today)
    severity = Severity(request.fail_on)
    for format_name, output in request.targets:
        color = format_name == "text" and output is None and stdout_wants_color()
        report = Report(
            evaluation=evaluation,
            rules=tuple(rules),
            fail_on=severity,
            color=color,
            link_base=request.link_base or None,
        )
        write_output(render(format_name, report), output)
    for message in evaluation.internal_errors:
        sys.stderr.write(f"policies: internal error: {message}\n")
    return exit_code(evaluation, fail_on=severity)


def rules_for(documents: Sequence[Document]) -> list[Rule]:
    """The rules that can find something in ``documents``, importing only their modules.

    A rule module for services the inputs do not use is never imported: its rules could find
    nothing there (``policies.rules.MODULES`` maps each module to its resource types).
    """
    return all_rules({resource.type for document in documents for resource in document.resources})


class _AllRuleIds(Collection[str]):
    """Every rule ID, read only when a waivers file has waivers to check against them."""

    def __init__(self) -> None:
        self._ids: frozenset[str] | None = None

    def _all(self) -> frozenset[str]:
        if self._ids is None:
            self._ids = frozenset(rule.id for rule in all_rules())
        return self._ids

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._all()

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())
