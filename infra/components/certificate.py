"""An ACM certificate validated through DNS records in a Route 53 zone we own."""

from __future__ import annotations

from cdktf import TerraformIterator, TerraformProvider, TerraformResourceLifecycle, Token
from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate
from cdktf_cdktf_provider_aws.acm_certificate_validation import AcmCertificateValidation
from cdktf_cdktf_provider_aws.route53_record import Route53Record
from constructs import Construct


class DnsValidatedCertificate(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        domain_name: str,
        zone_id: str,
        provider: TerraformProvider | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.certificate = AcmCertificate(
            self,
            "certificate",
            domain_name=domain_name,
            validation_method="DNS",
            key_algorithm="EC_prime256v1",
            provider=provider,
            # A listener or distribution always holds a certificate, so a replacement must
            # exist before the old one can be detached and deleted.
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        options = TerraformIterator.from_complex_list(
            self.certificate.domain_validation_options, "domain_name"
        )
        self.validation_records = Route53Record(
            self,
            "validation-record",
            for_each=options,
            zone_id=zone_id,
            name=options.get_string("resource_record_name"),
            type=options.get_string("resource_record_type"),
            records=[options.get_string("resource_record_value")],
            ttl=300,
            allow_overwrite=True,
        )
        self.validation = AcmCertificateValidation(
            self,
            "validation",
            certificate_arn=self.certificate.arn,
            validation_record_fqdns=Token.as_list(
                TerraformIterator.from_resources(self.validation_records).pluck_property("fqdn")
            ),
            provider=provider,
        )

    @property
    def validated_arn(self) -> str:
        """The ARN, available only once validation succeeded (so users wait for it)."""
        return self.validation.certificate_arn
