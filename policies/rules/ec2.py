"""EC2 / EBS / VPC: volumes, security groups and subnet ranges AWS rejects."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from policies.model import Document, Resource, Severity, Violation
from policies.registry import rule
from policies.toolkit.links import link_by_last_segment
from policies.toolkit.rows import Row, at_least, matches, ratio_at_most, register
from policies.toolkit.values import text, will_exist

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


@rule(
    id="AT210",
    service="ec2",
    failure_class="cross-resource",
    source="https://github.com/pulumi/pulumi-awsx/issues/111",
    title="Subnet CIDR outside its VPC's CIDR or overlapping another subnet",
    severity=Severity.ERROR,
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
        if not will_exist(subnet):
            continue
        network = _network(subnet.values.get("cidr_block"))
        vpc = link_by_last_segment(document, subnet, "vpc_id", VPC, "id")
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


SECURITY_GROUP = "aws_security_group"


# -- other checks ----------------------------------------------------------------------------


def _non_ascii(value: str) -> str | None:
    bad = sorted({c for c in value if ord(c) > 0x7E or ord(c) < 0x20})
    if not bad:
        return None
    return "contains characters beyond ASCII (" + " ".join(f"U+{ord(c):04X}" for c in bad[:3]) + ")"


register(
    Row(
        id="AT122",
        title="Security group description with characters beyond ASCII",
        service="ec2",
        failure_class="invalid-value",
        resource_types=(SECURITY_GROUP,),
        predicate=matches("description", _non_ascii),
        error=(
            "InvalidParameterValue: Value (...) for parameter GroupDescription is invalid. "
            "Character sets beyond ASCII are not supported."
        ),
        source="https://github.com/psd401/aistudio/pull/1049",
        extra_sources=(
            "https://github.com/psd401/aistudio/pull/1149",
            "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
        ),
        why=(
            "A security group's description is ASCII only. An em dash, an arrow or an accented "
            "letter passes the provider (it checks the length) and EC2 rejects the group at "
            "create. Changing the description later replaces the group."
        ),
        fix="Write the description in ASCII (-, ->, ue for ü).",
        failing={
            "name": "catalog-api-db",
            "description": "Zugriff f\u00fcr die API \u2013 Datenbank",
        },
        passing={"name": "catalog-api-db", "description": "Zugriff fuer die API - Datenbank"},
    ),
)
VOLUME = "aws_ebs_volume"
AZ = "eu-north-1a"


register(
    Row(
        id="AT102",
        title="EBS gp3 throughput above 0.25 MiB/s per provisioned IOPS",
        service="ec2",
        failure_class="value-combination",
        resource_types=(VOLUME,),
        predicate=ratio_at_most("throughput", "iops", 0.25, when={"type": {"gp3"}}, iops=3000),
        error=(
            "InvalidParameterValue: Throughput (MiBps) to iops ratio of 0.333333 is too high; "
            "maximum is 0.250000 MiBps per iops"
        ),
        source="https://github.com/runs-on/runs-on/issues/260",
        extra_sources=("https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html",),
        why=(
            "A gp3 volume's throughput may be at most a quarter of its IOPS (MiB/s per IOPS), "
            "and IOPS default to the 3,000 baseline. The provider checks throughput's range "
            "(125-1000) but not the ratio, so `throughput = 1000` without raising `iops` to "
            "4,000 fails when EC2 creates the volume."
        ),
        fix="Raise iops to at least 4 x throughput, or lower throughput.",
        failing={"availability_zone": AZ, "size": 100, "type": "gp3", "throughput": 1000},
        passing={
            "availability_zone": AZ,
            "size": 100,
            "type": "gp3",
            "throughput": 1000,
            "iops": 4000,
        },
        more_failing=(
            {"availability_zone": AZ, "size": 100, "type": "gp3", "throughput": 500, "iops": 1000},
        ),
    ),
    Row(
        id="AT103",
        title="EBS io1 volume with more than 50 IOPS per GiB",
        service="ec2",
        failure_class="value-combination",
        resource_types=(VOLUME,),
        predicate=ratio_at_most("iops", "size", 50, when={"type": {"io1"}}),
        error=(
            "InvalidParameterValue: Iops to volume size ratio of 100.000000 is too high; "
            "maximum is 50.000000"
        ),
        source="https://docs.aws.amazon.com/ebs/latest/userguide/provisioned-iops.html",
        why=(
            "io1 volumes can be provisioned with at most 50 IOPS per GiB of size. The provider "
            "accepts any `iops` for io1; EC2 rejects the volume at create."
        ),
        fix="Grow the volume to iops / 50 GiB, lower iops, or use io2.",
        failing={"availability_zone": AZ, "size": 10, "type": "io1", "iops": 1000},
        passing={"availability_zone": AZ, "size": 20, "type": "io1", "iops": 1000},
    ),
    Row(
        id="AT104",
        title="EBS st1 or sc1 volume smaller than 125 GiB",
        service="ec2",
        failure_class="value-combination",
        resource_types=(VOLUME,),
        predicate=at_least("size", 125, when={"type": {"st1", "sc1"}}),
        error="InvalidParameterValue: Volume of 10GiB is too small; minimum is 125GiB",
        source="https://docs.aws.amazon.com/ebs/latest/userguide/hdd-vols.html",
        why=(
            "Throughput-optimized (st1) and cold (sc1) HDD volumes start at 125 GiB. The "
            "provider accepts any size; EC2 rejects a smaller volume at create."
        ),
        fix="Use size >= 125 for st1/sc1, or gp3 for small volumes.",
        failing={"availability_zone": AZ, "size": 10, "type": "st1"},
        passing={"availability_zone": AZ, "size": 125, "type": "st1"},
    ),
)
