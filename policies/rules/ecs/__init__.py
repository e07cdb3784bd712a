"""ECS: services, capacity providers, task definitions and the target groups they register in."""

from policies.rules.ecs import services, task_definitions  # noqa: F401  (registers their rules)
