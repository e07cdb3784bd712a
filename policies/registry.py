"""The rule registry: each rule module registers its pure check functions with ``@rule``."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from facts.project import DEFAULT_GITHUB_REPOSITORY
from policies.model import Document, Severity, Violation

DOCS_DIR = Path(__file__).parent / "docs"
_REPOSITORY = re.compile(r"^[\w.-]+/[\w.-]+$")
_SERVER = re.compile(r"^https://[\w.:-]+$")  # GitHub or GitHub Enterprise Server


def help_uri_base(environ: Mapping[str, str]) -> str:
    """Where the rule docs are on GitHub: this repository when CI says which one it is.

    SARIF help links and ``--list-rules`` point there, so in GitHub Actions (which sets
    GITHUB_REPOSITORY) they open the docs of the repository being checked, not a placeholder.
    """
    repository = DEFAULT_GITHUB_REPOSITORY
    for key in ("CATALOG_GITHUB_REPOSITORY", "GITHUB_REPOSITORY"):
        if _REPOSITORY.fullmatch(environ.get(key, "")):
            repository = environ[key]
            break
    server = environ.get("GITHUB_SERVER_URL", "").rstrip("/")
    server = server if _SERVER.fullmatch(server) else "https://github.com"
    return f"{server}/{repository}/blob/main/policies/docs"


HELP_URI_BASE = help_uri_base(os.environ)

_RULE_ID = re.compile(r"^(AT|SEC|OPS|PLAN)\d{3}$")

Check = Callable[[Document], Iterable[Violation]]


@dataclass(frozen=True, kw_only=True)
class Rule:
    id: str
    title: str
    severity: Severity
    category: str
    resource_types: tuple[str, ...]
    applies_to: frozenset[str]  # {"config"}, {"plan"} or both
    check: Check

    @property
    def doc_path(self) -> Path:
        return DOCS_DIR / f"{self.id}.md"

    @property
    def help_uri(self) -> str:
        return f"{HELP_URI_BASE}/{self.id}.md"

    def applies(self, document: Document) -> bool:
        return document.kind in self.applies_to


REGISTRY: dict[str, Rule] = {}


def rule(
    *,
    id: str,
    title: str,
    severity: Severity,
    category: str,
    resource_types: Iterable[str],
    applies_to: Iterable[str] = ("config", "plan"),
) -> Callable[[Check], Check]:
    """Register ``check`` as a rule. IDs are stable: never reuse or renumber one."""
    if not _RULE_ID.match(id):
        raise ValueError(f"rule id {id!r} does not match {_RULE_ID.pattern}")

    def register(check: Check) -> Check:
        if id in REGISTRY:
            raise ValueError(f"duplicate rule id {id}")
        REGISTRY[id] = Rule(
            id=id,
            title=title,
            severity=severity,
            category=category,
            resource_types=tuple(resource_types),
            applies_to=frozenset(applies_to),
            check=check,
        )
        return check

    return register


def all_rules() -> list[Rule]:
    """Every registered rule, importing the rule pack on first use."""
    import policies.rules  # noqa: F401  (registers the pack)

    return sorted(REGISTRY.values(), key=lambda r: r.id)
