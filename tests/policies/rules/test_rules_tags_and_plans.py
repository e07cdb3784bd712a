"""OPS004 required tags and PLAN001 destructive changes."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Provider, Severity

E, W = Severity.ERROR, Severity.WARNING
ALL = {"Project": "p", "Environment": "prod", "ManagedBy": "cdktf", "Owner": "o"}


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "OPS004",
            lambda k: k.document(
                k.resource("aws_vpc", values={"tags": {"Name": "main"}}),
                k.resource("aws_s3_bucket_policy", values={}),
                environment="prod",
            ),
            [],
            id="OPS004-pass-default-tags",
        ),
        pytest.param(
            "OPS004",
            lambda k: k.document(
                k.resource("aws_vpc", values={"tags": ALL}), default_tags=None, environment="prod"
            ),
            [],
            id="OPS004-pass-resource-tags",
        ),
        pytest.param(
            "OPS004",
            lambda k: k.document(
                k.resource("aws_vpc", values={"tags": {"Project": "p"}}),
                default_tags={"Owner": "o"},
                environment="prod",
            ),
            [(E, "missing required tags Environment, ManagedBy")],
            id="OPS004-fail-prod",
        ),
        pytest.param(
            "OPS004",
            lambda k: k.document(k.resource("aws_vpc"), default_tags=None, environment="dev"),
            [(W, "missing required tags Project, Environment, ManagedBy, Owner")],
            id="OPS004-warn-dev",
        ),
        pytest.param(
            "OPS004",
            lambda k: k.document(
                k.resource("aws_vpc", values={"tags_all": {**ALL, "Owner": UNKNOWN}}),
                kind="plan",
                default_tags=None,
                environment="prod",
            ),
            [],
            id="OPS004-pass-plan-tags_all-keys-known",
        ),
        pytest.param(
            "OPS004",
            lambda k: k.document(
                k.resource("aws_vpc", values={"tags_all": None, "tags": {"Name": "x"}}),
                kind="plan",
                environment="prod",
            ),
            [],
            id="OPS004-pass-plan-without-tags_all-falls-back-to-default-tags",
        ),
        pytest.param(
            "OPS004",
            lambda k: k.document(
                k.resource("aws_vpc", values={"tags": UNKNOWN}),
                k.resource("aws_subnet", values={}),
                default_tags=UNKNOWN,
                environment="prod",
            ),
            [],
            id="OPS004-unknown",
        ),
        pytest.param(
            "OPS004",
            lambda k: k.document(
                k.resource("aws_vpc", values={"tags": {"Name": "main"}}),
                # default_tags = [<token>]: the one block is unknown, so are the tags it adds.
                providers=(
                    Provider(
                        name="aws",
                        alias=None,
                        config={"region": "eu-north-1", "default_tags": [UNKNOWN]},
                    ),
                ),
                environment="prod",
            ),
            [],
            id="OPS004-unknown-default-tags-block",
        ),
        pytest.param(
            "PLAN001",
            lambda k: k.document(
                k.resource("aws_rds_cluster", actions=("update",)),
                k.resource("aws_ecs_service", actions=("delete", "create")),
                kind="plan",
            ),
            [],
            id="PLAN001-pass-update-and-stateless-replace",
        ),
        pytest.param(
            "PLAN001",
            lambda k: k.document(
                k.resource(
                    "aws_rds_cluster",
                    "db",
                    actions=("delete", "create"),
                    action_reason="replace_because_cannot_update",
                ),
                k.resource("aws_s3_bucket", "logs", actions=("delete",)),
                k.resource("aws_kms_key", "state", actions=("create", "delete")),
                kind="plan",
            ),
            [
                (
                    E,
                    "this plan replaces aws_rds_cluster.db; Terraform says: an argument that "
                    "cannot be updated in place changed (replace_because_cannot_update)",
                ),
                (E, "this plan deletes aws_s3_bucket.logs;"),
                (E, "replaces aws_kms_key.state (create before destroy)"),
            ],
            id="PLAN001-fail-replace-and-delete",
        ),
        pytest.param(
            "PLAN001",
            lambda k: k.document(k.resource("aws_s3_bucket", actions=("delete",))),
            [],
            id="PLAN001-pass-config-documents-not-checked",
        ),
        pytest.param(
            "PLAN001",
            lambda k: k.document(
                k.resource(
                    "aws_secretsmanager_secret", values={"name": UNKNOWN}, actions=("create",)
                ),
                kind="plan",
            ),
            [],
            id="PLAN001-unknown-values-create",
        ),
    ],
)
def test_tag_and_plan_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
