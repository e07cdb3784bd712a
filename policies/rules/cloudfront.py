"""CloudFront distributions: cache behavior settings and viewer certificate combinations the
CloudFront API rejects at apply time, the TLS floor viewers get, and what a distribution points
at (custom domains, Lambda@Edge functions, its logging bucket).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Resource, Severity, Violation, get_path
from policies.registry import rule
from policies.toolkit.context import by_environment, region_of
from policies.toolkit.findings import violation
from policies.toolkit.links import bucket_ownership
from policies.toolkit.values import blocks, first_block, flag, is_set, text

DISTRIBUTION = "aws_cloudfront_distribution"

# Security policies that still allow TLS 1.0/1.1 (or SSLv3) from viewers.
WEAK_SECURITY_POLICIES = frozenset({"SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016"})
# The provider's default when a custom certificate omits minimum_protocol_version.
PROVIDER_DEFAULT_POLICY = "TLSv1"


def cache_behaviors(resource: Resource) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(attribute path, block) for the default and every ordered cache behavior."""
    for _, block in blocks(resource.values, "default_cache_behavior"):
        yield "default_cache_behavior", block
    for index, block in blocks(resource.values, "ordered_cache_behavior"):
        yield f"ordered_cache_behavior.{index}", block


def _label(path: str) -> str:
    return path.replace(".", "[", 1) + "]" if "." in path else path


@rule(
    id="AT002",
    title="CloudFront cache behavior mixes forwarded_values with a cache or origin request policy",
    severity=Severity.ERROR,
    service="cloudfront",
    failure_class="value-combination",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/17626",
    resource_types=(DISTRIBUTION,),
)
def forwarded_values_with_policy(document: Document) -> Iterator[Violation]:
    for resource in document.of_type(DISTRIBUTION):
        for path, behavior in cache_behaviors(resource):
            if not any(isinstance(b, Mapping) for b in blocks_of(behavior, "forwarded_values")):
                continue
            policies = [
                attribute
                for attribute in ("cache_policy_id", "origin_request_policy_id")
                if is_set(resource, f"{path}.{attribute}") is True
            ]
            if policies:
                yield Violation(
                    address=resource.address,
                    resource=resource,
                    message=(
                        f"{_label(path)} sets forwarded_values together with "
                        f"{' and '.join(policies)}; CloudFront rejects this (InvalidArgument: "
                        "The parameter ForwardedValues cannot be used when a cache policy is "
                        "associated to the cache behavior); remove forwarded_values"
                    ),
                )


