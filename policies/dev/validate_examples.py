"""Prove the rules catch what Terraform misses: validate and plan every failing example.

    python -m policies.dev.validate_examples [--rules AT1*] [--no-plan] [--json FILE] [--keep DIR]

For each rule it takes the failing example (a table row's ``failing`` values, else a
``hcl``/``terraform``/``json`` fenced block after "Failing" in the rule's doc) and the passing
one, writes each into its own Terraform directory, runs ``terraform init`` ONCE against a
filesystem mirror of the AWS provider (the other directories share that ``.terraform``), then
``terraform validate`` and ``terraform plan -refresh=false`` on all of them, two at a time.

A rule whose failing example the provider rejects while its passing example passes is CAUGHT:
Terraform already stops it, so it is not ours to keep (exit 1). A passing example that fails
itself is BROKEN (exit 1): the comparison would prove nothing. Rules whose docs hold only CDKTF
Python examples are listed as not checked.

Plans run with mock credentials, every ``skip_*`` switch, and HTTP(S)_PROXY pointed at a
closed loopback port, so no request can reach AWS: creating resources needs no API call at
plan time, and one that would make a call fails on both examples, which reads as BROKEN, never
as CAUGHT.

The provider comes from, in order: ``--plugin-dir``, ``$CATALOG_TF_PLUGIN_DIR``, or a bounded
search of the usual mirror roots for ``registry.terraform.io/hashicorp/aws/<version>``. The
stacks pin AWS provider 6.x; this check uses the mirrored version (5.100.0 here) and prints it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from policies.command import UsageError, run_click, write_output
from policies.registry import Rule
from policies.rules import all_rules

MIRROR_ENV = "CATALOG_TF_PLUGIN_DIR"
_MIRROR_ROOTS = ("/opt", "/usr/local/share", "/usr/share", "~/.terraform.d", "~/.local/share")
_PROVIDER = Path("registry.terraform.io/hashicorp/aws")
_FENCE = re.compile(r"```(hcl|terraform|tf|json)\n(.*?)```", re.S)
_PROVIDER_CONFIG = {
    "region": "eu-north-1",
    "access_key": "mock-access-key",
    "secret_key": "mock-secret-key",
    "skip_credentials_validation": True,
    "skip_requesting_account_id": True,
    "skip_metadata_api_check": True,
    "skip_region_validation": True,
}


def find_mirror(explicit: str | None, environ: Mapping[str, str]) -> tuple[Path, str]:
    """(plugin dir, provider version) from the flag, the env var, or a bounded search."""
    candidates = [explicit] if explicit else []
    if environ.get(MIRROR_ENV):
        candidates.append(environ[MIRROR_ENV])
    for root in candidates:
        found = _versions_under(Path(root).expanduser())
        if not found:
            raise UsageError(f"{root}: no {_PROVIDER}/<version> provider mirror there")
        return Path(root).expanduser(), found[-1]
    for root in _MIRROR_ROOTS:
        base = Path(root).expanduser()
        if not base.is_dir():
            continue
        # Bounded: the mirror layout puts the provider two levels below the plugin dir.
        for plugin_dir in (
            base,
            *_children(base),
            *(g for c in _children(base) for g in _children(c)),
        ):
            found = _versions_under(plugin_dir)
            if found:
                return plugin_dir, found[-1]
    raise UsageError(
        f"no AWS provider mirror found; set {MIRROR_ENV} to a directory holding "
        f"{_PROVIDER}/<version>/<os_arch>/"
    )


def _children(path: Path) -> list[Path]:
    try:
        return [p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return []


def _versions_under(plugin_dir: Path) -> list[str]:
    provider = plugin_dir / _PROVIDER
    if not provider.is_dir():
        return []
    return sorted(p.name for p in provider.iterdir() if p.is_dir() and any(p.iterdir()))


@dataclass(frozen=True)
class Example:
    rule_id: str
    kind: str  # "failing" or "passing"
    filename: str  # main.tf.json or main.tf
    content: str


def examples_of(rule: Rule) -> tuple[Example, ...] | str:
    """The failing example(s) then the passing one, or why the rule has none Terraform reads.

    A table row contributes every failing example it has (``failing`` and ``more_failing``).
    """
    from policies.toolkit.rows import ROWS

    row = ROWS.get(rule.id)
    if row is not None:
        type_ = row.resource_types[0]
        failing = [
            _json_example(rule.id, "failing" if i == 0 else f"failing-{i}", type_, values)
            for i, values in enumerate((row.failing, *row.more_failing))
        ]
        return (*failing, _json_example(rule.id, "passing", type_, row.passing))
    if not rule.doc_path.is_file():
        return "no doc"
    text = rule.doc_path.read_text(encoding="utf-8")
    example = text.split("## Example", 1)[-1]
    failing_at, passing_at = _find(example, "fail"), _find(example, "pass")
    if failing_at < 0 or passing_at < 0:
        return "doc has no Failing/Passing example"
    failing = _FENCE.search(example, failing_at)
    passing = _FENCE.search(example, passing_at)
    if failing is None or passing is None:
        return "doc examples are not Terraform (CDKTF Python)"
    return (_doc_example(rule.id, "failing", failing), _doc_example(rule.id, "passing", passing))


def _find(text: str, word: str) -> int:
    match = re.search(rf"^\**{word}\w*", text, re.I | re.M)
    return match.start() if match else -1


def _doc_example(rule_id: str, kind: str, match: re.Match[str]) -> Example:
    is_json = match.group(1) == "json"
    return Example(rule_id, kind, "main.tf.json" if is_json else "main.tf", match.group(2))


def _json_example(rule_id: str, kind: str, type_: str, values: Mapping[str, Any]) -> Example:
    content = json.dumps({"resource": {type_: {"example": values}}}, indent=2)
    return Example(rule_id, kind, "main.tf.json", content)


@dataclass
class Outcome:
    rule_id: str
    verdict: str  # not-caught, CAUGHT, BROKEN, not-checked
    detail: str = ""
    failing_errors: list[str] = field(default_factory=list)
    passing_errors: list[str] = field(default_factory=list)


def _settings(version: str) -> str:
    return json.dumps(
        {
            "terraform": {
                "required_providers": {"aws": {"source": "hashicorp/aws", "version": version}}
            },
            "provider": {"aws": _PROVIDER_CONFIG},
        },
        indent=2,
    )


def _environment() -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    dead = "http://127.0.0.1:9"  # nothing listens: any request fails at once, never leaves
    environ.update(
        HTTPS_PROXY=dead,
        HTTP_PROXY=dead,
        https_proxy=dead,
        http_proxy=dead,
        NO_PROXY="",
        no_proxy="",
        AWS_EC2_METADATA_DISABLED="true",
        CHECKPOINT_DISABLE="1",
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
    )
    return environ


def _run(
    args: Sequence[str], cwd: Path, environ: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args),
        check=False,
        cwd=cwd,
        env=dict(environ),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _errors(result: subprocess.CompletedProcess[str], *, json_output: bool) -> list[str]:
    if json_output:
        try:
            diagnostics = json.loads(result.stdout).get("diagnostics", [])
        except json.JSONDecodeError:
            return [result.stderr.strip() or result.stdout.strip() or "unreadable output"]
        return [
            f"{d.get('summary', '')}: {d.get('detail', '')}".strip(": ")
            for d in diagnostics
            if d.get("severity") == "error"
        ]
    if result.returncode == 0:
        return []
    lines = [line.strip("│╷╵ ") for line in result.stderr.splitlines()]
    return [" ".join(line for line in lines if line)][:1] or ["plan failed"]


def _check(
    example: Example,
    directory: Path,
    *,
    settings: str,
    template: Path,
    environ: Mapping[str, str],
    plan: bool,
) -> list[str]:
    directory.mkdir(parents=True)
    (directory / "settings.tf.json").write_text(settings, encoding="utf-8")
    (directory / example.filename).write_text(example.content, encoding="utf-8")
    (directory / ".terraform").symlink_to(template / ".terraform", target_is_directory=True)
    shutil.copy(template / ".terraform.lock.hcl", directory / ".terraform.lock.hcl")
    validate = _run(["terraform", "validate", "-json", "-no-color"], directory, environ)
    errors = _errors(validate, json_output=True)
    if errors or not plan:
        return [f"validate: {e}" for e in errors]
    result = _run(
        ["terraform", "plan", "-refresh=false", "-lock=false", "-input=false", "-no-color"],
        directory,
        environ,
    )
    return [f"plan: {e}" for e in _errors(result, json_output=False)]


def run(
    rules: Sequence[Rule], *, plugin_dir: Path, version: str, workdir: Path, plan: bool
) -> list[Outcome]:
    settings = _settings(version)
    environ = _environment()
    template = workdir / "_init"
    template.mkdir(parents=True)
    (template / "settings.tf.json").write_text(settings, encoding="utf-8")
    init = _run(
        [
            "terraform",
            "init",
            "-backend=false",
            "-input=false",
            "-no-color",
            f"-plugin-dir={plugin_dir}",
        ],
        template,
        environ,
    )
    if init.returncode != 0:
        raise UsageError("terraform init failed: " + init.stderr.strip().splitlines()[-1])

    outcomes: dict[str, Outcome] = {}
    jobs: list[tuple[Example, Path]] = []
    for rule in rules:
        found = examples_of(rule)
        if isinstance(found, str):
            outcomes[rule.id] = Outcome(rule.id, "not-checked", found)
            continue
        for example in found:
            jobs.append((example, workdir / rule.id / example.kind))

    def work(job: tuple[Example, Path]) -> tuple[Example, list[str]]:
        example, directory = job
        return example, _check(
            example, directory, settings=settings, template=template, environ=environ, plan=plan
        )

    results: dict[tuple[str, str], list[str]] = {}
    kinds: dict[str, list[str]] = {}
    for example, _ in jobs:
        kinds.setdefault(example.rule_id, []).append(example.kind)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for example, errors in pool.map(work, jobs):
            results[(example.rule_id, example.kind)] = errors
    for rule in rules:
        if rule.id in outcomes:
            continue
        passing = results[(rule.id, "passing")]
        failing = [
            f"{kind}: {error}" if kind != "failing" else error
            for kind in kinds[rule.id]
            if kind.startswith("failing")
            for error in results[(rule.id, kind)]
        ]
        if passing:
            verdict, detail = "BROKEN", "the passing example fails too"
        elif failing:
            verdict, detail = "CAUGHT", "the provider rejects a failing example"
        else:
            count = sum(kind.startswith("failing") for kind in kinds[rule.id])
            noun = "example" if count == 1 else f"{count} examples"
            verdict, detail = "not-caught", f"validate and plan accept the failing {noun}"
        outcomes[rule.id] = Outcome(rule.id, verdict, detail, failing, passing)
    return [outcomes[rule.id] for rule in rules]


def _select(patterns: Sequence[str]) -> list[Rule]:
    rules = all_rules()
    if not patterns:
        return [r for r in rules if r.category == "apply-time" or r.id.startswith("PLAN")]
    return [r for r in rules if any(fnmatch.fnmatch(r.id, p) for p in patterns)]


def _report(outcomes: Sequence[Outcome], *, version: str, plan: bool) -> Iterator[str]:
    steps = "validate + plan" if plan else "validate"
    yield f"terraform {steps} with hashicorp/aws {version} (mirror) on each rule's failing example"
    for outcome in outcomes:
        yield f"{outcome.verdict:12} {outcome.rule_id}  {outcome.detail}"
        for error in outcome.failing_errors[:2]:
            yield f"{'':12}   failing: {error[:300]}"
        for error in outcome.passing_errors[:2]:
            yield f"{'':12}   passing: {error[:300]}"
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.verdict] = counts.get(outcome.verdict, 0) + 1
    yield "summary: " + ", ".join(
        f"{counts.get(v, 0)} {v}" for v in ("not-caught", "CAUGHT", "BROKEN", "not-checked")
    )


PROG = "validate-examples"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--rules",
    "patterns",
    multiple=True,
    metavar="GLOB",
    help="Rule ID glob, e.g. 'AT1*'; repeat it. Default: apply-time and plan rules.",
)
@click.option("--plugin-dir", help=f"Provider mirror (else ${MIRROR_ENV}, else a search).")
@click.option("--no-plan", is_flag=True, help="Validate only.")
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the outcomes as JSON here.",
)
@click.option(
    "--keep",
    type=click.Path(path_type=Path),
    help="Work in this (new) directory and keep it.",
)
def command(
    *,
    patterns: tuple[str, ...],
    plugin_dir: str | None,
    no_plan: bool,
    json_path: Path | None,
    keep: Path | None,
) -> int:
    """Prove the rules catch what Terraform misses: validate and plan every failing example.

    Exit 1 when a rule's failing example is CAUGHT by the provider or its passing example is
    BROKEN; 2 on bad usage or a missing terraform or provider mirror.
    """
    if shutil.which("terraform") is None:
        raise UsageError("terraform is not on PATH")
    mirror, version = find_mirror(plugin_dir, os.environ)
    rules = _select(patterns)
    if not rules:
        raise UsageError(f"no rule matches {' '.join(patterns)}")
    plan = not no_plan
    if keep:
        if keep.exists():
            raise UsageError(f"{keep} exists; --keep wants a new directory")
        outcomes = run(rules, plugin_dir=mirror, version=version, workdir=keep, plan=plan)
    else:
        with tempfile.TemporaryDirectory(prefix="validate-examples-") as tmp:
            outcomes = run(rules, plugin_dir=mirror, version=version, workdir=Path(tmp), plan=plan)
    write_output("\n".join(_report(outcomes, version=version, plan=plan)))
    if json_path:
        outcome_json = {"provider_version": version, "outcomes": [o.__dict__ for o in outcomes]}
        write_output(json.dumps(outcome_json, indent=2), json_path)
    return 1 if any(o.verdict in ("CAUGHT", "BROKEN") for o in outcomes) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m policies.dev.validate_examples [OPTIONS]``."""
    return run_click(command, argv, prog=PROG)


if __name__ == "__main__":
    sys.exit(main())
