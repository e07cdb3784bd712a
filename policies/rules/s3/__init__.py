"""S3: bucket policies, notifications, lifecycle rules, public access, ACLs and replication."""

from policies.rules.s3 import buckets, lifecycle, policies  # noqa: F401  (registers their rules)
