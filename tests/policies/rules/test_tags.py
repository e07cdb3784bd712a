"""Rules of policies/rules/tags: table-driven passing, failing and unknown cases."""

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
    ],
)
def test_tag_and_plan_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
