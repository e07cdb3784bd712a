"""The S3 state backend every environment stack uses: encrypted, S3-native locking."""

from __future__ import annotations

from cdktf import S3Backend, TerraformStack

from infra.config import EnvironmentConfig, StateBackendConfig

# use_lockfile exists since Terraform 1.10 (GA in 1.11, which deprecated DynamoDB locking).
REQUIRED_TERRAFORM_VERSION = ">= 1.10"


def configure_state_backend(
    stack: TerraformStack, *, config: EnvironmentConfig, state: StateBackendConfig
) -> S3Backend:
    backend = S3Backend(
        stack,
        bucket=state.bucket,
        key=config.state_key,
        region=state.region,
        encrypt=True,
        kms_key_id=state.kms_key_id,
    )
    # cdktf's typed S3BackendConfig predates S3-native locking and has no use_lockfile field.
    backend.add_override("use_lockfile", True)
    stack.add_override("terraform.required_version", REQUIRED_TERRAFORM_VERSION)
    return backend
