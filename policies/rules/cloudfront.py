"""CloudFront distributions: cache behavior settings and viewer certificate combinations that the
CloudFront API rejects at apply time, and the TLS floor viewers get."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import Document, Resource, Severity, Violation
from policies.registry import rule
from policies.rules._helpers import (
    Unresolved,
    blocks,
    by_environment,
    first_block,
    flag,
    is_set,
    region_of,
    resources_linked_to,
    text,
)

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
    category="apply-time",
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
    category="apply-time",
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
            yield _violation(
                resource,
                f"viewer_certificate sets cloudfront_default_certificate = true together with "
                f"{custom[-1]}; the provider sends CloudFront only {custom[-1]}, so the flag "
                "never applies and every plan shows a diff; set "
                "cloudfront_default_certificate = false",
                Severity.WARNING,
            )
        if len(custom) == 2:
            yield _violation(
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
                yield _violation(
                    resource,
                    f"viewer_certificate sets {custom[0]} without ssl_support_method; "
                    "CloudFront rejects a custom certificate without it "
                    "(InvalidViewerCertificate); "
                    'set ssl_support_method = "sni-only"',
                )
        if acm is True:
            region = _acm_region(document, resource)
            if region is not None and region != "us-east-1":
                yield _violation(
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


def _violation(resource: Resource, message: str, severity: Severity | None = None) -> Violation:
    return Violation(
        address=resource.address, resource=resource, message=message, severity=severity
    )


@rule(
    id="SEC005",
    title="CloudFront lets viewers use plain HTTP or TLS older than 1.2",
    severity=Severity.ERROR,
    service="cloudfront",
    failure_class="posture",
    source="https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html",
    category="security",
    resource_types=(DISTRIBUTION,),
)
def viewer_tls(document: Document) -> Iterator[Violation]:
    severity = by_environment(document)
    for resource in document.of_type(DISTRIBUTION):
        for path, behavior in cache_behaviors(resource):
            if text(behavior.get("viewer_protocol_policy")) == "allow-all":
                yield _violation(
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
            yield _violation(
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
                yield _violation(
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
    category="apply-time",
    resource_types=(DISTRIBUTION, BUCKET, OWNERSHIP),
)
def logging_bucket_without_acls(document: Document) -> Iterator[Violation]:
    for distribution in document.of_type(DISTRIBUTION):
        if first_block(distribution.values, "logging_config") is None:
            continue
        bucket = _logging_bucket(document, distribution)
        if bucket is None:
            continue
        try:
            controls = resources_linked_to(
                document, bucket, source_type=OWNERSHIP, path="bucket", name_attribute="bucket"
            )
        except Unresolved:
            continue
        settings = [
            text(rule_block.get("object_ownership"))
            for control in controls
            for _, rule_block in blocks(control.values, "rule")
        ]
        if "BucketOwnerEnforced" in settings:
            yield _violation(
                distribution,
                f"logging_config writes to {bucket.address}, whose ownership controls are "
                "BucketOwnerEnforced (ACLs disabled); CloudFront standard logging needs ACLs "
                "(InvalidArgument: The S3 bucket that you specified for CloudFront logs does "
                'not enable ACL access); use object_ownership = "BucketOwnerPreferred"',
            )
        elif not controls and "create" in bucket.actions:
            yield _violation(
                distribution,
                f"logging_config writes to {bucket.address}, a new bucket without "
                "aws_s3_bucket_ownership_controls: since April 2023 new buckets have ACLs "
                "disabled, and CloudFront rejects the log bucket (InvalidArgument: The S3 bucket "
                "that you specified for CloudFront logs does not enable ACL access); add "
                'ownership controls with object_ownership = "BucketOwnerPreferred"',
            )
