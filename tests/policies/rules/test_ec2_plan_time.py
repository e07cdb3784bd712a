"""PLAN110 (security group) and PLAN111 (subnet): deleted while something still uses them."""

from __future__ import annotations

import pytest

from policies.model import Severity
from tests.policies.rules.plan_time_kit import CREATE_FIRST, DELETE, REPLACE, UPDATE, change, plan

E, W = Severity.ERROR, Severity.WARNING
SG = {"id": "sg-1", "name": "app"}
SUBNET = {"id": "subnet-1", "cidr_block": "10.0.1.0/24"}


def sg_plan(kit, *, actions=REPLACE, users=None, user_actions=UPDATE, prior=True):
    changes = [change(kit, "aws_security_group.app", actions, SG, forced_by="name")]
    state = {"aws_security_group.app": SG, **(users or {})}
    for address in users or {}:
        if user_actions:
            changes.append(change(kit, address, user_actions, users[address]))
    return plan(kit, *changes, prior=state if prior else None)


ENI = {"aws_network_interface.app": {"id": "eni-1", "security_groups": ["sg-1"]}}


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "PLAN110",
            lambda k: sg_plan(k, users=ENI),
            [(E, "(name forces it) while aws_network_interface.app still uses sg-1")],
            id="PLAN110-fail-interface",
        ),
        pytest.param(
            "PLAN110",
            # Not in the plan at all (no change): found by its ID in the prior state.
            lambda k: sg_plan(
                k,
                users={"aws_instance.web": {"id": "i-1", "vpc_security_group_ids": ["sg-1"]}},
                user_actions=None,
            ),
            [(E, "aws_instance.web still uses sg-1")],
            id="PLAN110-fail-literal-id-user-outside-plan",
        ),
        pytest.param(
            "PLAN110",
            lambda k: sg_plan(
                k,
                users={
                    "aws_security_group.db": {
                        "id": "sg-2",
                        "ingress": [{"from_port": 5432, "security_groups": ["sg-1"]}],
                    }
                },
            ),
            [(E, "aws_security_group.db still uses sg-1")],
            id="PLAN110-fail-other-group-rule",
        ),
        pytest.param(
            "PLAN110",
            lambda k: sg_plan(k, actions=DELETE, users=ENI),
            [(E, "this plan deletes aws_security_group.app while aws_network_interface.app")],
            id="PLAN110-fail-delete",
        ),
        pytest.param(
            "PLAN110",
            lambda k: sg_plan(k, actions=CREATE_FIRST, users=ENI),
            [],
            id="PLAN110-pass-create-before-destroy",
        ),
        pytest.param(
            "PLAN110",
            # The user is replaced too: Terraform deletes it before the group.
            lambda k: sg_plan(k, users=ENI, user_actions=REPLACE),
            [(W, "nothing in the prior state uses sg-1")],
            id="PLAN110-pass-user-replaced-too",
        ),
        pytest.param(
            "PLAN110",
            # A group's own rules and a launch template do not hold it.
            lambda k: sg_plan(
                k,
                users={
                    "aws_vpc_security_group_ingress_rule.own": {"security_group_id": "sg-1"},
                    "aws_launch_template.app": {"vpc_security_group_ids": ["sg-1"]},
                },
            ),
            [(W, "describe-network-interfaces --filters Name=group-id,Values=sg-1")],
            id="PLAN110-warn-no-user-known",
        ),
        pytest.param(
            "PLAN110",
            lambda k: sg_plan(k, users=ENI, prior=False),
            [(W, "the plan has no prior state to tell what uses it")],
            id="PLAN110-unknown-no-prior-state",
        ),
        pytest.param(
            "PLAN111",
            lambda k: plan(
                k,
                change(k, "aws_subnet.a", REPLACE, SUBNET, forced_by="cidr_block"),
                change(k, "aws_lb.app", UPDATE, {"subnets": ["subnet-1", "subnet-2"]}),
                prior={
                    "aws_subnet.a": SUBNET,
                    "aws_lb.app": {"arn": "arn:lb", "subnets": ["subnet-1", "subnet-2"]},
                },
            ),
            [(E, "(cidr_block forces it) while aws_lb.app still uses subnet-1")],
            id="PLAN111-fail-load-balancer",
        ),
        pytest.param(
            "PLAN111",
            lambda k: plan(
                k,
                change(k, "aws_subnet.a", REPLACE, SUBNET),
                change(k, "aws_network_interface.a", REPLACE, {"subnet_id": "subnet-1"}),
                prior={
                    "aws_subnet.a": SUBNET,
                    "aws_network_interface.a": {"subnet_id": "subnet-1"},
                    # A route table association does not block the delete.
                    "aws_route_table_association.a": {"subnet_id": "subnet-1"},
                },
            ),
            [(W, "Name=subnet-id,Values=subnet-1")],
            id="PLAN111-pass-users-replaced-with-it",
        ),
        pytest.param(
            "PLAN111",
            lambda k: plan(k, change(k, "aws_subnet.a", CREATE_FIRST, SUBNET), prior={}),
            [],
            id="PLAN111-pass-create-before-destroy",
        ),
        pytest.param(
            "PLAN111",
            lambda k: plan(k, change(k, "aws_subnet.a", REPLACE, {"cidr_block": "x"}), prior={}),
            [(W, "the plan has no ID of the subnet to tell what uses it")],
            id="PLAN111-unknown-no-id",
        ),
    ],
)
def test_ec2_plan_time_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
