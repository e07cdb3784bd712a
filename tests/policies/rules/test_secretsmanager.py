"""Rules of policies/rules/secretsmanager: table-driven passing, failing and unknown cases."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity

E, W = Severity.ERROR, Severity.WARNING


SECRET = "aws_secretsmanager_secret"


NAME = {"name": "catalog-api-db-dev"}


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "AT007",
            lambda k: k.document(
                k.resource(SECRET, values={**NAME, "recovery_window_in_days": 0}), environment="dev"
            ),
            [],
            id="AT007-pass-dev-window-0",
        ),
        pytest.param(
            "AT007",
            lambda k: k.document(
                k.resource(SECRET, values={"name_prefix": "catalog-", "name": UNKNOWN}),
                environment="dev",
            ),
            [],
            id="AT007-unknown-generated-name",
        ),
        pytest.param(
            "AT007",
            lambda k: k.document(k.resource(SECRET, values=NAME), environment="dev"),
            [
                (
                    E,
                    "secret 'catalog-api-db-dev' has a fixed name and a 30-day recovery window",
                )
            ],
            id="AT007-fail-dev-default-window",
        ),
        pytest.param(
            "AT007",
            lambda k: k.document(
                k.resource(SECRET, values={**NAME, "recovery_window_in_days": 7}),
                environment="staging",
            ),
            [(W, "7-day recovery window in staging")],
            id="AT007-warn-staging",
        ),
        pytest.param(
            "AT007",
            lambda k: k.document(
                k.resource(SECRET, values={**NAME, "recovery_window_in_days": 30}),
                environment="prod",
            ),
            [],
            id="AT007-pass-prod-not-checked",
        ),
        pytest.param(
            "AT007",
            lambda k: k.document(
                k.resource(SECRET, values={**NAME, "recovery_window_in_days": UNKNOWN}),
                environment="dev",
            ),
            [],
            id="AT007-unknown-window",
        ),
        pytest.param(
            "OPS003",
            lambda k: k.document(
                k.resource(SECRET, values={**NAME, "recovery_window_in_days": 30}),
                environment="prod",
            ),
            [],
            id="OPS003-pass",
        ),
        pytest.param(
            "OPS003",
            lambda k: k.document(
                k.resource(SECRET, values={**NAME, "recovery_window_in_days": 0}),
                environment="prod",
            ),
            [(E, "recovery_window_in_days = 0 in production")],
            id="OPS003-fail-prod-0",
        ),
        pytest.param(
            "OPS003",
            lambda k: k.document(
                k.resource(SECRET, values={**NAME, "recovery_window_in_days": 0}), environment="dev"
            ),
            [],
            id="OPS003-pass-dev-not-checked",
        ),
        pytest.param(
            "OPS003",
            lambda k: k.document(
                k.resource(SECRET, values={**NAME, "recovery_window_in_days": UNKNOWN}),
                environment="prod",
            ),
            [],
            id="OPS003-unknown",
        ),
    ],
)
def test_secret_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
