"""RDS / Aurora: instances, clusters, engines, parameter groups and subnet groups."""

from policies.rules.rds import (  # noqa: F401  (registers their rules)
    arguments,
    databases,
    engines,
    plan_time,
)
