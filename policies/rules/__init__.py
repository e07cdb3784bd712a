"""The rule pack. Importing this package registers every rule with ``policies.registry``.

One module per AWS service or concern; IDs are stable: ``AT`` apply-time failure predictors,
``SEC`` security, ``OPS`` operations, ``PLAN`` plan-only. Each rule has ``policies/docs/<ID>.md``.

Rules whose shape repeats are rows of a table (``tables.py``; rows in ``rows_*.py``).

Shared conventions (helpers in ``_helpers``):
- a value that is UNKNOWN, or a cross-resource link that cannot be resolved with certainty,
  produces no finding;
- a rule whose severity depends on the environment uses the production severity when the
  environment is unknown, and a production-only rule does not run then.
- every rule module is imported on every run, so module level stays cheap: the standard
  library and ``policies``/``tfjson``/``facts`` only; import anything heavier (yaml, boto3, a
  large data file) inside the function that needs it. ``policies bench`` prints the start-up
  figures, and a test fails when ``check`` loads rich, yaml or jsonschema without need.
"""

from policies.rules import (  # noqa: F401  (imported for their @rule registrations)
    acm,
    alb_logs,
    backend,
    cloudfront,
    cloudfront_relations,
    destructive,
    ec2,
    ecs,
    elbv2,
    encryption,
    fargate,
    iam,
    iam_documents,
    lb_relations,
    messaging_relations,
    names,
    network_relations,
    plaintext_secrets,
    plan_replacements,
    rds,
    rds_engine,
    rds_parameter_groups,
    rows_compute,
    rows_platform,
    rows_services,
    rows_storage,
    s3,
    s3_lifecycle,
    s3_public,
    secretsmanager,
    service_relations,
    tags,
    trust_boundary,
)
