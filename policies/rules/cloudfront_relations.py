"""CloudFront distributions and what they point at: custom domains and Lambda@Edge functions."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policies.model import UNKNOWN, Document, Resource, Severity, Violation, get_path
from policies.registry import rule
from policies.rules._helpers import blocks, first_block, flag, is_set, region_of
from policies.rules.cloudfront import DISTRIBUTION, cache_behaviors

FUNCTION = "aws_lambda_function"


@rule(
    id="AT216",
    service="cloudfront",
    failure_class="cross-resource",
    source="https://github.com/cloudposse/terraform-aws-cloudfront-s3-cdn/pull/72",
    title="CloudFront distribution with aliases but the default *.cloudfront.net certificate",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(DISTRIBUTION,),
)
def aliases_with_default_certificate(document: Document) -> Iterator[Violation]:
    for resource in document.of_type(DISTRIBUTION):
        aliases = resource.values.get("aliases")
        if aliases is UNKNOWN or not isinstance(aliases, list) or not aliases:
            continue
        certificate = first_block(resource.values, "viewer_certificate")
        if certificate is None:
            continue
        custom = [
            is_set(resource, f"viewer_certificate.{name}")
            for name in ("acm_certificate_arn", "iam_certificate_id")
        ]
        if any(c is None for c in custom) or any(custom):
            continue
        if flag(certificate.get("cloudfront_default_certificate")) is not True:
            continue
        names = [a for a in aliases if isinstance(a, str)]
        shown = f" ({', '.join(names)})" if names else ""
        yield Violation(
            address=resource.address,
            resource=resource,
            message=(
                f"aliases{shown} are set but viewer_certificate uses the default "
                "*.cloudfront.net certificate; CloudFront rejects the distribution "
                "(InvalidViewerCertificate: To add an alternate domain name (CNAME) to a "
                "CloudFront distribution, you must attach a trusted certificate that validates "
                "your authorization to use the domain name); set acm_certificate_arn to a "
                'us-east-1 certificate covering them, with ssl_support_method = "sni-only"'
            ),
        )


_FUNCTION_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:(?P<region>[a-z0-9-]+):\d{12}:function:[\w-]+(?::(?P<qualifier>.+))?$"
)
# "${aws_lambda_function.edge.qualified_arn}" -> (address, attribute)
_TOKEN = re.compile(r"^\$\{(aws_lambda_function\.[\w-]+)\.(\w+)\}$")


def _without_zero_steps(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.split(".") if part != "0")


def _associations(resource: Resource) -> Iterator[tuple[str, str]]:
    """(label, lambda_arn path) of every Lambda@Edge association in the distribution."""
    for path, behavior in cache_behaviors(resource):
        for index, _ in blocks(behavior, "lambda_function_association"):
            yield (
                f"{path.replace('.', '[', 1) + ']' if '.' in path else path}"
                f".lambda_function_association[{index}]",
                f"{path}.lambda_function_association.{index}.lambda_arn",
            )


def _problem(document: Document, resource: Resource, path: str) -> str | None:
    value = get_path(resource.values, path)
    if isinstance(value, str):
        match = _FUNCTION_ARN.match(value)
        if match is None:
            return None
        qualifier = match["qualifier"]
        if qualifier is None or qualifier == "$LATEST":
            return f"{value} names no function version"
        if not qualifier.isdigit():
            return f"{value} names alias {qualifier}, not a numbered version"
        if match["region"] != "us-east-1":
            return f"{value} is in {match['region']}; Lambda@Edge functions must be in us-east-1"
        return None
    if value is not UNKNOWN:
        return None
    wanted = _without_zero_steps(path)
    template = next(
        (raw for key, raw in resource.templates.items() if _without_zero_steps(key) == wanted),
        None,
    )
    token = _TOKEN.match(template or "")
    if token is None:
        return None
    function = document.resource(token[1])
    if function is None or function.type != FUNCTION:
        return None
    attribute = token[2]
    if attribute == "arn":
        return f"{function.address}.arn is the unqualified function ARN"
    if attribute == "qualified_arn":
        publish = flag(function.values.get("publish"))
        if function.values.get("publish") is None or publish is False:
            return (
                f"{function.address}.qualified_arn ends in $LATEST because the function does "
                "not set publish = true"
            )
        region = region_of(document, function)
        if region is not None and region != "us-east-1":
            return (
                f"{function.address} is created in {region}; Lambda@Edge functions must be in "
                "us-east-1"
            )
    return None


@rule(
    id="AT217",
    service="cloudfront",
    failure_class="cross-resource",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/21238",
    title="CloudFront Lambda@Edge association without a published us-east-1 function version",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(DISTRIBUTION, FUNCTION),
)
def lambda_edge_version(document: Document) -> Iterator[Violation]:
    for resource in document.of_type(DISTRIBUTION):
        for label, path in _associations(resource):
            problem = _problem(document, resource, path)
            if problem is None:
                continue
            yield Violation(
                address=resource.address,
                resource=resource,
                message=(
                    f"{label}: {problem}; CloudFront rejects it (InvalidLambdaFunctionAssociation: "
                    "The function ARN must reference a specific function version. (The ARN must "
                    "end with the version number.)); use qualified_arn of a function with "
                    "publish = true, created by a us-east-1 provider"
                ),
            )
