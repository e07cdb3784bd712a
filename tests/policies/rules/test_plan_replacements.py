"""Rules of policies/rules/plan_replacements: table-driven passing, failing and unknown cases."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity

E, W = Severity.ERROR, Severity.WARNING


def replaced(k, type_, name_attribute="name", *, actions, before, after, kind="plan", users=()):
    return k.document(
        k.resource(
            type_,
            "x",
            values={name_attribute: after},
            before={name_attribute: before},
            actions=actions,
            action_reason="replace_because_cannot_update",
        ),
        *users,
        kind=kind,
    )


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        # PLAN100 create-before-destroy with a fixed name
        pytest.param(
            "PLAN100",
            lambda k: replaced(
                k, "aws_iam_role", actions=("create", "delete"), before="app", after="app"
            ),
            [(E, "EntityAlreadyExists: Role with name app already exists")],
            id="PLAN100-fail-role",
        ),
        pytest.param(
            "PLAN100",
            lambda k: replaced(
                k,
                "aws_lb_target_group",
                actions=("create", "delete"),
                before="tg-1",
                after="tg-2",
            ),
            [],
            id="PLAN100-pass-new-name",
        ),
        pytest.param(
            "PLAN100",
            lambda k: replaced(
                k, "aws_iam_role", actions=("delete", "create"), before="app", after="app"
            ),
            [],
            id="PLAN100-pass-destroy-first",
        ),
        pytest.param(
            "PLAN100",
            lambda k: replaced(
                k,
                "aws_db_parameter_group",
                actions=("create", "delete"),
                before="pg",
                after=UNKNOWN,
            ),
            [],
            id="PLAN100-unknown-name",
        ),
        pytest.param(
            "PLAN100",
            lambda k: replaced(
                k,
                "aws_iam_role",
                actions=("create", "delete"),
                before="a",
                after="a",
                kind="config",
            ),
            [],
            id="PLAN100-pass-config-not-checked",
        ),
        # PLAN101 destroy-before-create of something in use
        pytest.param(
            "PLAN101",
            lambda k: replaced(
                k,
                "aws_db_parameter_group",
                actions=("delete", "create"),
                before="pg",
                after="pg",
                users=[
                    k.resource(
                        "aws_db_instance",
                        "db",
                        values={},
                        actions=("update",),
                        references={"parameter_group_name": "aws_db_parameter_group.x"},
                    )
                ],
            ),
            [(E, "InvalidDBParameterGroupState")],
            id="PLAN101-fail-parameter-group",
        ),
        pytest.param(
            "PLAN101",
            lambda k: replaced(
                k,
                "aws_security_group",
                actions=("delete", "create"),
                before="sg",
                after="sg",
                users=[
                    k.resource(
                        "aws_lb",
                        "alb",
                        values={},
                        actions=("update",),
                        references={"security_groups": "aws_security_group.x"},
                    )
                ],
            ),
            [(E, "DependencyViolation")],
            id="PLAN101-fail-security-group",
        ),
        pytest.param(
            "PLAN101",
            lambda k: replaced(
                k,
                "aws_acm_certificate",
                "domain_name",
                actions=("delete", "create"),
                before="a.example.com",
                after="b.example.com",
                users=[
                    k.resource(
                        "aws_acm_certificate_validation",
                        "v",
                        values={},
                        actions=("delete", "create"),
                        references={"certificate_arn": "aws_acm_certificate.x"},
                    ),
                    k.resource(
                        "aws_lb_listener",
                        "https",
                        values={},
                        actions=("update",),
                        references={"certificate_arn": "aws_acm_certificate_validation.v"},
                    ),
                ],
            ),
            [(E, "aws_lb_listener.https still uses it")],
            id="PLAN101-fail-certificate-through-validation",
        ),
        pytest.param(
            "PLAN101",
            lambda k: replaced(
                k,
                "aws_security_group",
                actions=("create", "delete"),
                before=UNKNOWN,
                after=UNKNOWN,
                users=[
                    k.resource(
                        "aws_lb",
                        "alb",
                        values={},
                        actions=("update",),
                        references={"security_groups": "aws_security_group.x"},
                    )
                ],
            ),
            [],
            id="PLAN101-pass-create-before-destroy",
        ),
        pytest.param(
            "PLAN101",
            lambda k: replaced(
                k,
                "aws_security_group",
                actions=("delete", "create"),
                before="sg",
                after="sg",
                users=[
                    k.resource(
                        "aws_ssm_parameter",
                        "p",
                        values={},
                        actions=("update",),
                        references={"value": "aws_security_group.x"},
                    ),
                    k.resource(
                        "aws_lb",
                        "alb",
                        values={},
                        actions=("delete", "create"),
                        references={"security_groups": "aws_security_group.x"},
                    ),
                ],
            ),
            [],
            id="PLAN101-pass-no-blocking-user",
        ),
        pytest.param(
            "PLAN101",
            lambda k: replaced(
                k,
                "aws_security_group",
                actions=("delete", "create"),
                before=UNKNOWN,
                after=UNKNOWN,
                users=[
                    k.resource(
                        "aws_instance",
                        "vm",
                        values={"vpc_security_group_ids": UNKNOWN},
                        actions=("update",),
                    )
                ],
            ),
            [],
            id="PLAN101-unknown-link",
        ),
    ],
)
def test_relation_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
