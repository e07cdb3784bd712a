"""AWS facts read by both the stacks (``infra.config`` validates against them) and the policy
pack (its rules reject what AWS would reject at apply time).

Widening one of these is a decision about AWS, not about either reader; change it here only.
"""

from __future__ import annotations

from collections.abc import Mapping

# Fargate task sizes for Linux tasks: CPU units -> the memory (MiB) each allows. Anything else is
# refused at RegisterTaskDefinition ("No Fargate configuration exists for given values").
# Source: Amazon ECS Developer Guide, "Task CPU and memory" (8 and 16 vCPU need Linux platform
# version 1.4.0, the default).
FARGATE_MEMORY_BY_CPU: Mapping[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

# Regions the stacks may be deployed to: each has at least three availability zones, and its
# RDS engine versions are recorded in policies/data/rds_engine_versions.json (the refresh,
# `python -m policies.data.refresh`, records these by default). Widening this list needs both
# checked.
SUPPORTED_REGIONS: tuple[str, ...] = ("eu-north-1", "eu-west-1", "eu-central-1")
