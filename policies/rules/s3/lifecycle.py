"""S3 lifecycle configurations: filters, transitions and expirations."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Severity, Violation, is_known
from policies.registry import rule
from policies.toolkit.rows import Block, Row, at_least, custom, register
from policies.toolkit.values import blocks, number, read

LIFECYCLE = "aws_s3_bucket_lifecycle_configuration"


# -- S3 lifecycle ------------------------------------------------------------------------------


def _days(block: Block, key: str, days_key: str) -> list[float] | None:
    """The known day counts of every ``key`` block; None when one is unknown."""
    found = []
    raw = block.get(key) if isinstance(block, Mapping) else None
    if raw is UNKNOWN:
        return None
    for _, action in blocks(block, key):
        value = read(action, days_key)
        if value is UNKNOWN or not is_known(value):
            return None
        days = number(value, whole=True)
        if days is not None:
            found.append(days)
    return found


def _expiration_before_transition(block: Block) -> str | None:
    pairs = (
        ("expiration", "days", "transition", "days"),
        (
            "noncurrent_version_expiration",
            "noncurrent_days",
            "noncurrent_version_transition",
            "noncurrent_days",
        ),
    )
    for expire_key, expire_days, move_key, move_days in pairs:
        expirations = _days(block, expire_key, expire_days)
        transitions = _days(block, move_key, move_days)
        if not expirations or not transitions:
            continue
        expirations = [days for days in expirations if days > 0]  # 0: a date is used
        if not expirations:
            continue
        expiry, latest = min(expirations), max(transitions)
        if expiry <= latest:
            return (
                f"{expire_key} after {expiry} days is not later than its {move_key} "
                f"after {latest} days"
            )
    return None


register(
    Row(
        id="AT303",
        title="S3 lifecycle expiration not later than the same rule's transition",
        service="s3",
        failure_class="value-combination",
        resource_types=(LIFECYCLE,),
        scope=("rule",),
        predicate=custom(_expiration_before_transition),
        error=(
            "InvalidArgument: 'Days' in the Expiration action for filter '(prefix=logs/)' must "
            "be greater than 'Days' in the Transition action"
        ),
        source="https://github.com/hashicorp/terraform-provider-aws/issues/23882",
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html",
        ),
        why=(
            "Within one lifecycle rule S3 requires the expiration to come after every "
            "transition (for current versions `days`, for noncurrent versions "
            "`noncurrent_days`): moving an object to another class on the day it is deleted "
            "makes no sense, so S3 rejects the whole configuration when it is put. The "
            "provider checks each number alone."
        ),
        fix="Expire later than the last transition, or drop the transition.",
        failing={
            "bucket": "catalog-api-logs-123456789012",
            "rule": [
                {
                    "id": "archive",
                    "status": "Enabled",
                    "filter": [{"prefix": "logs/"}],
                    "transition": [{"days": 90, "storage_class": "GLACIER"}],
                    "expiration": [{"days": 60}],
                }
            ],
        },
        passing={
            "bucket": "catalog-api-logs-123456789012",
            "rule": [
                {
                    "id": "archive",
                    "status": "Enabled",
                    "filter": [{"prefix": "logs/"}],
                    "transition": [{"days": 90, "storage_class": "GLACIER"}],
                    "expiration": [{"days": 365}],
                }
            ],
        },
        more_failing=(
            {
                "bucket": "catalog-api-logs-123456789012",
                "rule": [
                    {
                        "id": "old-versions",
                        "status": "Enabled",
                        "filter": [{}],
                        "noncurrent_version_transition": [
                            {"noncurrent_days": 30, "storage_class": "STANDARD_IA"}
                        ],
                        "noncurrent_version_expiration": [{"noncurrent_days": 30}],
                    }
                ],
            },
        ),
    ),
)
INFREQUENT_ACCESS = {"STANDARD_IA", "ONEZONE_IA"}

_LIFECYCLE_BASE: dict[str, Any] = {"bucket": "catalog-api-logs-123456789012"}


def _lifecycle_rule(**actions: Any) -> dict[str, Any]:
    return {
        **_LIFECYCLE_BASE,
        "rule": [
            {"id": "archive", "status": "Enabled", "filter": [{"prefix": "logs/"}], **actions}
        ],
    }


register(
    Row(
        id="AT100",
        title="S3 lifecycle transition to STANDARD_IA or ONEZONE_IA before 30 days",
        service="s3",
        failure_class="value-combination",
        resource_types=(LIFECYCLE,),
        scope=("rule", "transition"),
        predicate=at_least("days", 30, when={"storage_class": INFREQUENT_ACCESS}),
        error=(
            "InvalidArgument: 'Days' in Transition action must be greater than or equal to 30 "
            "for storageClass 'STANDARD_IA'"
        ),
        source="https://github.com/hashicorp/terraform-provider-aws/pull/6201",
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html",
        ),
        why=(
            "S3 only moves objects to the infrequent-access classes once they are at least 30 "
            "days old (their minimum storage duration). The provider accepts any non-negative "
            "`days`; S3 rejects the whole lifecycle configuration when it is applied. The "
            "provider's own documentation example used `days = 15` until it was corrected "
            "because AWS requires at least 30."
        ),
        fix=(
            "Transition to STANDARD_IA / ONEZONE_IA at 30 days or later, or use GLACIER_IR / "
            "INTELLIGENT_TIERING for earlier moves."
        ),
        failing=_lifecycle_rule(transition=[{"days": 7, "storage_class": "STANDARD_IA"}]),
        passing=_lifecycle_rule(transition=[{"days": 30, "storage_class": "STANDARD_IA"}]),
        more_passing=(_lifecycle_rule(transition=[{"days": 7, "storage_class": "GLACIER_IR"}]),),
        more_failing=(_lifecycle_rule(transition=[{"days": 0, "storage_class": "ONEZONE_IA"}]),),
    ),
    Row(
        id="AT101",
        title="S3 noncurrent version transition to STANDARD_IA or ONEZONE_IA before 30 days",
        service="s3",
        failure_class="value-combination",
        resource_types=(LIFECYCLE,),
        scope=("rule", "noncurrent_version_transition"),
        predicate=at_least("noncurrent_days", 30, when={"storage_class": INFREQUENT_ACCESS}),
        error=(
            "InvalidArgument: 'NoncurrentDays' in NoncurrentVersionTransition action must be "
            "greater than or equal to 30 for storageClass 'STANDARD_IA'"
        ),
        source=(
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html"
        ),
        extra_sources=("https://github.com/hashicorp/terraform-provider-aws/pull/6201",),
        why=(
            "The 30-day minimum for the infrequent-access classes also applies to noncurrent "
            "versions, counted from the day they became noncurrent. The provider accepts any "
            "`noncurrent_days`; S3 rejects the configuration at apply."
        ),
        fix="Use noncurrent_days >= 30 for STANDARD_IA / ONEZONE_IA.",
        failing=_lifecycle_rule(
            noncurrent_version_transition=[{"noncurrent_days": 10, "storage_class": "STANDARD_IA"}]
        ),
        passing=_lifecycle_rule(
            noncurrent_version_transition=[{"noncurrent_days": 30, "storage_class": "STANDARD_IA"}]
        ),
    ),
)


def _has_filter(rule_block: Mapping[str, Any]) -> bool | None:
    """``filter {}`` counts: an empty filter applies the rule to every object."""
    raw = rule_block.get("filter")
    if raw is UNKNOWN:
        return None
    if isinstance(raw, Mapping):
        return True
    if isinstance(raw, list):
        return len(raw) > 0  # plans write an absent block as []
    return False


def _has_prefix(rule_block: Mapping[str, Any]) -> bool | None:
    raw = rule_block.get("prefix")
    if raw is UNKNOWN:
        return None
    if raw is None:
        return False
    if raw == "":
        return None  # plans show an unset prefix as "": an explicit "" is indistinguishable
    return True


@rule(
    id="AT005",
    title="S3 lifecycle rule without exactly one of filter or prefix",
    severity=Severity.ERROR,
    service="s3",
    failure_class="value-combination",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/41725",
    resource_types=(LIFECYCLE,),
)
def lifecycle_filter(document: Document) -> Iterator[Violation]:
    for resource in document.of_type(LIFECYCLE):
        for index, rule_block in blocks(resource.values, "rule"):
            has_filter, has_prefix = _has_filter(rule_block), _has_prefix(rule_block)
            rule_id = rule_block.get("id")
            name = f"rule[{index}]" + (f" ({rule_id})" if isinstance(rule_id, str) else "")
            if has_filter is True and has_prefix is True:
                yield Violation(
                    address=resource.address,
                    resource=resource,
                    message=(
                        f"{name} sets both filter and the deprecated prefix; the AWS provider "
                        "accepts exactly one (Invalid Attribute Combination: 2 attributes "
                        "specified when one (and only one) of [filter,prefix] is required); move "
                        "the prefix into filter { prefix }"
                    ),
                )
            elif has_filter is False and has_prefix is False:
                yield Violation(
                    address=resource.address,
                    resource=resource,
                    message=(
                        f"{name} has neither filter nor prefix; the AWS provider requires "
                        "exactly one (Invalid Attribute Combination: No attribute specified when "
                        "one (and only one) of [filter,prefix] is required), today as a warning "
                        "it says will become an error; to cover every object add "
                        'filter { prefix = "" }'
                    ),
                )
