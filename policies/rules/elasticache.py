"""ElastiCache replication groups AWS rejects."""

from __future__ import annotations

from typing import Any

from policies.toolkit.rows import Row, custom, register
from policies.toolkit.values import flag, read

REPLICATION_GROUP = "aws_elasticache_replication_group"
_REPLICATION_GROUP: dict[str, Any] = {
    "replication_group_id": "catalog-api",
    "description": "catalog API cache",
    "engine": "redis",
    "node_type": "cache.t4g.micro",
    "num_cache_clusters": 2,
    "automatic_failover_enabled": True,
}


register(
    Row(
        id="AT129",
        title="ElastiCache AUTH token without in-transit encryption",
        service="elasticache",
        failure_class="value-combination",
        resource_types=(REPLICATION_GROUP,),
        predicate=custom(
            lambda block: (
                "sets auth_token without transit_encryption_enabled = true"
                if isinstance(read(block, "auth_token"), str)
                and flag(read(block, "transit_encryption_enabled", False)) is False
                else None
            )
        ),
        error=(
            "AUTH can only be enabled when creating clusters where in-transit encryption is enabled"
        ),
        source="https://docs.aws.amazon.com/AmazonElastiCache/latest/UserGuide/auth.html",
        extra_sources=("https://github.com/cloudposse/terraform-aws-elasticache-redis/issues/22",),
        why=(
            "Redis AUTH tokens travel in the clear unless TLS is on, so ElastiCache accepts "
            "`auth_token` only on a replication group with in-transit encryption. "
            "`transit_encryption_enabled` defaults to false and the provider does not tie the "
            "two together. The quoted sentence is the ElastiCache user guide's constraint; the "
            "API error wording was not found in a public thread. The finding never quotes the "
            "token."
        ),
        fix="Set transit_encryption_enabled = true (clients must then connect with TLS).",
        failing={**_REPLICATION_GROUP, "auth_token": "example-token-0123456789"},
        passing={
            **_REPLICATION_GROUP,
            "auth_token": "example-token-0123456789",
            "transit_encryption_enabled": True,
        },
    ),
)
