"""Route 53 records AWS rejects: TXT lengths, CNAMEs at a zone apex."""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import Document, Resource, Severity, Violation
from policies.registry import rule
from policies.toolkit.links import referenced, single_by_name
from policies.toolkit.rows import Block, Row, custom, register
from policies.toolkit.values import creates_or_updates, read, text

RECORD = "aws_route53_record"


def _txt_too_long(block: Block) -> str | None:
    if read(block, "type") not in ("TXT", "SPF"):
        return None
    records = read(block, "records")
    if not isinstance(records, list):
        return None
    for record in records:
        if not isinstance(record, str) or "${" in record:
            continue
        # The provider quotes the whole value; '""' inside it separates character strings.
        longest = max(len(part) for part in record.split('""'))
        if longest > 255:
            return f"has a TXT character string of {longest} characters (Route 53 allows 255)"
    return None


_TXT_KEY = "v=DKIM1; k=rsa; p=" + "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" * 7


register(
    Row(
        id="AT123",
        title="Route 53 TXT record string longer than 255 characters",
        service="route53",
        failure_class="invalid-value",
        resource_types=(RECORD,),
        predicate=custom(_txt_too_long),
        error=(
            "InvalidChangeBatch: [Invalid Resource Record: 'FATAL problem: "
            "CharacterStringTooLong (Value is too long) encountered with ...']"
        ),
        source="https://github.com/hashicorp/terraform-provider-aws/issues/46922",
        extra_sources=(
            "https://github.com/boto/boto3/issues/1462",
            "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#TXTFormat",
        ),
        why=(
            "Each character string in a TXT (or SPF) record holds at most 255 characters; a "
            "longer value, typically a 2048-bit DKIM key, must be split into several strings. "
            "The provider wraps each `records` element in quotes and passes it through, so "
            "plan succeeds and Route 53 rejects the change batch at apply (the provider issue "
            "asks for exactly this plan-time check)."
        ),
        fix=(
            'Split the value: "first-255-characters\\"\\"rest" (the provider joins the parts '
            "as separate strings)."
        ),
        failing={
            "zone_id": "Z0123456789ABCDEFGHIJ",
            "name": "sel1._domainkey.catalog.example.com",
            "type": "TXT",
            "ttl": 300,
            "records": [_TXT_KEY],
        },
        passing={
            "zone_id": "Z0123456789ABCDEFGHIJ",
            "name": "sel1._domainkey.catalog.example.com",
            "type": "TXT",
            "ttl": 300,
            "records": [_TXT_KEY[:250] + '""' + _TXT_KEY[250:]],
        },
    ),
)
ZONE = "aws_route53_zone"


# -- AT323: CNAME at the zone apex ---------------------------------------------------------------


def _fqdn(name: str) -> str:
    return name.rstrip(".").lower()


def _record_zone(document: Document, record: Resource) -> Resource | None:
    target = referenced(document, record, "zone_id")
    if target is not None:
        return target if target.type == ZONE else None
    literal = text(record.values.get("zone_id"))
    if literal is None:
        return None
    return single_by_name(document, ZONE, "zone_id", literal) or single_by_name(
        document, ZONE, "id", literal
    )


@rule(
    id="AT323",
    title="Route 53 CNAME record at the zone apex",
    severity=Severity.ERROR,
    resource_types=(RECORD, ZONE),
    service="route53",
    failure_class="cross-resource",
    source="https://github.com/cloudfoundry/bosh-bootloader/issues/310",
)
def cname_at_apex(document: Document) -> Iterator[Violation]:
    for record in document.of_type(RECORD):
        if not creates_or_updates(record) or record.values.get("type") != "CNAME":
            continue
        name = text(record.values.get("name"))
        if name is None or "${" in name:
            continue
        zone = _record_zone(document, record)
        if zone is None:
            continue
        zone_name = text(zone.values.get("name"))
        if zone_name is None or "${" in zone_name:
            continue
        # The provider appends the zone name to a name that does not end with it.
        full, apex = _fqdn(name), _fqdn(zone_name)
        if full != apex and not full.endswith(f".{apex}"):
            full = f"{full}.{apex}"
        if full != apex:
            continue
        yield Violation(
            address=record.address,
            resource=record,
            message=(
                f"is a CNAME for {zone_name}, the apex of {zone.address}; Route 53 rejects it "
                f"(InvalidChangeBatch: RRSet of type CNAME with DNS name {_fqdn(zone_name)}. is "
                f"not permitted at apex in zone {_fqdn(zone_name)}.); use an alias A/AAAA "
                "record (alias block) for the apex, or a CNAME on a subdomain such as www"
            ),
        )
