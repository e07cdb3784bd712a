"""Rules of policies/rules/ec2: table-driven passing, failing and unknown cases."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity
from tests.policies.rules.builders import subnet, vpc

E, W = Severity.ERROR, Severity.WARNING


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        # AT210 subnet CIDR
        pytest.param(
            "AT210",
            lambda k: k.document(
                vpc(k), subnet(k, "a", "10.0.1.0/24"), subnet(k, "b", "10.0.2.0/24")
            ),
            [],
            id="AT210-pass",
        ),
        pytest.param(
            "AT210",
            lambda k: k.document(vpc(k), subnet(k, "a", "10.1.1.0/24")),
            [(E, "InvalidSubnet.Range: The CIDR '10.1.1.0/24' is invalid")],
            id="AT210-fail-outside",
        ),
        pytest.param(
            "AT210",
            lambda k: k.document(
                vpc(k), subnet(k, "a", "10.0.0.0/20"), subnet(k, "b", "10.0.8.0/24")
            ),
            [(E, "InvalidSubnet.Conflict")],
            id="AT210-fail-overlap",
        ),
        pytest.param(
            "AT210",
            lambda k: k.document(
                vpc(k),
                subnet(k, "a", "10.1.1.0/24"),
                k.resource(
                    "aws_vpc_ipv4_cidr_block_association",
                    values={"vpc_id": UNKNOWN, "cidr_block": "10.1.0.0/16"},
                    references={"vpc_id": "aws_vpc.main"},
                ),
            ),
            [],
            id="AT210-pass-secondary-cidr",
        ),
        pytest.param(
            "AT210",
            lambda k: k.document(vpc(k, UNKNOWN), subnet(k, "a", "10.1.1.0/24")),
            [],
            id="AT210-unknown-vpc-cidr",
        ),
    ],
)
def test_relation_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
