"""CloudFront in front of the ALB: HTTPS end to end, nothing cached, TLSv1.2 minimum."""

from __future__ import annotations

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.cloudfront_distribution import (
    CloudfrontDistribution,
    CloudfrontDistributionDefaultCacheBehavior,
    CloudfrontDistributionLoggingConfig,
    CloudfrontDistributionOrigin,
    CloudfrontDistributionOriginCustomOriginConfig,
    CloudfrontDistributionRestrictions,
    CloudfrontDistributionRestrictionsGeoRestriction,
    CloudfrontDistributionViewerCertificate,
)
from cdktf_cdktf_provider_aws.route53_record import Route53Record, Route53RecordAlias
from constructs import Construct

from infra.components.certificate import DnsValidatedCertificate

# AWS managed policies (IDs are global and fixed). The API is dynamic, so nothing is cached;
# the origin request policy forwards everything except Host, which must stay the origin name
# for the ALB certificate to match.
CACHING_DISABLED_POLICY_ID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY_ID = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
# HSTS, nosniff, frame and referrer policy on every response, whatever the app sends.
SECURITY_HEADERS_POLICY_ID = "67f7725c-6f97-4210-82d7-5512b31e9d03"
ORIGIN_ID = "alb"
VIEWER_TLS_POLICY = "TLSv1.2_2021"


def alb_origin(origin_domain_name: str) -> CloudfrontDistributionOrigin:
    """The ALB, reached over HTTPS by its own name (never *.elb.amazonaws.com)."""
    return CloudfrontDistributionOrigin(
        origin_id=ORIGIN_ID,
        domain_name=origin_domain_name,
        custom_origin_config=CloudfrontDistributionOriginCustomOriginConfig(
            http_port=80,
            https_port=443,
            origin_protocol_policy="https-only",
            origin_ssl_protocols=["TLSv1.2"],
        ),
    )


def uncached_behavior() -> CloudfrontDistributionDefaultCacheBehavior:
    """Every method to the origin, nothing cached, security headers on every response."""
    return CloudfrontDistributionDefaultCacheBehavior(
        target_origin_id=ORIGIN_ID,
        viewer_protocol_policy="redirect-to-https",
        allowed_methods=["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
        cached_methods=["GET", "HEAD"],
        cache_policy_id=CACHING_DISABLED_POLICY_ID,
        origin_request_policy_id=ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY_ID,
        response_headers_policy_id=SECURITY_HEADERS_POLICY_ID,
        compress=True,
    )


class Cdn(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        domain_name: str,
        origin_domain_name: str,
        zone_id: str,
        price_class: str,
        log_bucket_domain_name: str,
        log_prefix: str,
        us_east_1: TerraformProvider,
    ) -> None:
        super().__init__(scope, id)
        # CloudFront only uses certificates from us-east-1, and it ignores a TLS minimum on its
        # default *.cloudfront.net certificate (always TLSv1): TLSv1.2 needs our own name.
        self.certificate = DnsValidatedCertificate(
            self,
            "viewer-certificate",
            domain_name=domain_name,
            zone_id=zone_id,
            provider=us_east_1,
        )
        self.distribution = CloudfrontDistribution(
            self,
            "distribution",
            enabled=True,
            is_ipv6_enabled=True,
            http_version="http2and3",
            comment=name,
            aliases=[domain_name],
            price_class=price_class,
            origin=[alb_origin(origin_domain_name)],
            default_cache_behavior=uncached_behavior(),
            restrictions=CloudfrontDistributionRestrictions(
                geo_restriction=CloudfrontDistributionRestrictionsGeoRestriction(
                    restriction_type="none"
                )
            ),
            viewer_certificate=CloudfrontDistributionViewerCertificate(
                acm_certificate_arn=self.certificate.validated_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version=VIEWER_TLS_POLICY,
            ),
            logging_config=CloudfrontDistributionLoggingConfig(
                bucket=log_bucket_domain_name, prefix=log_prefix, include_cookies=False
            ),
        )
        self._add_alias_records(domain_name=domain_name, zone_id=zone_id)

    def _add_alias_records(self, *, domain_name: str, zone_id: str) -> None:
        self.alias_records = [
            Route53Record(
                self,
                f"alias-{record_type.lower()}",
                zone_id=zone_id,
                name=domain_name,
                type=record_type,
                alias=Route53RecordAlias(
                    name=self.distribution.domain_name,
                    zone_id=self.distribution.hosted_zone_id,
                    evaluate_target_health=False,
                ),
            )
            for record_type in ("A", "AAAA")
        ]

    @property
    def distribution_url(self) -> str:
        return f"https://{self.distribution.domain_name}"
