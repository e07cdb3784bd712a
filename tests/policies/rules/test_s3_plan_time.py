"""PLAN150: a bucket deleted without force_destroy while it holds objects."""

from __future__ import annotations

import pytest

from policies.model import Severity
from tests.policies.rules.plan_time_kit import DELETE, REPLACE, change, plan

E, W = Severity.ERROR, Severity.WARNING


def bucket(force=False):
    return {
        "id": "logs",
        "bucket": "logs",
        "arn": "arn:aws:s3:::logs",
        "bucket_domain_name": "logs.s3.amazonaws.com",
        "force_destroy": force,
    }


def deleted(state, *, force=False, actions=DELETE, gone=()):
    def build(k):
        changes = [change(k, "aws_s3_bucket.logs", actions, bucket(force))]
        changes += [change(k, address, DELETE, state[address]) for address in gone]
        return plan(k, *changes, prior={"aws_s3_bucket.logs": bucket(force), **state})

    return build


LOGGING = {"aws_s3_bucket_logging.site": {"bucket": "site", "target_bucket": "logs"}}
ALB = {"aws_lb.app": {"access_logs": [{"bucket": "logs", "enabled": True}]}}
CDN = {"aws_cloudfront_distribution.cdn": {"logging_config": [{"bucket": "logs.s3.amazonaws.com"}]}}
OBJECT = {"aws_s3_object.readme": {"bucket": "logs", "key": "README"}}
POLICY = {"aws_s3_bucket_policy.logs": {"bucket": "logs", "policy": "{}"}}


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "PLAN150",
            # The writer is deleted in the same plan; what it wrote stays.
            deleted(LOGGING, gone=("aws_s3_bucket_logging.site",)),
            [(E, "aws_s3_bucket_logging.site writes into logs")],
            id="PLAN150-fail-access-log-target",
        ),
        pytest.param(
            "PLAN150",
            deleted(ALB),
            [(E, "aws_lb.app writes into logs")],
            id="PLAN150-fail-load-balancer-logs",
        ),
        pytest.param(
            "PLAN150",
            deleted(CDN, actions=REPLACE),
            [(E, "aws_cloudfront_distribution.cdn writes into logs")],
            id="PLAN150-fail-distribution-logs-by-domain",
        ),
        pytest.param("PLAN150", deleted(LOGGING, force=True), [], id="PLAN150-pass-force-destroy"),
        pytest.param(
            "PLAN150",
            # Its own policy is no writer; an object deleted with it leaves it empty.
            deleted({**POLICY, **OBJECT}, gone=("aws_s3_object.readme",)),
            [(W, "list-object-versions --bucket logs")],
            id="PLAN150-warn-cannot-tell",
        ),
        pytest.param(
            "PLAN150",
            deleted(OBJECT),
            [(E, "aws_s3_object.readme writes into logs")],
            id="PLAN150-fail-object-kept",
        ),
        pytest.param(
            "PLAN150",
            lambda k: plan(k, change(k, "aws_s3_bucket.logs", DELETE, {}), prior={}),
            [(W, "list-object-versions --bucket aws_s3_bucket.logs")],
            id="PLAN150-unknown-no-name",
        ),
    ],
)
def test_s3_plan_time_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
