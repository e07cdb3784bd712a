"""VPC relations EC2, RDS and ELB check only at create time: subnet ranges and AZ coverage."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from policies.model import UNKNOWN, Document, Resource, Severity, Violation
from policies.registry import rule
from policies.rules._helpers import text
from policies.rules._index import resources_with

SUBNET = "aws_subnet"
VPC = "aws_vpc"
CIDR_ASSOCIATION = "aws_vpc_ipv4_cidr_block_association"


def _network(value: Any) -> ipaddress.IPv4Network | None:
    raw = text(value)
    if raw is None:
        return None
    try:
        network = ipaddress.ip_network(raw, strict=False)
    except ValueError:
        return None
    return network if isinstance(network, ipaddress.IPv4Network) else None


def _vpc_of(document: Document, subnet: Resource) -> Resource | None:
    address = subnet.reference("vpc_id")
    if address is not None:
        vpc = document.resource(address)
        return vpc if vpc is not None and vpc.type == VPC else None
    literal = text(subnet.values.get("vpc_id"))
    if literal is None:
        return None
    matches = resources_with(document, (VPC,), "id", literal)
    return matches[0] if len(matches) == 1 else None


def _will_exist(resource: Resource) -> bool:
    return resource.actions != ("delete",)


@rule(
    id="AT210",
    service="ec2",
    failure_class="cross-resource",
    source="https://github.com/pulumi/pulumi-awsx/issues/111",
    title="Subnet CIDR outside its VPC's CIDR or overlapping another subnet",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(SUBNET, VPC, CIDR_ASSOCIATION),
)
def subnet_cidr(document: Document) -> Iterator[Violation]:
    associated = {
        address
        for association in document.of_type(CIDR_ASSOCIATION)
        if (address := association.reference("vpc_id")) is not None
    }
    unresolved_associations = any(
        association.reference("vpc_id") is None
        for association in document.of_type(CIDR_ASSOCIATION)
    )
    by_vpc: dict[str, list[tuple[Resource, ipaddress.IPv4Network]]] = {}
    for subnet in document.of_type(SUBNET):
        if not _will_exist(subnet):
            continue
        network = _network(subnet.values.get("cidr_block"))
        vpc = _vpc_of(document, subnet)
        if network is None or vpc is None:
            continue
        by_vpc.setdefault(vpc.address, []).append((subnet, network))
        if vpc.address in associated or unresolved_associations:
            continue  # a secondary CIDR may hold the subnet
        vpc_network = _network(vpc.values.get("cidr_block"))
        if vpc_network is None or network.subnet_of(vpc_network):
            continue
        yield Violation(
            address=subnet.address,
            resource=subnet,
            message=(
                f"cidr_block {network} is not inside {vpc.address}'s cidr_block {vpc_network}; "
                f"EC2 rejects the subnet (InvalidSubnet.Range: The CIDR '{network}' is "
                "invalid); pick a range inside the VPC or add a secondary CIDR with "
                f"{CIDR_ASSOCIATION}"
            ),
        )
    for subnets in by_vpc.values():
        for position, (subnet, network) in enumerate(subnets):
            for other, other_network in subnets[:position]:
                if network.overlaps(other_network):
                    yield Violation(
                        address=subnet.address,
                        resource=subnet,
                        message=(
                            f"cidr_block {network} overlaps {other.address} ({other_network}) "
                            "in the same VPC; EC2 rejects the second subnet "
                            f"(InvalidSubnet.Conflict: The CIDR '{network}' conflicts with "
                            "another subnet)"
                        ),
                    )
                    break


def _subnet_zones(document: Document, resource: Resource, path: str) -> list[str] | None:
    """The AZ (name or ID) of each subnet in ``resource.<path>``; None unless all are certain."""
    raw = resource.values.get(path)
    if raw is UNKNOWN or not isinstance(raw, list):
        return None
    zones: list[tuple[str, str]] = []
    for index, item in enumerate(raw):
        subnet: Resource | None = None
        if item is UNKNOWN:
            address = resource.reference(f"{path}.{index}")
            subnet = document.resource(address) if address else None
        elif isinstance(item, str):
            found = resources_with(document, (SUBNET,), "id", item)
            subnet = found[0] if len(found) == 1 else None
        if subnet is None or subnet.type != SUBNET:
            return None
        zone = text(subnet.values.get("availability_zone"))
        kind = "name"
        if zone is None:
            zone, kind = text(subnet.values.get("availability_zone_id")), "id"
        if zone is None:
            return None
        zones.append((kind, zone))
    if len({kind for kind, _ in zones}) > 1:
        return None  # names and IDs do not compare
    return [zone for _, zone in zones]


@rule(
    id="AT211",
    service="rds",
    failure_class="cross-resource",
    source="https://github.com/terraform-aws-modules/terraform-aws-vpc/issues/821",
    title="DB subnet group with subnets in only one Availability Zone",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=("aws_db_subnet_group", SUBNET),
)
def db_subnet_group_zones(document: Document) -> Iterator[Violation]:
    for group in document.of_type("aws_db_subnet_group"):
        zones = _subnet_zones(document, group, "subnet_ids")
        if zones and len(set(zones)) < 2:
            yield Violation(
                address=group.address,
                resource=group,
                message=(
                    f"subnet_ids are all in {zones[0]}; RDS rejects the group "
                    "(DBSubnetGroupDoesNotCoverEnoughAZs: The DB subnet group doesn't meet "
                    "Availability Zone (AZ) coverage requirement. Add subnets to cover at "
                    "least 2 AZs)"
                ),
            )


@rule(
    id="AT218",
    service="elbv2",
    failure_class="cross-resource",
    source="https://github.com/kasmtech/terraform/issues/5",
    title="Load balancer subnets in one AZ (ALB) or two subnets in the same AZ",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=("aws_lb", "aws_alb", SUBNET),
)
def load_balancer_subnet_zones(document: Document) -> Iterator[Violation]:
    for balancer in document.of_type("aws_lb", "aws_alb"):
        kind = balancer.values.get("load_balancer_type")
        if kind is UNKNOWN:
            continue
        kind = kind or "application"
        zones = _subnet_zones(document, balancer, "subnets")
        if not zones:
            continue
        repeated = sorted({z for z in zones if zones.count(z) > 1})
        if repeated:
            yield Violation(
                address=balancer.address,
                resource=balancer,
                message=(
                    f"subnets has more than one subnet in {', '.join(repeated)}; ELB rejects "
                    "it (InvalidConfigurationRequest: A load balancer cannot be attached to "
                    "multiple subnets in the same Availability Zone)"
                ),
            )
        elif kind == "application" and len(set(zones)) < 2:
            yield Violation(
                address=balancer.address,
                resource=balancer,
                message=(
                    f"an Application Load Balancer needs subnets in at least two AZs, these are "
                    f"all in {zones[0]}; ELB rejects it (ValidationError: At least two subnets "
                    "in two different Availability Zones must be specified)"
                ),
            )