def blocks_of(values: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    return [block for _, block in blocks(values, key)]


@rule(
    id="AT010",
    title="CloudFront viewer certificate settings CloudFront rejects",
    severity=Severity.ERROR,
    service="cloudfront",
    failure_class="cross-resource",
    source="https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html",
    resource_types=(DISTRIBUTION, "aws_acm_certificate"),
)
def viewer_certificate(document: Document) -> Iterator[Violation]:
    for resource in document.of_type(DISTRIBUTION):
        certificate = first_block(resource.values, "viewer_certificate")
        if certificate is None:
            continue
        acm = is_set(resource, "viewer_certificate.acm_certificate_arn")
        iam = is_set(resource, "viewer_certificate.iam_certificate_id")
        default = flag(certificate.get("cloudfront_default_certificate"))
        custom = [
            name
            for name, present in (("acm_certificate_arn", acm), ("iam_certificate_id", iam))
            if present is True
        ]
        # The provider sends CloudFront exactly one certificate source (IAM, else ACM, else the
        # default), so these two combinations apply without error: the dropped setting never
        # takes effect and every plan shows a diff. A warning, not an apply-time error.
        if default is True and custom:
            yield violation(
                resource,
                f"viewer_certificate sets cloudfront_default_certificate = true together with "
                f"{custom[-1]}; the provider sends CloudFront only {custom[-1]}, so the flag "
                "never applies and every plan shows a diff; set "
                "cloudfront_default_certificate = false",
                Severity.WARNING,
            )
        if len(custom) == 2:
            yield violation(
                resource,
                "viewer_certificate sets both acm_certificate_arn and iam_certificate_id; "
                "CloudFront takes one certificate source and the provider sends only "
                "iam_certificate_id, so acm_certificate_arn is ignored and every plan shows a "
                "diff; keep one",
                Severity.WARNING,
            )
        if custom:
            method = certificate.get("ssl_support_method")
            if method is None or method == "":
                yield violation(
                    resource,
                    f"viewer_certificate sets {custom[0]} without ssl_support_method; "
                    "CloudFront rejects a custom certificate without it "
                    "(InvalidViewerCertificate); "
                    'set ssl_support_method = "sni-only"',
                )
        if acm is True:
            region = _acm_region(document, resource)
            if region is not None and region != "us-east-1":
                yield violation(
                    resource,
                    f"viewer_certificate uses an ACM certificate in {region}; CloudFront only "
                    "accepts certificates from us-east-1 (InvalidViewerCertificate); request "
                    "the certificate with a us-east-1 provider",
                )


def _acm_region(document: Document, distribution: Resource) -> str | None:
    """The region of the ACM certificate the distribution uses, when that is certain."""
    path = "viewer_certificate.acm_certificate_arn"
    address = distribution.reference(path)
    if address is not None:
        target = document.resource(address)
        if target is not None and target.type == "aws_acm_certificate_validation":
            # The usual CDKTF wiring waits for validation: follow it to the certificate.
            certificate_address = target.reference("certificate_arn")
            target = document.resource(certificate_address) if certificate_address else None
        if target is None or target.type != "aws_acm_certificate":
            return None
        return region_of(document, target)
    certificate = first_block(distribution.values, "viewer_certificate") or {}
    parts = (text(certificate.get("acm_certificate_arn")) or "").split(":")
    # arn:aws:acm:<region>:<account>:certificate/<id>
    return parts[3] if len(parts) > 5 and parts[2] == "acm" and parts[3] else None


@rule(
    id="SEC005",
    title="CloudFront lets viewers use plain HTTP or TLS older than 1.2",
    severity=Severity.ERROR,
    service="cloudfront",
    failure_class="posture",
    source="https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html",
    resource_types=(DISTRIBUTION,),
)
def viewer_tls(document: Document) -> Iterator[Violation]:
    severity = by_environment(document)
    for resource in document.of_type(DISTRIBUTION):
        for path, behavior in cache_behaviors(resource):
            if text(behavior.get("viewer_protocol_policy")) == "allow-all":
                yield violation(
                    resource,
                    f'{_label(path)} has viewer_protocol_policy = "allow-all", so viewers can '
                    'use plain HTTP; use "redirect-to-https" or "https-only"',
                    severity,
                )
        certificate = first_block(resource.values, "viewer_certificate")
        if certificate is None:
            continue
        default = flag(certificate.get("cloudfront_default_certificate"))
        custom = any(
            is_set(resource, f"viewer_certificate.{name}") is True
            for name in ("acm_certificate_arn", "iam_certificate_id")
        )
        if default is True and not custom:
            # CloudFront pins the *.cloudfront.net certificate to the TLSv1 policy whatever
            # minimum_protocol_version says; only a custom domain can raise the floor.
            yield violation(
                resource,
                "the default *.cloudfront.net certificate always allows TLSv1 and TLSv1.1; "
                "serve a custom domain with an ACM certificate and minimum_protocol_version = "
                '"TLSv1.2_2021" to enforce TLS 1.2',
                by_environment(document, prod=Severity.WARNING, other=Severity.INFO),
            )
        elif custom:
            policy = certificate.get("minimum_protocol_version")
            if policy is None or policy == "":
                policy = PROVIDER_DEFAULT_POLICY
            if text(policy) in WEAK_SECURITY_POLICIES:
                yield violation(
                    resource,
                    f"viewer_certificate minimum_protocol_version is {policy}, which allows "
                    'TLS older than 1.2; set minimum_protocol_version = "TLSv1.2_2021"',
                    severity,
                )


BUCKET = "aws_s3_bucket"
OWNERSHIP = "aws_s3_bucket_ownership_controls"
_S3_DOMAIN = re.compile(r"^(?P<name>[a-z0-9][a-z0-9.-]*?)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$")


def _logging_bucket(document: Document, distribution: Resource) -> Resource | None:
    """The aws_s3_bucket standard logs go to, when certain (reference or literal domain)."""
    address = distribution.reference("logging_config.bucket")
    if address is not None:
        bucket = document.resource(address)
        return bucket if bucket is not None and bucket.type == BUCKET else None
    logging = first_block(distribution.values, "logging_config") or {}
    match = _S3_DOMAIN.match(text(logging.get("bucket")) or "")
    if match is None:
        return None
    named = [b for b in document.of_type(BUCKET) if text(b.values.get("bucket")) == match["name"]]
    return named[0] if len(named) == 1 else None


@rule(
    id="AT015",
    title="CloudFront standard logs go to a bucket with ACLs disabled",
    severity=Severity.ERROR,
    service="cloudfront",
    failure_class="cross-resource",
    source="https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html",
    resource_types=(DISTRIBUTION, BUCKET, OWNERSHIP),
)
def logging_bucket_without_acls(document: Document) -> Iterator[Violation]:
    for distribution in document.of_type(DISTRIBUTION):
        if first_block(distribution.values, "logging_config") is None:
            continue
        bucket = _logging_bucket(document, distribution)
        if bucket is None:
            continue
        ownership = bucket_ownership(document, bucket)
        if ownership is None:
            continue
        controls, settings = ownership
        if "BucketOwnerEnforced" in settings:
            yield violation(
                distribution,
                f"logging_config writes to {bucket.address}, whose ownership controls are "
                "BucketOwnerEnforced (ACLs disabled); CloudFront standard logging needs ACLs "
                "(InvalidArgument: The S3 bucket that you specified for CloudFront logs does "
                'not enable ACL access); use object_ownership = "BucketOwnerPreferred"',
            )
        elif not controls and "create" in bucket.actions:
            yield violation(
                distribution,
                f"logging_config writes to {bucket.address}, a new bucket without "
                "aws_s3_bucket_ownership_controls: since April 2023 new buckets have ACLs "
                "disabled, and CloudFront rejects the log bucket (InvalidArgument: The S3 bucket "
                "that you specified for CloudFront logs does not enable ACL access); add "
                'ownership controls with object_ownership = "BucketOwnerPreferred"',
            )


FUNCTION = "aws_lambda_function"


@rule(
    id="AT216",
    service="cloudfront",
    failure_class="cross-resource",
    source="https://github.com/cloudposse/terraform-aws-cloudfront-s3-cdn/pull/72",
    title="CloudFront distribution with aliases but the default *.cloudfront.net certificate",
    severity=Severity.ERROR,
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
