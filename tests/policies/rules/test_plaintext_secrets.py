"""Rules of policies/rules/plaintext_secrets: table-driven passing, failing and unknown cases."""

from __future__ import annotations

import json

import pytest

from policies.model import UNKNOWN, Provider, Severity

E, W = Severity.ERROR, Severity.WARNING


LITERAL = "s3cr3t-Value-123"


def containers(**environment):
    return json.dumps(
        [
            {
                "name": "api",
                "image": "node:22",
                "environment": [{"name": k, "value": v} for k, v in environment.items()],
            }
        ]
    )


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "SEC002",
            lambda k: k.document(
                k.resource("aws_rds_cluster", values={"manage_master_user_password": True}),
                k.resource(
                    "aws_ecs_task_definition",
                    values={
                        "container_definitions": containers(
                            DB_SECRET_ARN="arn:aws:secretsmanager:eu-north-1:1:secret:x",
                            TOKEN_TTL="3600",
                            LOG_LEVEL="info",
                            # Names that mention a secret but hold where to find it.
                            OAUTH_TOKEN_URL="https://auth.example.com/oauth2/token",
                            API_KEY_HEADER="X-Api-Key",  # pragma: allowlist secret (a header name)
                            DB_PASSWORD_PARAMETER="/catalog-api/dev/db-password",
                        )
                    },
                ),
            ),
            [],
            id="SEC002-pass",
        ),
        pytest.param(
            "SEC002",
            lambda k: k.document(
                k.resource("aws_rds_cluster", values={"master_password": LITERAL}),
                k.resource(
                    "aws_ecs_task_definition",
                    values={
                        "container_definitions": containers(
                            API_TOKEN=LITERAL,
                            DATABASE_URL="postgres://app:" + LITERAL + "@db:5432/app",
                        )
                    },
                ),
                providers=(
                    Provider(
                        name="aws",
                        alias=None,
                        config={"region": "eu-north-1", "secret_key": LITERAL},
                    ),
                ),
            ),
            [
                (E, "a literal master_password is set"),
                (E, "container 'api' environment variable API_TOKEN holds a literal value"),
                (E, "container 'api' environment variable DATABASE_URL holds a literal value"),
                (E, "provider aws has a literal secret_key"),
            ],
            id="SEC002-fail-literals",
        ),
        pytest.param(
            "SEC002",
            lambda k: k.document(
                k.resource("aws_rds_cluster", values={"master_password": LITERAL}), kind="plan"
            ),
            [],
            id="SEC002-pass-plan-not-checked",
        ),
        pytest.param(
            "SEC002",
            lambda k: k.document(
                k.resource("aws_rds_cluster", values={"master_password": UNKNOWN}),
                k.resource("aws_ecs_task_definition", values={"container_definitions": UNKNOWN}),
                k.resource(
                    "aws_ecs_task_definition",
                    "b",
                    values={
                        "container_definitions": containers(DB_PASSWORD="${random_password.x}")
                    },
                ),
            ),
            [],
            id="SEC002-unknown",
        ),
    ],
)
def test_secret_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)


def test_plaintext_secret_messages_never_contain_the_value(kit):
    document = kit.document(
        kit.resource("aws_db_instance", values={"password": LITERAL}),
        kit.resource(
            "aws_lambda_function",
            values={"environment": [{"variables": {"STRIPE_KEY": "sk_live_" + "a" * 24}}]},
        ),
    )
    messages = [v.message for v in kit.findings("SEC002", document)]
    assert len(messages) == 2
    assert all(LITERAL not in m and "sk_live_" not in m for m in messages)
