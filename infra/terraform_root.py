"""The `terraform` and `provider` blocks of an environment stack, as plain JSON (no cdktf).

Synth writes these blocks through cdktf (infra/stacks/catalog_api.py, infra/backend.py); a PR
plan must not take them from the PR's artifact, so pr-plan rebuilds them here from the default
branch's own configuration (pipeline/boundary.py). tests/pipeline/test_boundary.py holds the
two equal for every environment, so they cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from infra.config import EnvironmentConfig, StateBackendConfig

# What cdktf-cdktf-provider-aws==21.22.1 writes into required_providers (Pipfile.lock pins it).
AWS_PROVIDER_SOURCE = "aws"
AWS_PROVIDER_VERSION = "6.25.0"
# Same as infra/backend.py's REQUIRED_TERRAFORM_VERSION (checked by the test above).
REQUIRED_TERRAFORM_VERSION = ">= 1.10"
# CloudFront accepts viewer certificates from us-east-1 only (infra/stacks/catalog_api.py).
US_EAST_1_ALIAS = "us_east_1"
US_EAST_1 = "us-east-1"


def required_providers() -> dict[str, Any]:
    return {"aws": {"source": AWS_PROVIDER_SOURCE, "version": AWS_PROVIDER_VERSION}}


def terraform_block(config: EnvironmentConfig, state: StateBackendConfig) -> dict[str, Any]:
    backend: dict[str, Any] = {
        "bucket": state.bucket,
        "encrypt": True,
        "key": config.state_key,
        "region": state.region,
        "use_lockfile": True,
    }
    if state.kms_key_id:
        backend["kms_key_id"] = state.kms_key_id
    return {
        "backend": {"s3": backend},
        "required_providers": required_providers(),
        "required_version": REQUIRED_TERRAFORM_VERSION,
    }


def provider_blocks(config: EnvironmentConfig) -> dict[str, Any]:
    default_tags = [{"tags": dict(config.tags)}]
    return {
        "aws": [
            {"default_tags": default_tags, "region": config.region},
            {"alias": US_EAST_1_ALIAS, "default_tags": default_tags, "region": US_EAST_1},
        ]
    }


def provider_aliases() -> frozenset[str]:
    """The provider references a resource may name: ``aws`` and ``aws.<alias>``."""
    return frozenset({"aws", f"aws.{US_EAST_1_ALIAS}"})
