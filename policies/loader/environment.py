"""Deciding a document's environment: ``--env``, else the provider's tags, else the name.

The environment decides severities (production-only rules, stricter levels in prod), so it
comes only from places that say it for certain, in that order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from policies.model import Provider
from tfjson.values import get_path

# Stack-name suffixes read as an environment (catalog-api-prod -> prod). A fixed list, because
# any other last word of a name ("plan", "api") would be a guess.
ENVIRONMENT_NAMES = frozenset(
    {"dev", "development", "test", "qa", "uat", "staging", "stage", "preprod", "prod", "production"}
)
ENVIRONMENT_TAG_KEYS = ("Environment", "environment", "Env", "env")


def decide_environment(
    explicit: str | None, *, providers: Iterable[Provider], stack: str
) -> str | None:
    """``explicit`` (``--env``), else the providers' default tags, else the stack name."""
    return explicit or environment_from_providers(providers) or environment_from_name(stack)


def environment_from_providers(providers: Iterable[Provider]) -> str | None:
    for provider in providers:
        tags = get_path(provider.config, "default_tags.tags")
        if not isinstance(tags, Mapping):
            continue
        for key in ENVIRONMENT_TAG_KEYS:
            value = tags.get(key)
            if isinstance(value, str) and value:
                return value.lower()
    return None


def environment_from_name(stack: str) -> str | None:
    suffix = re.split(r"[-_.]", stack)[-1].lower()
    return suffix if suffix in ENVIRONMENT_NAMES else None
