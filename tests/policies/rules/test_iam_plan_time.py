"""PLAN170: a role replaced under its own name while an instance profile or policy holds it."""

from __future__ import annotations

import pytest

from policies.model import Severity
from tests.policies.rules.plan_time_kit import CREATE_FIRST, REPLACE, UPDATE, change, plan

E = Severity.ERROR
ROLE = {"id": "app", "name": "app", "path": "/"}
PROFILE = {"aws_iam_instance_profile.app": {"name": "app", "role": "app"}}
ATTACHMENT = {"aws_iam_role_policy_attachment.ssm": {"role": "app", "policy_arn": "arn:p"}}


def replaced(holders, *, after=None, actions=REPLACE, holder_actions=None, prior=True):
    def build(k):
        changes = [change(k, "aws_iam_role.app", actions, ROLE, after or ROLE, forced_by="path")]
        if holder_actions:
            changes += [change(k, a, holder_actions, v) for a, v in holders.items()]
        state = {"aws_iam_role.app": ROLE, **holders} if prior else None
        return plan(k, *changes, prior=state)

    return build


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "PLAN170",
            replaced(PROFILE),
            [(E, "removes it from aws_iam_instance_profile.app before DeleteRole")],
            id="PLAN170-fail-instance-profile",
        ),
        pytest.param(
            "PLAN170",
            replaced(ATTACHMENT),
            [(E, "aws_iam_role_policy_attachment.ssm does not change in the plan")],
            id="PLAN170-fail-policy-attachment",
        ),
        pytest.param(
            "PLAN170",
            replaced(PROFILE, after={**ROLE, "name": "app-v2"}),
            [],
            id="PLAN170-pass-new-name",
        ),
        pytest.param(
            "PLAN170",
            replaced(PROFILE, holder_actions=UPDATE),
            [],
            id="PLAN170-pass-profile-updated",
        ),
        pytest.param(
            "PLAN170",
            replaced(PROFILE, actions=CREATE_FIRST),
            [],
            id="PLAN170-pass-create-before-destroy-is-plan100",
        ),
        pytest.param(
            "PLAN170", replaced(PROFILE, prior=False), [], id="PLAN170-unknown-no-prior-state"
        ),
        pytest.param(
            "PLAN170",
            replaced(PROFILE, after={**ROLE, "name": None}),
            [],
            id="PLAN170-unknown-name",
        ),
    ],
)
def test_iam_plan_time_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
