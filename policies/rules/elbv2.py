"""Elastic Load Balancing v2 plan-time rules: a target group deleted under a listener or rule.

Found by ARN in the plan's prior state (``policies.prior_state``), not by Terraform address.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import Document, Severity, Violation
from policies.registry import rule
from policies.rules._plan_time import InUse, in_use

TARGET_GROUPS = ("aws_lb_target_group", "aws_alb_target_group")
LISTENERS = frozenset(
    {"aws_lb_listener", "aws_alb_listener", "aws_lb_listener_rule", "aws_alb_listener_rule"}
)


def _attached(before: Mapping[str, Any]) -> bool | None:
    """AWS lists the load balancers a group is attached to (only through a listener or rule)."""
    arns = before.get("load_balancer_arns")
    if not isinstance(arns, list):
        return None
    return any(isinstance(arn, str) and arn for arn in arns)


TARGET_GROUP_IN_USE = InUse(
    identifiers=("arn", "id"),
    paths=("target_group_arn", "target_group.arn"),
    user_types=LISTENERS,
    error=("ResourceInUse: Target group '{id}' is currently in use by a listener or a rule"),
    fix=(
        "replace name with name_prefix and add lifecycle { create_before_destroy = true }, "
        "so the new group exists and the listener switches to it before the old one is "
        "deleted (with a fixed name the new group cannot be created first: "
        "DuplicateTargetGroupName, PLAN100)"
    ),
    check=(
        "aws elbv2 describe-target-groups --target-group-arns {id} "
        "--query 'TargetGroups[].LoadBalancerArns'"
    ),
    noun="target group",
    attached=_attached,
)


@rule(
    id="PLAN120",
    title="Target group replaced or deleted while a listener or rule forwards to it",
    severity=Severity.ERROR,
    service="elbv2",
    failure_class="plan-time",
    source="https://github.com/cloudposse/terraform-aws-alb-ingress/issues/24",
    category="plan",
    resource_types=TARGET_GROUPS,
    applies_to=("plan",),
)
def target_group_in_use(document: Document) -> Iterator[Violation]:
    yield from in_use(document, TARGET_GROUPS, TARGET_GROUP_IN_USE)
