"""The normalized model every rule sees, whatever the input was (CDKTF synth, *.tf.json or a plan).

Unknown values (CDKTF tokens such as ``${aws_kms_key.x.arn}`` and plan ``after_unknown`` leaves)
are replaced by the ``UNKNOWN`` sentinel during loading. Rules must treat ``UNKNOWN`` as "cannot
tell" and report nothing rather than guess. ``UNKNOWN``, ``is_known``, ``get_path`` and
``as_blocks`` live in ``tfjson.values`` (shared with the pipeline) and are re-exported here, the
one module rules import their vocabulary from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal, NamedTuple

from policies.toolkit.prior_state import PriorState
from tfjson.kind import Kind as DocumentKind
from tfjson.source import SourceLine
from tfjson.values import UNKNOWN, as_blocks, get_path, is_known

__all__ = [
    "UNKNOWN",
    "Backend",
    "Document",
    "DocumentKind",
    "Evaluation",
    "Finding",
    "Provider",
    "Resource",
    "Severity",
    "Violation",
    "as_blocks",
    "get_path",
    "is_known",
]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, kw_only=True)
class Resource:
    address: str  # Terraform address, e.g. aws_ecs_service.api or module.x.aws_s3_bucket.y
    type: str
    name: str
    values: Mapping[str, Any]  # config values, or the planned "after" values for a plan
    stack: str
    environment: str | None
    file: str
    line: int | None = None
    # The infra/ Python line that constructed it (from the synthesized stack's "//").
    source: SourceLine | None = None
    mode: Literal["managed", "data"] = "managed"
    provider: str | None = None  # provider config key, e.g. "aws" or "aws.us_east_1"
    region: str | None = None  # the region of the provider this resource uses, where known
    # Attribute path -> referenced resource address, kept from CDKTF tokens before they become
    # UNKNOWN, e.g. {"cluster": "aws_ecs_cluster.cluster"} for "${aws_ecs_cluster.cluster.id}".
    # Lets cross-resource rules follow a link with certainty instead of guessing.
    references: Mapping[str, str] = field(default_factory=dict)
    # Attribute path (JSON form) -> the template string the loader made UNKNOWN, e.g. a policy
    # JSON with "${aws_s3_bucket.x.arn}" inside, for rules that can still read its known parts
    # (policies.toolkit.documents) or tell ``.arn`` from ``.qualified_arn``. Plans have no
    # templates; there an expression that reads one attribute of one resource is kept as
    # "${type.name.attribute}".
    templates: Mapping[str, str] = field(default_factory=dict)
    # Plan only.
    actions: tuple[str, ...] = ()
    before: Mapping[str, Any] | None = None
    action_reason: str | None = None
    # The attribute paths that force a replacement (``replace_paths``), e.g. (("name",),).
    replace_paths: tuple[tuple[str | int, ...], ...] = ()

    def reference(self, path: str) -> str | None:
        """The address ``path`` refers to (``access_logs.0.bucket`` = ``access_logs.bucket``).

        Terraform JSON writes a single nested block as an object or a one-element list, so the
        ``.0`` steps are optional when looking a reference up.
        """
        found = self.references.get(path)
        if found is not None or not self.references:
            return found
        return self._references_without_zero_steps.get(_without_zero_steps(path))

    @cached_property
    def _references_without_zero_steps(self) -> dict[tuple[str, ...], str]:
        index: dict[tuple[str, ...], str] = {}
        for key, address in self.references.items():
            index.setdefault(_without_zero_steps(key), address)
        return index


def _without_zero_steps(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.split(".") if part != "0")


class Backend(NamedTuple):
    type: str  # "s3", "local", ...
    config: Mapping[str, Any]
    # Where the backend block is, so backend findings point at a line like resource findings do.
    file: str | None = None
    line: int | None = None

    @property
    def address(self) -> str:
        return f"terraform.backend.{self.type}"


class Provider(NamedTuple):
    name: str  # "aws"
    alias: str | None
    config: Mapping[str, Any]  # region, default_tags, ...
    file: str | None = None
    line: int | None = None

    @property
    def key(self) -> str:
        return f"{self.name}.{self.alias}" if self.alias else self.name

    @property
    def address(self) -> str:
        """How findings about this provider block name it, e.g. ``provider.aws.us_east_1``."""
        return f"provider.{self.key}"


@dataclass(frozen=True, kw_only=True)
class Document:
    """One stack (config) or one plan: the unit a rule is evaluated against."""

    kind: DocumentKind
    stack: str
    environment: str | None
    file: str
    resources: tuple[Resource, ...] = ()
    backend: Backend | None = None
    providers: tuple[Provider, ...] = ()
    required_version: str | None = None
    terraform_version: str | None = None  # plan only: the Terraform version that wrote the plan
    # Config only: each input file's top-level JSON object, untouched (tokens kept). For the
    # trust-boundary rules (SEC010-SEC029), which must see what the normalized model leaves
    # out: required_providers, module calls, ephemeral and check blocks, function calls.
    raw_config: tuple[Mapping[str, Any], ...] = ()
    # Plan only: what exists before the apply and who uses what (policies.toolkit.prior_state); None
    # when the plan has no prior state or the document is a configuration.
    prior_state: PriorState | None = field(default=None, compare=False, repr=False)

    def of_type(self, *types: str) -> Iterator[Resource]:
        positions = [i for t in dict.fromkeys(types) for i in self._positions_by_type.get(t, ())]
        if len(types) > 1:
            positions.sort()  # document order, whatever order the types were asked in
        resources = self.resources
        return (resources[i] for i in positions if resources[i].mode == "managed")

    @cached_property
    def _positions_by_type(self) -> dict[str, list[int]]:
        # Rules ask for one or two types per resource they look at; an index keeps a
        # 10,000-resource plan linear instead of quadratic.
        index: dict[str, list[int]] = {}
        for position, resource in enumerate(self.resources):
            index.setdefault(resource.type, []).append(position)
        return index

    @cached_property
    def _by_address(self) -> dict[str, Resource]:
        return {resource.address: resource for resource in self.resources}

    def provider_for(self, resource: Resource) -> Provider | None:
        key = resource.provider or resource.type.split("_", 1)[0]
        for provider in self.providers:
            if provider.key == key:
                return provider
        return None

    def resource(self, address: str) -> Resource | None:
        """The resource at ``address`` (``aws_s3_bucket.logs``, ``data.aws_iam_policy.x``)."""
        return self._by_address.get(address)

    @property
    def is_production(self) -> bool:
        return self.environment in ("prod", "production")


class Violation(NamedTuple):
    """What a rule returns; the engine turns it into a Finding with rule metadata."""

    address: str
    message: str
    severity: Severity | None = None  # overrides the rule's default, e.g. error only in prod
    resource: Resource | None = None


class Finding(NamedTuple):
    rule_id: str
    severity: Severity
    address: str
    message: str
    file: str
    line: int | None
    stack: str
    environment: str | None
    # The Python line that constructed the resource; None when it is unknown (e.g. a resource
    # added by a raw override), and then file/line (the JSON location) is all there is.
    source: SourceLine | None = None
    waived: bool = False
    waiver_reason: str | None = None
    waiver_expired: bool = False

    @property
    def location(self) -> str:
        """The JSON location, ``cdktf.out/stacks/x/cdk.tf.json:412``."""
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "address": self.address,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "source": self.source.to_json() if self.source else None,
            "waived": self.waived,
            "stack": self.stack,
            "environment": self.environment,
        }


class Evaluation(NamedTuple):
    documents: tuple[Document, ...]
    findings: tuple[Finding, ...]
    internal_errors: tuple[str, ...] = ()
    rules_run: int = 0
    notes: tuple[str, ...] = ()

    def iter_blocking(self, fail_on: Severity) -> Iterable[Finding]:
        return (f for f in self.findings if not f.waived and f.severity.rank >= fail_on.rank)
