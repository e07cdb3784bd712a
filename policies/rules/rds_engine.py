"""RDS / Aurora engine versions: an ``engine_version`` the region does not offer fails at create.

The offered versions live in ``policies/data/rds_engine_versions.json`` (regenerate it with
``python -m policies.data.refresh``), so the rule needs no AWS access.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

from policies.model import Document, Severity, Violation
from policies.registry import rule
from policies.rules._helpers import creates_or_changes, region_of, text

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "rds_engine_versions.json"
RDS_TYPES = ("aws_rds_cluster", "aws_db_instance")


@cache
def offered_versions() -> Mapping[str, Mapping[str, frozenset[str]]]:
    """region -> engine -> versions, read once per process."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {
        region: {engine: frozenset(versions) for engine, versions in engines.items()}
        for region, engines in data["regions"].items()
    }


@cache
def data_as_of() -> str:
    return str(json.loads(DATA_FILE.read_text(encoding="utf-8")).get("as_of", "unknown"))


def _is_offered(version: str, offered: frozenset[str]) -> bool:
    # A major-only version ("16", "8.0") lets RDS pick that major's default minor.
    return version in offered or any(v.startswith(version + ".") for v in offered)


def _known_engines() -> set[str]:
    return {engine for engines in offered_versions().values() for engine in engines}


@rule(
    id="AT006",
    title="RDS / Aurora engine_version not offered in the region",
    severity=Severity.ERROR,
    service="rds",
    failure_class="offering",
    source="https://github.com/langfuse/langfuse-terraform-aws/issues/34",
    category="apply-time",
    resource_types=RDS_TYPES,
)
def engine_version_offered(document: Document) -> Iterator[Violation]:
    for resource in document.of_type(*RDS_TYPES):
        engine = text(resource.values.get("engine"))
        version = text(resource.values.get("engine_version"))
        if engine is None or version is None or engine not in _known_engines():
            continue
        if not creates_or_changes(resource, "engine_version"):
            continue  # an existing database keeps running a version that is no longer offered
        region = region_of(document, resource)
        if region is None:
            continue
        regions = offered_versions()
        if region not in regions:
            yield Violation(
                address=resource.address,
                resource=resource,
                severity=Severity.WARNING,
                message=(
                    f"cannot check {engine} {version}: region {region} is not in "
                    f"policies/data/rds_engine_versions.json; add it with "
                    "`python -m policies.data.refresh`"
                ),
            )
            continue
        offered = regions[region].get(engine)
        if offered is None or _is_offered(version, offered):
            continue
        major = version.split(".")[0]
        same_major = sorted(
            (v for v in offered if v.split(".")[0] == major),
            key=lambda v: [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in v.split(".")],
        )
        hint = f"; {major}.x offered: {', '.join(same_major[-4:])}" if same_major else ""
        yield Violation(
            address=resource.address,
            resource=resource,
            message=(
                f"{engine} {version} is not offered in {region} (data as of {data_as_of()}); "
                f"RDS rejects it (InvalidParameterCombination: Cannot find version {version} "
                f"for {engine}){hint}"
            ),
        )
