"""RDS / Aurora engine versions and the parameter group families that go with them.

The offered versions live in ``policies/data/rds_engine_versions.json`` (regenerate it with
``python -m policies.data.refresh``), so the rule needs no AWS access."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

from policies.model import Document, Resource, Severity, Violation
from policies.registry import rule
from policies.toolkit.context import region_of
from policies.toolkit.links import linked_resource
from policies.toolkit.values import creates_or_changes, text

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "rds_engine_versions.json"
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


DB_PARAMETER_GROUP = "aws_db_parameter_group"
CLUSTER_PARAMETER_GROUP = "aws_rds_cluster_parameter_group"
_AURORA_MYSQL = re.compile(r"^(?P<major>\d+\.\d+)\.mysql_aurora\.")


def expected_family(engine: str, version: str) -> str | None:
    """The parameter group family RDS requires for ``engine`` at ``version``, when certain.

    The naming is documented per engine (postgres16, mysql8.0, mariadb10.11,
    aurora-postgresql15, aurora-mysql8.0); engines with other schemes are not judged.
    """
    parts = version.split(".")
    if not parts[0].isdigit():
        return None
    if engine in ("postgres", "aurora-postgresql"):
        major = int(parts[0])
        if major >= 10:
            return f"{engine}{major}"
        return f"{engine}{parts[0]}.{parts[1]}" if len(parts) > 1 else None
    if engine in ("mysql", "mariadb"):
        return f"{engine}{parts[0]}.{parts[1]}" if len(parts) > 1 else None
    if engine == "aurora-mysql":
        match = _AURORA_MYSQL.match(version)
        return f"aurora-mysql{match['major']}" if match else None
    return None


def _check(
    document: Document,
    resource: Resource,
    *,
    engine: str | None,
    version: str | None,
    path: str,
    group_type: str,
) -> Iterator[Violation]:
    if engine is None or version is None:
        return
    wanted = expected_family(engine, version)
    if wanted is None:
        return
    group = linked_resource(
        document, resource, path=path, target_types=(group_type,), name_attribute="name"
    )
    family = text(group.values.get("family")) if group is not None else None
    if group is None or family is None or family == wanted:
        return
    yield Violation(
        address=resource.address,
        resource=resource,
        message=(
            f"{path} is {group.address} with family {family}, but {engine} {version} needs "
            f"family {wanted}; RDS rejects it (InvalidParameterCombination: The parameter group "
            f"with DBParameterGroupFamily {family} can't be used for this instance. Use a "
            f"parameter group with DBParameterGroupFamily {wanted}); for a major version "
            "upgrade create a new group (family changes force replacement)"
        ),
    )


@rule(
    id="AT212",
    service="rds",
    failure_class="cross-resource",
    source="https://github.com/remind101/stacker_blueprints/issues/69",
    title="RDS / Aurora parameter group family does not match the engine version",
    severity=Severity.ERROR,
    resource_types=(
        "aws_db_instance",
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
        DB_PARAMETER_GROUP,
        CLUSTER_PARAMETER_GROUP,
    ),
)
def parameter_group_family(document: Document) -> Iterator[Violation]:
    for instance in document.of_type("aws_db_instance"):
        yield from _check(
            document,
            instance,
            engine=text(instance.values.get("engine")),
            version=text(instance.values.get("engine_version")),
            path="parameter_group_name",
            group_type=DB_PARAMETER_GROUP,
        )
    for cluster in document.of_type("aws_rds_cluster"):
        yield from _check(
            document,
            cluster,
            engine=text(cluster.values.get("engine")),
            version=text(cluster.values.get("engine_version")),
            path="db_cluster_parameter_group_name",
            group_type=CLUSTER_PARAMETER_GROUP,
        )
    for member in document.of_type("aws_rds_cluster_instance"):
        engine = text(member.values.get("engine"))
        version = text(member.values.get("engine_version"))
        if version is None:
            cluster = linked_resource(
                document,
                member,
                path="cluster_identifier",
                target_types=("aws_rds_cluster",),
                name_attribute="cluster_identifier",
            )
            if cluster is not None and text(cluster.values.get("engine")) == engine:
                version = text(cluster.values.get("engine_version"))
        yield from _check(
            document,
            member,
            engine=engine,
            version=version,
            path="db_parameter_group_name",
            group_type=DB_PARAMETER_GROUP,
        )
