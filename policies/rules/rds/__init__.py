"""RDS / Aurora: instances, clusters, engines, parameter groups and subnet groups."""

from policies.rules.rds import arguments, databases, engines  # noqa: F401  (registers their rules)
