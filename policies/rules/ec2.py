"""EC2 / VPC plan-time rules: security groups and subnets deleted while still in use.

Found by ID in the plan's prior state (``policies.prior_state``), not by Terraform address.
"""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import Document, Severity, Violation
from policies.registry import rule
from policies.rules._plan_time import InUse, in_use

SECURITY_GROUP = "aws_security_group"
SUBNET = "aws_subnet"

# Where other resources hold a group ID. A group's own rules (security_group_id) go with it;
# launch templates and configurations may name a deleted group, so they do not block it.
SECURITY_GROUP_IN_USE = InUse(
    identifiers=("id",),
    paths=(
        "vpc_security_group_ids",
        "security_groups",
        "security_group_ids",
        "source_security_group_id",
        "referenced_security_group_id",
    ),
    user_types=None,
    other_than=frozenset(
        {"aws_launch_template", "aws_launch_configuration", "aws_spot_fleet_request"}
    ),
    error="DependencyViolation: resource {id} has a dependent object",
    fix=(
        "give the group name_prefix and lifecycle { create_before_destroy = true }, so "
        "Terraform creates the new group, moves its users, then deletes the old one; or a "
        "two-step change: move the users to another group first, replace the group after"
    ),
    check=(
        "aws ec2 describe-network-interfaces --filters Name=group-id,Values={id} and "
        "aws ec2 describe-security-group-references --group-id {id}"
    ),
    noun="security group",
)


@rule(
    id="PLAN110",
    title="Security group replaced or deleted while something still uses it",
    severity=Severity.ERROR,
    service="ec2",
    failure_class="plan-time",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/20743",
    category="plan",
    resource_types=(SECURITY_GROUP,),
    applies_to=("plan",),
)
def security_group_in_use(document: Document) -> Iterator[Violation]:
    yield from in_use(document, (SECURITY_GROUP,), SECURITY_GROUP_IN_USE)


# Resources that put network interfaces in a subnet and keep it when only updated in place;
# those whose subnet_id forces a replacement leave before the subnet does.
SUBNET_IN_USE = InUse(
    identifiers=("id",),
    paths=("subnet_id", "subnet_ids", "subnets", "vpc_zone_identifier"),
    user_types=frozenset(
        {
            "aws_instance",
            "aws_network_interface",
            "aws_lb",
            "aws_alb",
            "aws_ecs_service",
            "aws_lambda_function",
            "aws_vpc_endpoint",
            "aws_nat_gateway",
            "aws_db_subnet_group",
            "aws_elasticache_subnet_group",
            "aws_efs_mount_target",
            "aws_autoscaling_group",
            "aws_eks_cluster",
            "aws_eks_node_group",
            "aws_ec2_transit_gateway_vpc_attachment",
            "aws_directory_service_directory",
        }
    ),
    error="DependencyViolation: The subnet '{id}' has dependencies and cannot be deleted",
    fix=(
        "a two-step change: add the new subnet beside the old one (a new CIDR: the same one "
        "conflicts, InvalidSubnet.Conflict), move the users to it, apply; then remove the old "
        "subnet in a second change"
    ),
    check="aws ec2 describe-network-interfaces --filters Name=subnet-id,Values={id}",
    noun="subnet",
)


@rule(
    id="PLAN111",
    title="Subnet replaced or deleted while network interfaces still use it",
    severity=Severity.ERROR,
    service="ec2",
    failure_class="plan-time",
    source="https://github.com/hashicorp/terraform/issues/5977",
    category="plan",
    resource_types=(SUBNET,),
    applies_to=("plan",),
)
def subnet_in_use(document: Document) -> Iterator[Violation]:
    yield from in_use(document, (SUBNET,), SUBNET_IN_USE)
