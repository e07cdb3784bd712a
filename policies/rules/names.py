"""Names AWS rejects: too long, wrong characters, reserved prefixes or suffixes.

The limits come from each service's API reference; the provider checks some only when the API
call is made, so a name that is wrong here fails in the middle of an apply.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from policies.model import Document, Severity, Violation
from policies.registry import rule
from policies.toolkit.values import text

Check = Callable[[str], str | None]  # returns what is wrong, or None


def _pattern(regex: str, allowed: str) -> Check:
    compiled = re.compile(regex)
    return lambda name: None if compiled.fullmatch(name) else f"may only contain {allowed}"


def _max_length(limit: int) -> Check:
    return lambda name: (
        f"is {len(name)} characters, the limit is {limit}" if len(name) > limit else None
    )


def _no_edge_hyphen(name: str) -> str | None:
    return (
        "must not begin or end with a hyphen"
        if name.startswith("-") or name.endswith("-")
        else None
    )


def _alb_name(name: str) -> str | None:
    return 'must not begin with "internal-"' if name.startswith("internal-") else None


def _rds_identifier(name: str) -> str | None:
    if not name[:1].isalpha():
        return "must begin with a letter"
    if "--" in name or name.endswith("-"):
        return "must not end with a hyphen or contain two consecutive hyphens"
    return None


_BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def _bucket_name(name: str) -> str | None:
    if not 3 <= len(name) <= 63:
        return f"is {len(name)} characters, it must be 3-63"
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]*[a-z0-9]", name):
        return (
            "may only contain lowercase letters, digits, dots and hyphens, and must begin "
            "and end with a letter or digit"
        )
    if ".." in name:
        return "must not contain two adjacent periods"
    try:
        ipaddress.IPv4Address(name)
        return "must not be formatted as an IP address"
    except ValueError:
        pass
    for prefix in _BUCKET_RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f'must not begin with the reserved prefix "{prefix}"'
    for suffix in _BUCKET_RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f'must not end with the reserved suffix "{suffix}"'
    return None


@dataclass(frozen=True, kw_only=True)
class NameRule:
    attribute: str
    checks: tuple[Check, ...]


_ALB_CHARS = _pattern(r"[A-Za-z0-9-]+", "letters, digits and hyphens")
_IAM_CHARS = _pattern(r"[\w+=,.@-]+", "letters, digits and +=,.@_-")
_RDS_CHARS = _pattern(r"[a-z0-9-]+", "lowercase letters, digits and hyphens")


def _rds(attribute: str) -> tuple[NameRule, ...]:
    return (
        NameRule(attribute=attribute, checks=(_max_length(63), _RDS_CHARS, _rds_identifier)),
        # The provider appends a 26-character unique suffix to a prefix.
        NameRule(attribute=f"{attribute}_prefix", checks=(_max_length(37), _RDS_CHARS)),
    )


NAME_RULES: dict[str, tuple[NameRule, ...]] = {
    "aws_lb": (
        NameRule(
            attribute="name", checks=(_max_length(32), _ALB_CHARS, _no_edge_hyphen, _alb_name)
        ),
        NameRule(attribute="name_prefix", checks=(_max_length(6), _ALB_CHARS)),
    ),
    "aws_lb_target_group": (
        NameRule(attribute="name", checks=(_max_length(32), _ALB_CHARS, _no_edge_hyphen)),
        NameRule(attribute="name_prefix", checks=(_max_length(6), _ALB_CHARS)),
    ),
    "aws_iam_role": (
        NameRule(attribute="name", checks=(_max_length(64), _IAM_CHARS)),
        NameRule(attribute="name_prefix", checks=(_max_length(38), _IAM_CHARS)),
    ),
    "aws_iam_policy": (
        NameRule(attribute="name", checks=(_max_length(128), _IAM_CHARS)),
        NameRule(attribute="name_prefix", checks=(_max_length(102), _IAM_CHARS)),
    ),
    "aws_s3_bucket": (
        NameRule(attribute="bucket", checks=(_bucket_name,)),
        NameRule(attribute="bucket_prefix", checks=(_max_length(37),)),
    ),
    "aws_rds_cluster": _rds("cluster_identifier"),
    "aws_rds_cluster_instance": _rds("identifier"),
    "aws_db_instance": _rds("identifier"),
    "aws_secretsmanager_secret": (
        NameRule(
            attribute="name",
            checks=(_max_length(512), _pattern(r"[\w/+=.@-]+", "letters, digits and /_+=.@-")),
        ),
    ),
    "aws_cloudwatch_log_group": (
        NameRule(
            attribute="name",
            checks=(_max_length(512), _pattern(r"[.\-_/#A-Za-z0-9]+", "letters, digits and ._-/#")),
        ),
    ),
    "aws_ecs_cluster": (
        NameRule(
            attribute="name",
            checks=(_max_length(255), _pattern(r"[A-Za-z0-9_-]+", "letters, digits, _ and -")),
        ),
    ),
}


@rule(
    id="AT008",
    title="Resource name AWS rejects (length, characters, reserved prefixes)",
    severity=Severity.ERROR,
    service="aws",
    failure_class="invalid-value",
    source="https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
    resource_types=tuple(NAME_RULES),
)
def resource_names(document: Document) -> Iterator[Violation]:
    for resource in document.of_type(*NAME_RULES):
        for name_rule in NAME_RULES[resource.type]:
            name = text(resource.values.get(name_rule.attribute))
            if name is None:
                continue
            for check in name_rule.checks:
                problem = check(name)
                if problem is not None:
                    yield Violation(
                        address=resource.address,
                        resource=resource,
                        message=f"{name_rule.attribute} '{name}' {problem} ({resource.type})",
                    )
                    break
