"""PLAN140: a certificate deleted while a listener or distribution uses it."""

from __future__ import annotations

import pytest

from policies.model import Severity
from tests.policies.rules.plan_time_kit import CREATE_FIRST, REPLACE, UPDATE, change, plan

E, W = Severity.ERROR, Severity.WARNING
ARN = "arn:aws:acm:eu-north-1:123456789012:certificate/1"
CERT = {"arn": ARN, "id": ARN, "domain_name": "app.example.com"}
LISTENER = {"arn": "arn:listener", "certificate_arn": ARN}
DISTRIBUTION = {"id": "E1", "viewer_certificate": [{"acm_certificate_arn": ARN}]}


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "PLAN140",
            lambda k: plan(
                k,
                change(k, "aws_acm_certificate.app", REPLACE, CERT, forced_by="domain_name"),
                change(k, "aws_lb_listener.https", UPDATE, LISTENER),
                prior={"aws_acm_certificate.app": CERT, "aws_lb_listener.https": LISTENER},
            ),
            [(E, "(domain_name forces it) while aws_lb_listener.https still uses")],
            id="PLAN140-fail-listener",
        ),
        pytest.param(
            "PLAN140",
            lambda k: plan(
                k,
                change(k, "aws_acm_certificate.app", REPLACE, CERT),
                prior={
                    "aws_acm_certificate.app": CERT,
                    "aws_cloudfront_distribution.cdn": DISTRIBUTION,
                },
            ),
            [(E, "aws_cloudfront_distribution.cdn still uses")],
            id="PLAN140-fail-distribution",
        ),
        pytest.param(
            "PLAN140",
            lambda k: plan(
                k,
                change(k, "aws_acm_certificate.app", CREATE_FIRST, CERT),
                change(k, "aws_lb_listener.https", UPDATE, LISTENER),
                prior={"aws_acm_certificate.app": CERT, "aws_lb_listener.https": LISTENER},
            ),
            [],
            id="PLAN140-pass-create-before-destroy",
        ),
        pytest.param(
            "PLAN140",
            # The validation resource passes the ARN on; it is not a user.
            lambda k: plan(
                k,
                change(k, "aws_acm_certificate.app", REPLACE, CERT),
                prior={
                    "aws_acm_certificate.app": CERT,
                    "aws_acm_certificate_validation.app": {"certificate_arn": ARN},
                },
            ),
            [(W, "Certificate.InUseBy")],
            id="PLAN140-warn-nothing-known-uses-it",
        ),
        pytest.param(
            "PLAN140",
            lambda k: plan(k, change(k, "aws_acm_certificate.app", REPLACE, CERT), prior=None),
            [(W, "no prior state")],
            id="PLAN140-unknown-no-prior-state",
        ),
    ],
)
def test_acm_plan_time_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
