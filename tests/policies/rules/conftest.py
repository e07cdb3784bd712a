"""Builders for rule tests: Documents and Resources made directly, no loader involved.

Rule tests are tables of ``pytest.param(build, expected, id=...)`` where ``build`` takes the
``kit`` fixture and returns a Document; ``kit.findings(rule_id, document)`` runs one rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from policies.model import Backend, Document, Provider, Resource, Severity, Violation
from policies.registry import REGISTRY
from policies.rules import all_rules

all_rules()  # registers the rule pack

# The tags infra/config.py puts in the provider's default_tags.
DEFAULT_TAGS = {
    "Project": "catalog-api",
    "Environment": "dev",
    "ManagedBy": "cdktf",
    "Owner": "platform-team",
}


@dataclass(frozen=True)
class Kit:
    def resource(
        self,
        type_: str,
        name: str = "this",
        values: Mapping[str, Any] | None = None,
        *,
        references: Mapping[str, str] | None = None,
        actions: tuple[str, ...] = (),
        action_reason: str | None = None,
        before: Mapping[str, Any] | None = None,
        region: str | None = None,
        provider: str | None = None,
        environment: str | None = "dev",
    ) -> Resource:
        return Resource(
            address=f"{type_}.{name}",
            type=type_,
            name=name,
            values=dict(values or {}),
            stack="catalog-api-test",
            environment=environment,
            file="cdktf.out/stacks/test/cdk.tf.json",
            references=dict(references or {}),
            actions=actions,
            action_reason=action_reason,
            before=before,
            region=region,
            provider=provider,
        )

    def document(
        self,
        *resources: Resource,
        kind: str = "config",
        environment: str | None = "dev",
        backend: Mapping[str, Any] | None = None,
        backend_type: str = "s3",
        region: Any = "eu-north-1",
        default_tags: Any = DEFAULT_TAGS,
        providers: tuple[Provider, ...] | None = None,
        required_version: str | None = None,
        terraform_version: str | None = None,
    ) -> Document:
        if providers is None:
            config: dict[str, Any] = {"region": region}
            if default_tags is not None:
                config["default_tags"] = [{"tags": default_tags}]
            providers = (Provider(name="aws", alias=None, config=config),)
        return Document(
            kind=kind,  # type: ignore[arg-type]
            stack="catalog-api-test",
            environment=environment,
            file="cdktf.out/stacks/test/cdk.tf.json",
            resources=resources,
            backend=None if backend is None else Backend(type=backend_type, config=backend),
            providers=providers,
            required_version=required_version,
            terraform_version=terraform_version,
        )

    def findings(self, rule_id: str, document: Document) -> list[Violation]:
        """Run one rule the way the engine does: only on the document kinds it applies to."""
        rule = REGISTRY[rule_id]
        return list(rule.check(document)) if rule.applies(document) else []

    def expect(
        self, rule_id: str, document: Document, expected: list[tuple[Severity, str]]
    ) -> None:
        """Each expected (severity, message fragment) matches one finding, in order; no extras."""
        rule = REGISTRY[rule_id]
        got = [(v.severity or rule.severity, v.message) for v in self.findings(rule_id, document)]
        assert len(got) == len(expected), got
        for (severity, message), (want_severity, fragment) in zip(got, expected, strict=True):
            assert severity == want_severity, (severity, message)
            assert fragment in message, message


@pytest.fixture
def kit() -> Kit:
    return Kit()
