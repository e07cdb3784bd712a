"""Rules of policies/rules/elbv2: table-driven passing, failing and unknown cases."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity
from tests.policies.rules.builders import subnet, subnet_user

E = Severity.ERROR


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        # AT218 load balancer AZs
        pytest.param(
            "AT218",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet(k, "b", "10.0.2.0/24", "eu-north-1b"),
                subnet_user(k, "aws_lb", "subnets", ["a", "b"]),
            ),
            [],
            id="AT218-pass",
        ),
        pytest.param(
            "AT218",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet_user(k, "aws_lb", "subnets", ["a"]),
            ),
            [(E, "At least two subnets in two different Availability Zones")],
            id="AT218-fail-alb-one-az",
        ),
        pytest.param(
            "AT218",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet_user(k, "aws_lb", "subnets", ["a"], load_balancer_type="network"),
            ),
            [],
            id="AT218-pass-nlb-one-az",
        ),
        pytest.param(
            "AT218",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet(k, "b", "10.0.2.0/24", "eu-north-1a"),
                subnet(k, "c", "10.0.3.0/24", "eu-north-1b"),
                subnet_user(k, "aws_lb", "subnets", ["a", "b", "c"], load_balancer_type="network"),
            ),
            [(E, "cannot be attached to multiple subnets in the same Availability Zone")],
            id="AT218-fail-same-az-twice",
        ),
        pytest.param(
            "AT218",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet_user(k, "aws_lb", "subnets", ["a"], load_balancer_type=UNKNOWN),
            ),
            [],
            id="AT218-unknown-type",
        ),
    ],
)
def test_relation_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)


BUCKET, PAB = "aws_s3_bucket", "aws_s3_bucket_public_access_block"


SSE = "aws_s3_bucket_server_side_encryption_configuration"


def logs_setup(k, algorithm, *, linked=True):
    """An ALB logging to the logs bucket, and that bucket's default encryption."""
    return k.document(
        k.resource(
            "aws_lb",
            "api",
            values={"access_logs": {"bucket": UNKNOWN, "enabled": True, "prefix": "alb"}},
            references={"access_logs.bucket": "aws_s3_bucket.logs"} if linked else {},
        ),
        k.resource(BUCKET, "logs", values={"bucket": UNKNOWN}),
        k.resource(
            SSE,
            "logs",
            values={
                "bucket": UNKNOWN,
                "rule": [
                    {"apply_server_side_encryption_by_default": [{"sse_algorithm": algorithm}]}
                ],
            },
            references={"bucket": "aws_s3_bucket.logs"},
        ),
    )


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param("AT011", lambda k: logs_setup(k, "AES256"), [], id="AT011-pass-sse-s3"),
        pytest.param(
            "AT011",
            lambda k: logs_setup(k, "aws:kms"),
            [(E, "access_logs go to aws_s3_bucket.logs, which")],
            id="AT011-fail-kms",
        ),
        pytest.param(
            "AT011",
            lambda k: logs_setup(k, "aws:kms", linked=False),
            [],
            id="AT011-unknown-bucket-link",
        ),
        pytest.param(
            "AT011",
            lambda k: logs_setup(k, UNKNOWN),
            [],
            id="AT011-unknown-algorithm",
        ),
    ],
)
def test_s3_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
