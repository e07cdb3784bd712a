"""S3: bucket policies, notifications, lifecycle rules, public access, ACLs and replication."""

from policies.rules.s3 import (  # noqa: F401  (registers their rules)
    buckets,
    lifecycle,
    plan_time,
    policies,
)
