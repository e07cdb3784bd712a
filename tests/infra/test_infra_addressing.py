"""Subnet layout for every VPC range the config accepts (property-based, no cdktf)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.addressing import subnet_cidrs

vpc_ranges = st.builds(
    lambda address, prefix: str(ipaddress.IPv4Network((address, prefix), strict=False)),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.integers(min_value=16, max_value=24),  # what validate_environment accepts
)


@given(vpc=vpc_ranges, az_count=st.integers(min_value=2, max_value=3))
def test_subnets_lie_inside_the_vpc_disjoint_and_at_least_slash_28(vpc: str, az_count: int) -> None:
    public, private = subnet_cidrs(vpc, az_count=az_count)
    assert len(public) == len(private) == az_count
    network = ipaddress.IPv4Network(vpc)
    subnets = [ipaddress.IPv4Network(cidr) for cidr in public + private]
    assert all(subnet.subnet_of(network) for subnet in subnets)
    assert all(subnet.prefixlen <= 28 for subnet in subnets)  # AWS's smallest subnet
    assert not any(a.overlaps(b) for i, a in enumerate(subnets) for b in subnets[i + 1 :])


def test_adding_an_az_keeps_existing_subnets() -> None:
    two = subnet_cidrs("10.30.0.0/16", az_count=2)
    three = subnet_cidrs("10.30.0.0/16", az_count=3)
    assert three[0][:2] == two[0] and three[1][:2] == two[1]
    assert two == (["10.30.0.0/20", "10.30.16.0/20"], ["10.30.128.0/20", "10.30.144.0/20"])


def test_rejects_more_azs_than_the_layout_holds() -> None:
    with pytest.raises(ValueError, match="az_count must be 1-8"):
        subnet_cidrs("10.0.0.0/16", az_count=9)
