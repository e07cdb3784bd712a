"""S3 lifecycle rules: each needs exactly one of ``filter`` / ``prefix``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Severity, Violation
from policies.registry import rule
from policies.rules._helpers import blocks

LIFECYCLE = "aws_s3_bucket_lifecycle_configuration"


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
    category="apply-time",
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
