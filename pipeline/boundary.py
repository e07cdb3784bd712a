"""The PR-plan boundary: the PR's artifact supplies resources, the default branch the rest.

pr-plan plans a PR's synthesized stack with an AWS role. Everything in that stack was written by
whoever wrote the PR, so it is held against an allowlist here, and what can run code or reach the
network is not taken from it at all:

- from the artifact: only ``resource``, ``data``, ``output``, ``locals``, ``variable`` and the
  ``//`` comments CDKTF writes; its ``terraform`` and ``provider`` blocks are dropped unread, any
  other block is refused (BND001);
- resource types: ``aws_*`` names (BND002); data source types: the schema-derived list of
  pipeline/provider_types.py (BND003);
- every string, key or value, is read by tfjson.template (BND004): every function it calls must
  be a pure function on ``PURE_FUNCTIONS`` (BND005), every reference must name a resource, data
  source, variable or local of the stack (BND006);
- meta-arguments: no ``provisioner``/``connection``, ``provider`` only one the default branch
  defines, ``depends_on``/``lifecycle`` only static references (BND007);
- values: finite numbers, variables of simple types without validation (BND008).

Then the ``terraform`` block (backend, required_providers, required_version) and every
``provider`` block are rebuilt from the default branch's configuration for the environment
(infra/terraform_root.py): the backend is always the environment's state bucket and key.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from infra import terraform_root
from infra.config import EnvironmentConfig, Settings, load_settings
from pipeline import artifact
from pipeline.provider_types import allowed_data_sources
from tfjson.reader import InputError
from tfjson.template import TemplateError, parse_template, parse_traversal

TAKEN_BLOCKS = frozenset({"resource", "data", "output", "locals", "variable"})
# Synth writes these into every stack; they are read by nothing here and never reach Terraform:
# the default branch's own are written in their place.
REPLACED_BLOCKS = frozenset({"terraform", "provider"})
COMMENT = "//"

# Terraform's built-in functions that read nothing but their arguments, write nothing and return
# the same result for the same arguments, and the AWS provider's functions (also pure). Left out
# on purpose: file*, templatefile, pathexpand, abspath (read the filesystem or HOME), timestamp,
# plantimestamp, uuid, bcrypt (vary per run), nonsensitive (would print a secret), ephemeralasnull.
PURE_FUNCTIONS = frozenset(
    {
        # numeric
        "abs", "ceil", "floor", "log", "max", "min", "parseint", "pow", "signum",
        # string
        "chomp", "endswith", "format", "formatlist", "indent", "join", "lower", "regex",
        "regexall", "replace", "split", "startswith", "strcontains", "strrev", "substr",
        "title", "trim", "trimprefix", "trimsuffix", "trimspace", "upper",
        # collection
        "alltrue", "anytrue", "chunklist", "coalesce", "coalescelist", "compact", "concat",
        "contains", "distinct", "element", "flatten", "index", "keys", "length", "lookup",
        "matchkeys", "merge", "one", "range", "reverse", "setintersection", "setproduct",
        "setsubtract", "setunion", "slice", "sort", "sum", "transpose", "values", "zipmap",
        # encoding
        "base64decode", "base64encode", "base64gzip", "csvdecode", "jsondecode", "jsonencode",
        "textdecodebase64", "textencodebase64", "urlencode", "yamldecode", "yamlencode",
        # hashing and crypto over the arguments only
        "base64sha256", "base64sha512", "md5", "sha1", "sha256", "sha512", "uuidv5",
        # network
        "cidrhost", "cidrnetmask", "cidrsubnet", "cidrsubnets",
        # types and conversion
        "can", "try", "sensitive", "tobool", "tolist", "tomap", "tonumber", "toset",
        "tostring", "type", "issensitive",
        # dates over the arguments only
        "formatdate", "timeadd", "timecmp",
        # the AWS provider's own functions
        "provider::aws::arn_build", "provider::aws::arn_parse",
        "provider::aws::trim_iam_role_path",
    }
)  # fmt: skip

# Roots a reference may start with besides resource types: the ones that name this stack's own
# objects or the current element of count/for_each.
_ITERATION_ROOTS = frozenset({"each", "count", "self"})
_LIFECYCLE_KEYS = frozenset(
    {
        "create_before_destroy",
        "prevent_destroy",
        "ignore_changes",
        "replace_triggered_by",
        "precondition",
        "postcondition",
    }
)
_VARIABLE_KEYS = frozenset({"type", "default", "description", "sensitive", "nullable"})
_PRIMITIVES = ("string", "number", "bool", "any")
VARIABLE_TYPES = frozenset(
    [*_PRIMITIVES, *(f"{c}({p})" for c in ("list", "set", "map") for p in _PRIMITIVES)]
)
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | frozenset("0123456789-")
_TYPE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")

RULES = {
    "BND001": "only resource, data, output, locals and variable blocks come from a PR",
    "BND002": "resource types must be aws_* names",
    "BND003": "data source type not on the allowlist (reads secrets or runs something)",
    "BND004": "a string the template reader cannot read",
    "BND005": "function not on the allowlist of pure functions",
    "BND006": "reference to something that is not a resource, data source, variable or local "
    "of the stack",
    "BND007": "meta-argument not allowed in a PR plan",
    "BND008": "value not allowed in a PR plan",
}


@dataclass(frozen=True)
class Violation:
    rule: str
    where: str
    detail: str

    def line(self) -> str:
        return f"{self.rule} {self.where}: {self.detail} ({RULES[self.rule]})"


class BoundaryError(InputError):
    """The artifact crosses the boundary; the message lists every violation, one per line."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        shown = violations[:50]
        more = len(violations) - len(shown)
        lines = [v.line() for v in shown] + ([f"... and {more} more"] if more else [])
        super().__init__(
            f"the PR's stack crosses the PR-plan boundary ({len(violations)} finding(s)):\n"
            + "\n".join(lines)
        )


