"""Per-environment configuration: one frozen object per environment, differing only in values.

Nothing else in ``infra`` reads the process environment. ``load_settings`` takes the
environment mapping explicitly, so the app entry point passes ``os.environ`` and tests pass
plain dicts.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

PROJECT = "catalog-api"

# Regions whose Aurora PostgreSQL versions are recorded in policies/data/rds_engine_versions.json
# and that have at least three availability zones; widening this list needs both checked.
SUPPORTED_REGIONS: tuple[str, ...] = ("eu-north-1", "eu-west-1", "eu-central-1")

ENV_ENVIRONMENTS = "CATALOG_ENVIRONMENTS"
ENV_REGION = "CATALOG_REGION"
ENV_STATE_BUCKET = "CATALOG_STATE_BUCKET"
ENV_STATE_REGION = "CATALOG_STATE_REGION"
ENV_STATE_KMS_KEY_ID = "CATALOG_STATE_KMS_KEY_ID"
ENV_GITHUB_REPOSITORY = "CATALOG_GITHUB_REPOSITORY"

DEFAULT_REGION = "eu-north-1"
DEFAULT_STATE_BUCKET = "catalog-api-terraform-state"
DEFAULT_GITHUB_REPOSITORY = "example-org/catalog-api-infra"

_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")


class ConfigError(ValueError):
    """A configuration value that cannot be deployed; the message is one line for the user."""


@dataclass(frozen=True, kw_only=True)
class CapacityProviderSplit:
    """How ECS tasks are spread over FARGATE (on-demand) and FARGATE_SPOT."""

    on_demand_base: int
    on_demand_weight: int
    spot_weight: int


@dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    name: str
    region: str
    owner: str
    is_production: bool
    # network
    vpc_cidr: str
    az_count: int
    nat_gateway_per_az: bool
    flow_log_retention_days: int
    # database
    db_engine_version: str
    db_instance_class: str
    db_instance_count: int
    db_backup_retention_days: int
    db_deletion_protection: bool
    db_skip_final_snapshot: bool
    # service
    container_image: str
    container_port: int
    task_cpu: int
    task_memory: int
    desired_count: int
    autoscaling_min: int
    autoscaling_max: int
    autoscaling_cpu_target: float
    capacity: CapacityProviderSplit
    app_log_retention_days: int
    # storage, secrets, cdn
    log_bucket_expiration_days: int
    secret_recovery_window_days: int
    cloudfront_price_class: str

    @property
    def stack_name(self) -> str:
        return f"{PROJECT}-{self.name}"

    @property
    def state_key(self) -> str:
        return f"{PROJECT}/{self.name}/terraform.tfstate"

    @property
    def plan_role_name(self) -> str:
        """Read-only role assumed by PR plans and drift detection (created by the bootstrap)."""
        return f"{PROJECT}-github-plan-{self.name}"

    @property
    def apply_role_name(self) -> str:
        """Role only the deploy workflow on main may assume (created by the bootstrap)."""
        return f"{PROJECT}-github-apply-{self.name}"

    @property
    def availability_zones(self) -> tuple[str, ...]:
        return tuple(f"{self.region}{suffix}" for suffix in "abc"[: self.az_count])

    @property
    def tags(self) -> dict[str, str]:
        return {
            "Project": PROJECT,
            "Environment": self.name,
            "ManagedBy": "cdktf",
            "Owner": self.owner,
        }


@dataclass(frozen=True, kw_only=True)
class StateBackendConfig:
    bucket: str
    region: str
    kms_key_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything one app run needs: the selected environments and where their state lives."""

    environments: tuple[EnvironmentConfig, ...]
    state: StateBackendConfig
    github_repository: str


_DEV = EnvironmentConfig(
    name="dev",
    region=DEFAULT_REGION,
    owner="platform-team",
    is_production=False,
    vpc_cidr="10.10.0.0/16",
    az_count=2,
    nat_gateway_per_az=False,
    flow_log_retention_days=14,
    db_engine_version="16.6",
    db_instance_class="db.t4g.medium",
    db_instance_count=1,
    db_backup_retention_days=1,
    db_deletion_protection=False,
    db_skip_final_snapshot=True,
    container_image="public.ecr.aws/docker/library/node:22-alpine",
    container_port=3000,
    task_cpu=256,
    task_memory=512,
    desired_count=1,
    autoscaling_min=1,
    autoscaling_max=2,
    autoscaling_cpu_target=70.0,
    capacity=CapacityProviderSplit(on_demand_base=0, on_demand_weight=0, spot_weight=1),
    app_log_retention_days=14,
    log_bucket_expiration_days=30,
    secret_recovery_window_days=0,
    cloudfront_price_class="PriceClass_100",
)

