"""Subnet layout inside a VPC range (plain Python, so config tests need no cdktf)."""

from __future__ import annotations

import ipaddress

# Each subnet gets 1/16 of the VPC range (a /16 gives /20s, a /24 gives /28s, the smallest
# subnet AWS allows). Private subnets start half-way, so adding an AZ never renumbers.
SUBNET_PREFIX_GROWTH = 4
PRIVATE_OFFSET = 8
MAX_AZ_COUNT = PRIVATE_OFFSET


def subnet_cidrs(vpc_cidr: str, *, az_count: int) -> tuple[list[str], list[str]]:
    """(public, private) CIDRs, one of each per AZ, inside ``vpc_cidr`` and disjoint."""
    if not 1 <= az_count <= MAX_AZ_COUNT:
        raise ValueError(f"az_count must be 1-{MAX_AZ_COUNT}, got {az_count}")
    blocks = list(ipaddress.IPv4Network(vpc_cidr).subnets(prefixlen_diff=SUBNET_PREFIX_GROWTH))
    public = [str(blocks[i]) for i in range(az_count)]
    private = [str(blocks[PRIVATE_OFFSET + i]) for i in range(az_count)]
    return public, private
