"""S3 plan-time rules: a bucket deleted while the prior state shows it holds objects.

Evidence comes from the plan's prior state (``policies.toolkit.prior_state``): resources that write
into the bucket by name, ARN or domain name. A writer deleted in the same plan still leaves
what it wrote behind.
"""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import Document, Severity, Violation
from policies.registry import rule
from policies.rules._plan_time import change_text, known_text, leaving, user_list
from policies.toolkit.values import flag

BUCKET = "aws_s3_bucket"

# (type, path) of every resource whose presence means objects land in the bucket it names.
# Load balancers write a test object (ELBAccessLogTestFile) as soon as access logs are on.
WRITERS: dict[str, tuple[str, ...]] = {
    "aws_s3_bucket_logging": ("target_bucket",),
    "aws_s3_bucket": ("logging.target_bucket",),
    "aws_lb": ("access_logs.bucket", "connection_logs.bucket"),
    "aws_alb": ("access_logs.bucket", "connection_logs.bucket"),
    "aws_elb": ("access_logs.bucket",),
    "aws_cloudfront_distribution": ("logging_config.bucket",),
    "aws_cloudtrail": ("s3_bucket_name",),
    "aws_config_delivery_channel": ("s3_bucket_name",),
    "aws_s3_object": ("bucket",),
    "aws_s3_bucket_object": ("bucket",),
}
# Objects Terraform manages are deleted before their bucket when the plan deletes them too.
_MANAGED_OBJECTS = frozenset({"aws_s3_object", "aws_s3_bucket_object"})


@rule(
    id="PLAN150",
    title="S3 bucket deleted without force_destroy while it holds objects",
    severity=Severity.ERROR,
    service="s3",
    failure_class="plan-time",
    source="https://github.com/hashicorp/terraform/issues/1977",
    resource_types=(BUCKET,),
    applies_to=("plan",),
)
def bucket_not_empty(document: Document) -> Iterator[Violation]:
    gone: frozenset[str] | None = None
    for resource in document.of_type(BUCKET):
        before = resource.before
        if "delete" not in resource.actions or before is None:
            continue
        # The provider empties the bucket only when the *prior* state says force_destroy.
        if flag(before.get("force_destroy")) is True:
            continue
        name = known_text(before, "bucket") or known_text(before, "id")
        fix = (
            "a two-step change: apply force_destroy = true first (it must be in the state "
            "before the delete), or empty the bucket, then delete it"
        )
        error = (
            "BucketNotEmpty: The bucket you tried to delete is not empty. You must delete all "
            "versions in the bucket"
        )
        prior = document.prior_state
        writers = []
        if name is not None and prior is not None:
            if gone is None:
                gone = leaving(document)
            identifiers = [
                name,
                f"arn:aws:s3:::{name}",
                known_text(before, "bucket_domain_name"),
                known_text(before, "bucket_regional_domain_name"),
            ]
            for writer_type, paths in WRITERS.items():
                for use in prior.users_of(
                    identifiers, paths=paths, types=(writer_type,), exclude=resource.address
                ):
                    if writer_type in _MANAGED_OBJECTS and use.user.address in gone:
                        continue
                    writers.append(use)
        if writers:
            verb = "writes" if len({use.user.address for use in writers}) == 1 else "write"
            yield Violation(
                address=resource.address,
                resource=resource,
                message=(
                    f"{change_text(resource)}, force_destroy is false in the prior state, and "
                    f"{user_list(writers)} {verb} into {name}, so it holds objects; AWS refuses "
                    f"the delete ({error}); fix: {fix}"
                ),
            )
        else:
            shown = name or resource.address
            yield Violation(
                address=resource.address,
                resource=resource,
                severity=Severity.WARNING,
                message=(
                    f"{change_text(resource)} and force_destroy is false in the prior state; "
                    f"the plan cannot tell whether it is empty, and AWS refuses to delete a "
                    f"bucket with any object or version left ({error}); check: aws s3api "
                    f"list-object-versions --bucket {shown} --max-items 1; fix: {fix}"
                ),
            )