_STAGING = replace(
    _DEV,
    name="staging",
    vpc_cidr="10.20.0.0/16",
    flow_log_retention_days=30,
    db_instance_count=2,
    db_backup_retention_days=7,
    db_skip_final_snapshot=False,
    task_cpu=512,
    task_memory=1024,
    desired_count=2,
    autoscaling_min=2,
    autoscaling_max=4,
    capacity=CapacityProviderSplit(on_demand_base=1, on_demand_weight=1, spot_weight=1),
    app_log_retention_days=30,
    log_bucket_expiration_days=90,
    secret_recovery_window_days=7,
)

_PROD = replace(
    _DEV,
    name="prod",
    is_production=True,
    vpc_cidr="10.30.0.0/16",
    az_count=3,
    nat_gateway_per_az=True,
    flow_log_retention_days=365,
    db_instance_class="db.r7g.large",
    db_instance_count=2,
    db_backup_retention_days=30,
    db_deletion_protection=True,
    db_skip_final_snapshot=False,
    task_cpu=1024,
    task_memory=2048,
    desired_count=3,
    autoscaling_min=3,
    autoscaling_max=12,
    autoscaling_cpu_target=60.0,
    capacity=CapacityProviderSplit(on_demand_base=2, on_demand_weight=1, spot_weight=3),
    app_log_retention_days=365,
    log_bucket_expiration_days=365,
    secret_recovery_window_days=30,
    cloudfront_price_class="PriceClass_All",
)

ENVIRONMENTS: Mapping[str, EnvironmentConfig] = {env.name: env for env in (_DEV, _STAGING, _PROD)}


def validate_environment(env: EnvironmentConfig) -> EnvironmentConfig:
    """Reject values AWS or Terraform would only reject at apply time."""
    if env.region not in SUPPORTED_REGIONS:
        raise ConfigError(
            f"region '{env.region}' is not supported (supported: {', '.join(SUPPORTED_REGIONS)})"
        )
    try:
        network = ipaddress.IPv4Network(env.vpc_cidr, strict=True)
    except ValueError as exc:
        raise ConfigError(f"{env.name}: invalid VPC CIDR '{env.vpc_cidr}': {exc}") from None
    if not 16 <= network.prefixlen <= 24:
        raise ConfigError(
            f"{env.name}: VPC CIDR '{env.vpc_cidr}' must have a prefix between /16 and /24"
        )
    if env.az_count not in (2, 3):
        raise ConfigError(f"{env.name}: az_count must be 2 or 3, got {env.az_count}")
    if env.is_production and env.db_instance_count < 2:
        raise ConfigError(f"{env.name}: production needs at least 2 database instances")
    if env.db_instance_count < 1:
        raise ConfigError(f"{env.name}: db_instance_count must be at least 1")
    window = env.secret_recovery_window_days
    if window != 0 and not 7 <= window <= 30:
        raise ConfigError(
            f"{env.name}: secret_recovery_window_days must be 0 or 7-30, got {window}"
        )
    return env


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build the settings for one app run from defaults plus the CATALOG_* overrides CI sets."""
    region = environ.get(ENV_REGION, "").strip() or DEFAULT_REGION
    names_raw = environ.get(ENV_ENVIRONMENTS, "").strip()
    names = (
        [n.strip() for n in names_raw.split(",") if n.strip()] if names_raw else list(ENVIRONMENTS)
    )
    if not names:
        raise ConfigError(f"{ENV_ENVIRONMENTS} names no environment")
    selected = []
    for name in names:
        if name not in ENVIRONMENTS:
            raise ConfigError(f"unknown environment '{name}' (known: {', '.join(ENVIRONMENTS)})")
        selected.append(validate_environment(replace(ENVIRONMENTS[name], region=region)))

    bucket = environ.get(ENV_STATE_BUCKET, "").strip() or DEFAULT_STATE_BUCKET
    if not _BUCKET_NAME.match(bucket) or ".." in bucket:
        raise ConfigError(f"invalid state bucket name '{bucket}'")
    state_region = environ.get(ENV_STATE_REGION, "").strip() or region
    if state_region not in SUPPORTED_REGIONS:
        raise ConfigError(
            f"state region '{state_region}' is not supported "
            f"(supported: {', '.join(SUPPORTED_REGIONS)})"
        )
    repository = environ.get(ENV_GITHUB_REPOSITORY, "").strip() or DEFAULT_GITHUB_REPOSITORY
    if not _GITHUB_REPOSITORY.match(repository):
        raise ConfigError(f"invalid GitHub repository '{repository}' (expected owner/name)")
    return Settings(
        environments=tuple(selected),
        state=StateBackendConfig(
            bucket=bucket,
            region=state_region,
            kms_key_id=environ.get(ENV_STATE_KMS_KEY_ID, "").strip() or None,
        ),
        github_repository=repository,
    )
