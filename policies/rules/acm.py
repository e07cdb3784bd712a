"""ACM plan-time rules: a certificate deleted while a listener or distribution uses it.

Found by ARN in the plan's prior state (``policies.toolkit.prior_state``), not by Terraform address.
"""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import Document, Severity, Violation
from policies.registry import rule
from policies.rules._plan_time import InUse, in_use

CERTIFICATE = "aws_acm_certificate"

CERTIFICATE_IN_USE = InUse(
    identifiers=("arn",),
    paths=("certificate_arn", "acm_certificate_arn", "regional_certificate_arn"),
    user_types=frozenset(
        {
            "aws_lb_listener",
            "aws_alb_listener",
            "aws_lb_listener_certificate",
            "aws_alb_listener_certificate",
            "aws_cloudfront_distribution",
            "aws_api_gateway_domain_name",
            "aws_apigatewayv2_domain_name",
            "aws_cognito_user_pool_domain",
            "aws_elb",
        }
    ),
    error="ResourceInUseException: Certificate {id} in account ... is in use",
    fix=(
        "add lifecycle { create_before_destroy = true } to the certificate (it has no name "
        "to collide), so the listener or distribution switches to the new one before the old "
        "one is deleted"
    ),
    check="aws acm describe-certificate --certificate-arn {id} --query Certificate.InUseBy",
    noun="certificate",
)


@rule(
    id="PLAN140",
    title="ACM certificate replaced or deleted while a listener or distribution uses it",
    severity=Severity.ERROR,
    service="acm",
    failure_class="plan-time",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/4712",
    resource_types=(CERTIFICATE,),
    applies_to=("plan",),
)
def certificate_in_use(document: Document) -> Iterator[Violation]:
    yield from in_use(document, (CERTIFICATE,), CERTIFICATE_IN_USE)