def _is_name(text: Any) -> bool:
    return (
        isinstance(text, str)
        and 0 < len(text) <= 128
        and text[0] in _NAME_START
        and all(c in _NAME_CHARS for c in text)
    )


def _is_aws_type(text: str) -> bool:
    return text.startswith("aws_") and len(text) <= 128 and all(c in _TYPE_CHARS for c in text)


class _Checker:
    def __init__(self, document: dict[str, Any], aliases: frozenset[str]) -> None:
        self.document = document
        self.aliases = aliases
        self.violations: list[Violation] = []
        self.resources: set[tuple[str, str]] = set()
        self.data: set[tuple[str, str]] = set()
        self.variables: set[str] = set()
        self.locals: set[str] = set()

    def add(self, rule: str, where: str, detail: str) -> None:
        self.violations.append(Violation(rule, where, detail))

    def run(self) -> list[Violation]:
        for key in self.document:
            if key not in TAKEN_BLOCKS | REPLACED_BLOCKS and key != COMMENT:
                self.add("BND001", key, "block not taken from the artifact")
        self.collect()
        self.check_strings(self.document.get(COMMENT), COMMENT)
        for kind in ("resource", "data"):
            for type_name, name, body in self.labelled(kind):
                where = f"{'data.' if kind == 'data' else ''}{type_name}.{name}"
                self.check_body(body, where)
        for name, body in self.named("output"):
            self.check_body(body, f"output.{name}")
        for name, value in self.named("locals"):
            self.check_strings(value, f"local.{name}")
        for name, body in self.named("variable"):
            self.check_variable(name, body)
        return self.violations

    # -- shape and names ------------------------------------------------------------------

    def section(self, kind: str) -> dict[str, Any]:
        value = self.document.get(kind, {})
        if not isinstance(value, dict):
            self.add("BND008", kind, "expected an object")
            return {}
        return value

    def labelled(self, kind: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for type_name, instances in self.section(kind).items():
            if type_name == COMMENT:
                continue
            if not isinstance(instances, dict):
                self.add("BND008", f"{kind}.<type>", "expected an object of named blocks")
                continue
            for name, body in instances.items():
                if name == COMMENT:
                    continue
                if not _is_name(name) or not isinstance(body, dict):
                    self.add("BND008", kind, "block names must be plain names with an object body")
                    continue
                yield type_name, name, body

    def named(self, kind: str) -> Iterator[tuple[str, Any]]:
        for name, body in self.section(kind).items():
            if name == COMMENT:
                continue
            if not _is_name(name):
                self.add("BND008", kind, "names must be plain names")
                continue
            yield name, body

    def collect(self) -> None:
        for type_name, name, _ in self.labelled("resource"):
            if _is_aws_type(type_name):
                self.resources.add((type_name, name))
            else:
                self.add("BND002", "resource", "type is not an aws_* name")
        for type_name, name, _ in self.labelled("data"):
            if type_name in allowed_data_sources():
                self.data.add((type_name, name))
            else:
                shown = type_name if _is_aws_type(type_name) else "(not an aws_* name)"
                self.add("BND003", f"data.{shown}.{name}", "data source type refused")
        self.variables = {name for name, _ in self.named("variable")}
        self.locals = {name for name, _ in self.named("locals")}

    # -- bodies ---------------------------------------------------------------------------

    def check_body(self, body: dict[str, Any], where: str) -> None:
        for key, value in body.items():
            if key in ("provisioner", "connection"):
                self.add("BND007", f"{where}.{key}", "runs commands or opens connections")
            elif key == "provider":
                if not (isinstance(value, str) and value in self.aliases):
                    self.add(
                        "BND007",
                        f"{where}.provider",
                        f"must be one of {', '.join(sorted(self.aliases))}",
                    )
            elif key == "depends_on":
                self.check_traversals(value, f"{where}.depends_on", references=True)
            elif key == "lifecycle":
                self.check_lifecycle(value, f"{where}.lifecycle")
            else:
                self.check_strings(key, where)
                self.check_strings(value, f"{where}.{key}" if _is_name(key) else where)

    def check_lifecycle(self, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            self.add("BND007", where, "expected an object")
            return
        for key, item in value.items():
            if key not in _LIFECYCLE_KEYS:
                self.add("BND007", where, "unknown lifecycle argument")
            elif key == "ignore_changes":
                if item != "all":
                    self.check_traversals(item, f"{where}.ignore_changes", references=False)
            elif key == "replace_triggered_by":
                self.check_traversals(item, f"{where}.replace_triggered_by", references=True)
            else:
                self.check_strings(item, f"{where}.{key}")

    def check_traversals(self, value: Any, where: str, *, references: bool) -> None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add("BND007", where, "expected a list of references")
            return
        for text in value:
            try:
                parts = parse_traversal(text)
            except TemplateError as exc:
                self.add("BND004", where, str(exc))
                continue
            if references:
                self.check_reference(parts, where)

    def check_variable(self, name: str, body: Any) -> None:
        where = f"var.{name}"
        if not isinstance(body, dict):
            self.add("BND008", where, "expected an object")
            return
        for key, value in body.items():
            if key == COMMENT:
                continue
            if key not in _VARIABLE_KEYS:
                self.add("BND008", f"{where}.{key}", "variable argument not taken")
            elif key == "type":
                if value not in VARIABLE_TYPES:
                    self.add("BND008", f"{where}.type", "only simple types are taken")
            else:
                self.check_strings(value, f"{where}.{key}")

    # -- strings and references -----------------------------------------------------------

    def check_strings(self, value: Any, where: str) -> None:
        if isinstance(value, str):
            self.check_template(value, where)
        elif isinstance(value, dict):
            for key, item in value.items():
                self.check_template(key, where)
                self.check_strings(item, where)
        elif isinstance(value, list):
            for item in value:
                self.check_strings(item, where)
        elif isinstance(value, float) and not math.isfinite(value):
            self.add("BND008", where, "number out of range")
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
            self.add("BND008", where, "integer out of range")

    def check_template(self, text: str, where: str) -> None:
        if "${" not in text and "%{" not in text:
            return  # literal text: nothing to read
        try:
            analysis = parse_template(text)
        except TemplateError as exc:
            self.add("BND004", where, str(exc))
            return
        for function in analysis.functions:
            if function not in PURE_FUNCTIONS:
                shown = function if all(c in _NAME_CHARS | {":"} for c in function) else "?"
                self.add("BND005", where, f"calls {shown}()")
        for reference in analysis.references:
            self.check_reference(reference, where)

    def check_reference(self, parts: tuple[str, ...], where: str) -> None:
        root = parts[0]
        known = False
        if root in _ITERATION_ROOTS:
            known = True
        elif root == "var":
            known = len(parts) >= 2 and parts[1] in self.variables
        elif root == "local":
            known = len(parts) >= 2 and parts[1] in self.locals
        elif root == "data":
            known = len(parts) >= 3 and (parts[1], parts[2]) in self.data
        elif len(parts) >= 2:
            known = (root, parts[1]) in self.resources
        if not known:
            shown = ".".join(p for p in parts if _is_name(p))
            self.add("BND006", where, f"refers to {shown or 'an unnamed object'}")


def check(document: dict[str, Any], *, aliases: frozenset[str] | None = None) -> None:
    """Raise BoundaryError listing every violation in ``document``; return when there is none."""
    violations = _Checker(document, aliases or terraform_root.provider_aliases()).run()
    if violations:
        raise BoundaryError(violations)


def rebuild(
    document: dict[str, Any], *, config: EnvironmentConfig, settings: Settings
) -> dict[str, Any]:
    """The stack Terraform will read: the artifact's taken blocks, the default branch's root."""
    taken = {key: document[key] for key in sorted(document) if key in TAKEN_BLOCKS | {COMMENT}}
    return {
        **taken,
        "terraform": terraform_root.terraform_block(config, settings.state),
        "provider": terraform_root.provider_blocks(config),
    }


def prepare(
    archive: Path, output: Path, *, environment: str, settings: Settings
) -> tuple[str, Path]:
    """Unpack ``archive`` (every check of pipeline.artifact), check the environment's stack
    against the boundary, write it rebuilt to ``output/stacks/<stack>/cdk.tf.json`` and delete
    the archive. Returns (stack, written file). Nothing is written when a check fails."""
    config = next((e for e in settings.environments if e.name == environment), None)
    if config is None:
        raise InputError(f"unknown environment {environment!r}")
    staging = output.with_name(output.name + ".unchecked")
    if staging.exists():
        raise InputError(f"{staging}: already exists; remove it first")
    stacks = artifact.unpack(archive, staging)
    try:
        stack = config.stack_name
        if stack not in stacks:
            raise InputError(f"{archive}: no stacks/{stack}/cdk.tf.json for {environment}")
        source = staging / "stacks" / stack / "cdk.tf.json"
        document = json.loads(source.read_text("utf-8"))
        check(document)
        rebuilt = rebuild(document, config=config, settings=settings)
    finally:
        for path in sorted(staging.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        staging.rmdir()
    target = output / "stacks" / stack / "cdk.tf.json"
    artifact.write_stack(target, rebuilt)
    # Terraform must not be able to name the archive (e.g. as a shared config file).
    archive.unlink()
    return stack, target


def recheck(stack_file: Path, *, environment: str, settings: Settings) -> None:
    """Check a stack file against the boundary again and rebuild its root blocks in place.

    scripts/plan.sh runs this on every stack it plans for a PR, so a directory that did not
    come through ``pr-stack`` still cannot hand Terraform a backend or provider of its own.
    """
    config = next((e for e in settings.environments if e.name == environment), None)
    if config is None:
        raise InputError(f"unknown environment {environment!r}")
    try:
        data = stack_file.read_bytes()
    except OSError as exc:
        raise InputError(f"{stack_file}: cannot read the stack ({exc.strerror})") from None
    document = artifact.parse_stack(str(stack_file), data)
    check(document)
    rebuilt = rebuild(document, config=config, settings=settings)
    artifact.write_stack(stack_file, rebuilt)


@click.command("pr-recheck")
@click.argument("stack_file", metavar="CDK_TF_JSON", type=click.Path(path_type=Path))
@click.option("--env", "environment", required=True, help="Environment the stack is planned in.")
def pr_recheck_command(stack_file: Path, environment: str) -> int:
    """Check a PR stack against the boundary again; rebuild its terraform and provider blocks."""
    import os

    recheck(stack_file, environment=environment, settings=load_settings(os.environ))
    click.echo(f"{stack_file}: checked; terraform and provider blocks from this branch")
    return 0


@click.command("root-blocks")
@click.option("--providers-only", is_flag=True, required=True, help="Only required_providers.")
def root_blocks_command(providers_only: bool) -> int:
    """Print this branch's required_providers block (for mirroring the vetted provider set)."""
    block = {"terraform": {"required_providers": terraform_root.required_providers()}}
    click.echo(json.dumps(block, indent=2))
    return 0


@click.command("pr-stack")
@click.argument("archive", metavar="ZIP", type=click.Path(path_type=Path))
@click.option("--env", "environment", required=True, help="Environment to plan.")
@click.option(
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="New or empty directory; the stack goes to OUTPUT/stacks/<stack>/cdk.tf.json.",
)
def pr_stack_command(archive: Path, environment: str, output: Path) -> int:
    """Check the PR's artifact (untrusted), keep only what describes infrastructure, rebuild
    the terraform and provider blocks from this branch's configuration; deletes ZIP."""
    import os

    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise InputError(f"{output}: must be a new or empty directory")
    stack, target = prepare(
        archive, output, environment=environment, settings=load_settings(os.environ)
    )
    click.echo(f"{stack}: checked and rebuilt into {target}; {archive} deleted")
    return 0


def register(cli: click.Group) -> None:
    cli.add_command(pr_stack_command)
    cli.add_command(pr_recheck_command)
    cli.add_command(root_blocks_command)
