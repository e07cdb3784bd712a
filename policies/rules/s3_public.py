"""S3 Block Public Access: every setting on, for every bucket that has its own block."""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import Document, Severity, Violation, is_known
from policies.registry import rule
from policies.rules._helpers import Unresolved, by_environment, flag, resources_linked_to

BUCKET = "aws_s3_bucket"
PUBLIC_ACCESS_BLOCK = "aws_s3_bucket_public_access_block"
SETTINGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


@rule(
    id="SEC004",
    title="S3 bucket public access block missing or not fully on",
    severity=Severity.ERROR,
    service="s3",
    failure_class="posture",
    source="https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    category="security",
    resource_types=(BUCKET, PUBLIC_ACCESS_BLOCK),
)
def public_access_block(document: Document) -> Iterator[Violation]:
    severity = by_environment(document)
    for block in document.of_type(PUBLIC_ACCESS_BLOCK):
        off = []
        for setting in SETTINGS:
            raw = block.values.get(setting)
            if not is_known(raw):
                continue
            # The provider's default for each setting is false.
            if raw is None or flag(raw) is False:
                off.append(setting)
        if off:
            yield Violation(
                address=block.address,
                resource=block,
                severity=severity,
                message=(
                    f"{', '.join(off)} {'is' if len(off) == 1 else 'are'} not true, so the "
                    "bucket can be made public by an ACL or bucket policy; set all four "
                    "settings to true"
                ),
            )
    for bucket in document.of_type(BUCKET):
        try:
            blocks = resources_linked_to(
                document,
                bucket,
                source_type=PUBLIC_ACCESS_BLOCK,
                path="bucket",
                name_attribute="bucket",
            )
        except Unresolved:
            continue
        if not blocks:
            yield Violation(
                address=bucket.address,
                resource=bucket,
                severity=by_environment(document, prod=Severity.WARNING, other=Severity.INFO),
                message=(
                    "no aws_s3_bucket_public_access_block for this bucket: it relies on the "
                    "account setting and S3's default for new buckets; add one with all four "
                    "settings true so the intent is in code"
                ),
            )
