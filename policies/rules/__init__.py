"""The rule pack. Importing this package registers every rule with ``policies.registry``.

One module per AWS service or concern; IDs are stable: ``AT`` apply-time failure predictors,
``SEC`` security, ``OPS`` operations, ``PLAN`` plan-only. Each rule has ``policies/docs/<ID>.md``.
"""

from policies.rules import (  # noqa: F401  (imported for their @rule registrations)
    alb_logs,
    backend,
    cloudfront,
    destructive,
    ecs,
    encryption,
    fargate,
    names,
    plaintext_secrets,
    rds,
    rds_engine,
    s3_lifecycle,
    s3_public,
    secretsmanager,
    tags,
)
