"""PLAN120: a target group deleted while a listener or rule forwards to it."""

from __future__ import annotations

import pytest

from policies.model import Severity
from tests.policies.rules.plan_time_kit import CREATE_FIRST, REPLACE, UPDATE, change, plan

E, W = Severity.ERROR, Severity.WARNING
ARN = "arn:aws:elasticloadbalancing:eu-north-1:123456789012:targetgroup/app/1"


def tg(load_balancers=("arn:lb",)):
    values = {"arn": ARN, "id": ARN, "name": "app"}
    if load_balancers is not None:
        values["load_balancer_arns"] = list(load_balancers)
    return values


LISTENER = {"arn": "arn:listener", "default_action": [{"target_group_arn": ARN}]}
RULE = {
    "arn": "arn:rule",
    "action": [{"forward": [{"target_group": [{"arn": ARN, "weight": 1}]}]}],
}


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "PLAN120",
            lambda k: plan(
                k,
                change(k, "aws_lb_target_group.app", REPLACE, tg(), forced_by="port"),
                change(k, "aws_lb_listener.http", UPDATE, LISTENER),
                prior={"aws_lb_target_group.app": tg(), "aws_lb_listener.http": LISTENER},
            ),
            [(E, "(port forces it) while aws_lb_listener.http still uses")],
            id="PLAN120-fail-listener",
        ),
        pytest.param(
            "PLAN120",
            lambda k: plan(
                k,
                change(k, "aws_lb_target_group.app", REPLACE, tg()),
                prior={"aws_lb_target_group.app": tg(), "aws_lb_listener_rule.api": RULE},
            ),
            [(E, "aws_lb_listener_rule.api still uses")],
            id="PLAN120-fail-weighted-forward-rule",
        ),
        pytest.param(
            "PLAN120",
            # AWS lists a load balancer, but no listener here: one Terraform does not manage.
            lambda k: plan(
                k,
                change(k, "aws_lb_target_group.app", REPLACE, tg()),
                prior={"aws_lb_target_group.app": tg()},
            ),
            [(E, "attached through something Terraform does not manage")],
            id="PLAN120-fail-unmanaged-listener",
        ),
        pytest.param(
            "PLAN120",
            lambda k: plan(
                k,
                change(k, "aws_lb_target_group.app", REPLACE, tg(load_balancers=())),
                prior={"aws_lb_target_group.app": tg(load_balancers=())},
            ),
            [],
            id="PLAN120-pass-not-attached",
        ),
        pytest.param(
            "PLAN120",
            lambda k: plan(
                k,
                change(k, "aws_lb_target_group.app", CREATE_FIRST, tg()),
                change(k, "aws_lb_listener.http", UPDATE, LISTENER),
                prior={"aws_lb_target_group.app": tg(), "aws_lb_listener.http": LISTENER},
            ),
            [],
            id="PLAN120-pass-create-before-destroy",
        ),
        pytest.param(
            "PLAN120",
            lambda k: plan(
                k,
                change(k, "aws_lb_target_group.app", REPLACE, tg(load_balancers=None)),
                prior={"aws_lb_target_group.app": tg(load_balancers=None)},
            ),
            [(W, "describe-target-groups --target-group-arns")],
            id="PLAN120-unknown-attachment",
        ),
    ],
)
def test_elbv2_plan_time_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
