"""S3 buckets: Block Public Access, ACLs against ownership controls, replication versioning."""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import UNKNOWN, Document, Resource, Severity, Violation, is_known
from policies.registry import rule
from policies.toolkit.context import by_environment
from policies.toolkit.links import (
    Unresolved,
    bucket_ownership,
    referenced,
    resources_linked_to,
    single_by_name,
)
from policies.toolkit.values import blocks, creates_or_updates, flag, text

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


BUCKET_ACL = "aws_s3_bucket_acl"
OWNERSHIP = "aws_s3_bucket_ownership_controls"


# -- AT320: bucket ACL on a bucket with ACLs disabled -----------------------------------------


def _acl_bucket(document: Document, acl: Resource) -> Resource | None:
    target = referenced(document, acl, "bucket")
    if target is not None:
        return target if target.type == BUCKET else None
    name = text(acl.values.get("bucket"))
    return single_by_name(document, BUCKET, "bucket", name) if name else None


def _sets_acl(acl: Resource) -> bool | None:
    canned = acl.values.get("acl")
    policy = acl.values.get("access_control_policy")
    if canned is UNKNOWN or policy is UNKNOWN:
        return None
    return bool(text(canned)) or bool(policy)


@rule(
    id="AT320",
    title="S3 bucket ACL on a bucket whose ownership controls disable ACLs",
    severity=Severity.ERROR,
    resource_types=(BUCKET_ACL, BUCKET, OWNERSHIP),
    service="s3",
    failure_class="cross-resource",
    source="https://github.com/trussworks/terraform-aws-s3-private-bucket/issues/403",
)
def bucket_acl_without_acls(document: Document) -> Iterator[Violation]:
    for acl in document.of_type(BUCKET_ACL):
        if not creates_or_updates(acl) or _sets_acl(acl) is not True:
            continue
        bucket = _acl_bucket(document, acl)
        if bucket is None:
            continue
        ownership = bucket_ownership(document, bucket)
        if ownership is None:
            continue
        controls, settings = ownership
        if any(s is UNKNOWN for s in settings):
            continue
        error = (
            "AccessControlListNotSupported: The bucket does not allow ACLs; S3 disables ACLs "
            "with object_ownership = BucketOwnerEnforced, the default of every bucket created "
            "since April 2023"
        )
        fix = (
            f"add or change {OWNERSHIP} for {bucket.address} to object_ownership = "
            f'"BucketOwnerPreferred" (and depends_on it), or drop the ACL and grant access with '
            "a bucket policy"
        )
        if "BucketOwnerEnforced" in settings:
            yield Violation(
                address=acl.address,
                resource=acl,
                message=(
                    f"sets an ACL on {bucket.address}, whose ownership controls are "
                    f"BucketOwnerEnforced (ACLs disabled); AWS rejects it ({error}); {fix}"
                ),
            )
        elif not controls and (not bucket.actions or "create" in bucket.actions):
            planned = "create" in bucket.actions
            yield Violation(
                address=acl.address,
                resource=acl,
                severity=None if planned else Severity.WARNING,
                message=(
                    f"sets an ACL on {bucket.address}, "
                    + ("a new bucket " if planned else "")
                    + f"without {OWNERSHIP}: "
                    + (
                        "S3 creates it with ACLs disabled"
                        if planned
                        else "a bucket created since April 2023 has ACLs disabled unless "
                        "its ownership controls allow them"
                    )
                    + f" and rejects the ACL ({error}); {fix}"
                ),
            )


# -- AT325: replication without versioning -------------------------------------------------------

REPLICATION = "aws_s3_bucket_replication_configuration"
VERSIONING = "aws_s3_bucket_versioning"


def _versioning(document: Document, bucket: Resource) -> str | None:
    """'Enabled', 'Suspended'/'Disabled', 'absent', or None when it cannot be told."""
    inline = bucket.values.get("versioning")
    if inline is UNKNOWN:
        return None
    for _, block in blocks(bucket.values, "versioning"):
        enabled = flag(block.get("enabled"))
        if enabled is None:
            return None
        if enabled:
            return "Enabled"
    try:
        controls = resources_linked_to(
            document, bucket, source_type=VERSIONING, path="bucket", name_attribute="bucket"
        )
    except Unresolved:
        return None
    statuses = []
    for control in controls:
        for _, block in blocks(control.values, "versioning_configuration"):
            status = block.get("status")
            if not isinstance(status, str):
                return None
            statuses.append(status)
    if "Enabled" in statuses:
        return "Enabled"
    return statuses[0] if statuses else "absent"


def _replicated_buckets(
    document: Document, replication: Resource
) -> Iterator[tuple[str, Resource]]:
    source = referenced(document, replication, "bucket")
    if source is None:
        name = text(replication.values.get("bucket"))
        source = single_by_name(document, BUCKET, "bucket", name) if name else None
    if source is not None and source.type == BUCKET:
        yield "source", source
    for index, rule_block in blocks(replication.values, "rule"):
        for destination_index, _ in blocks(rule_block, "destination"):
            path = f"rule.{index}.destination.{destination_index}.bucket"
            target = referenced(document, replication, path)
            if target is not None and target.type == BUCKET:
                yield "destination", target


@rule(
    id="AT325",
    title="S3 replication from or to a bucket without versioning enabled",
    severity=Severity.ERROR,
    resource_types=(REPLICATION, BUCKET, VERSIONING),
    service="s3",
    failure_class="cross-resource",
    source="https://github.com/nozaq/terraform-aws-remote-state-s3-backend/issues/107",
)
def replication_without_versioning(document: Document) -> Iterator[Violation]:
    for replication in document.of_type(REPLICATION):
        if not creates_or_updates(replication):
            continue
        seen: set[str] = set()
        for role, bucket in _replicated_buckets(document, replication):
            if bucket.address in seen:
                continue
            seen.add(bucket.address)
            state = _versioning(document, bucket)
            if state is None or state == "Enabled":
                continue
            error = (
                "InvalidRequest: Versioning must be 'Enabled' on the bucket to apply a "
                "replication configuration"
                if role == "source"
                else "InvalidRequest: Destination bucket must have versioning enabled."
            )
            fix = (
                f'add {VERSIONING} with status = "Enabled" for {bucket.address} and make the '
                "replication configuration depends_on it"
            )
            if state != "absent":
                yield Violation(
                    address=replication.address,
                    resource=replication,
                    message=(
                        f"replicates {'from' if role == 'source' else 'to'} {bucket.address}, "
                        f"whose versioning is {state}; S3 rejects it ({error}); {fix}"
                    ),
                )
            elif not bucket.actions or "create" in bucket.actions:
                planned = "create" in bucket.actions
                yield Violation(
                    address=replication.address,
                    resource=replication,
                    severity=None if planned else Severity.WARNING,
                    message=(
                        f"replicates {'from' if role == 'source' else 'to'} {bucket.address}, "
                        + ("a new bucket " if planned else "")
                        + f"without {VERSIONING} in this configuration"
                        + ("" if planned else " (versioning may have been enabled outside it)")
                        + f"; S3 rejects it ({error}); {fix}"
                    ),
                )
