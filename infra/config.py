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
from enum import StrEnum

# Shared with the policy pack and the pipeline; defined once in facts/.
from facts.aws import FARGATE_MEMORY_BY_CPU, SUPPORTED_REGIONS
from facts.project import DEFAULT_GITHUB_REPOSITORY, PROJECT

ENV_ENVIRONMENTS = "CATALOG_ENVIRONMENTS"
ENV_REGION = "CATALOG_REGION"
ENV_STATE_BUCKET = "CATALOG_STATE_BUCKET"
ENV_STATE_REGION = "CATALOG_STATE_REGION"
ENV_STATE_KMS_KEY_ID = "CATALOG_STATE_KMS_KEY_ID"
ENV_GITHUB_REPOSITORY = "CATALOG_GITHUB_REPOSITORY"
# GitHub's numeric ids of the repository and its owner: the OIDC subject names these, not the
# names, which someone else can register after a rename (docs/trust-model.md).
ENV_GITHUB_REPOSITORY_ID = "CATALOG_GITHUB_REPOSITORY_ID"
ENV_GITHUB_REPOSITORY_OWNER_ID = "CATALOG_GITHUB_REPOSITORY_OWNER_ID"
ENV_HOSTED_ZONE = "CATALOG_HOSTED_ZONE"
# "local" (default) until the administrator migrates the bootstrap state into the bucket it
# created, then "s3" (docs/bootstrap.md).
ENV_BOOTSTRAP_BACKEND = "CATALOG_BOOTSTRAP_BACKEND"
BOOTSTRAP_BACKENDS = ("local", "s3")

DEFAULT_REGION = "eu-north-1"
DEFAULT_STATE_BUCKET = "catalog-api-terraform-state"
DEFAULT_HOSTED_ZONE = "catalog.example.com"
# No GitHub repository or account has id 0: a bootstrap synthesized without the real ids
# trusts no token at all (fails closed) instead of trusting a name.
UNSET_GITHUB_ID = "0"


class CiSource(StrEnum):
    """Where a workflow job that synthesizes takes a setting from."""

    REPOSITORY_VARIABLE = "repository variable"  # `${{ vars.NAME }}`, set once by the user
    COMPUTED = "computed"  # derived from the run itself; the user sets nothing
    PER_RUN = "per run"  # chosen by the scripts for each step (not a repository setting)


@dataclass(frozen=True, kw_only=True)
class Setting:
    """One synth setting: read from the environment by load_settings, nowhere else."""

    name: str
    meaning: str
    default: str  # as a reader would write it; the values themselves are the DEFAULT_* above
    ci_source: CiSource
    computed_from: str = ""  # for COMPUTED settings: the expression CI derives the value from
    required: str = "no"  # for the setup table: yes / recommended / no

    @property
    def ci_value(self) -> str:
        """The expression every synthesizing workflow job passes in `env:` ("" per run)."""
        if self.ci_source is CiSource.REPOSITORY_VARIABLE:
            return "${{ vars." + self.name + " }}"
        return self.computed_from

    @property
    def user_set(self) -> bool:
        """A setting the user configures once and every synthesizing CI job must pass."""
        return self.ci_source is not CiSource.PER_RUN


# The one list of synth settings. Derived from it: synth --help (infra/app.py), the gate's synth
# cache key, the setup table (docs/setup.md), and the env: of every workflow job that
# synthesizes (the last two are checked by tests/infra/test_settings_contract.py).
SETTINGS: tuple[Setting, ...] = (
    Setting(
        name=ENV_ENVIRONMENTS,
        meaning="comma-separated environments to synthesize",
        default="all",
        ci_source=CiSource.PER_RUN,
    ),
    Setting(
        name=ENV_REGION,
        meaning="AWS region of the stacks",
        default=DEFAULT_REGION,
        ci_source=CiSource.REPOSITORY_VARIABLE,
    ),
    Setting(
        name=ENV_STATE_BUCKET,
        meaning="S3 bucket for Terraform state",
        default=DEFAULT_STATE_BUCKET,
        ci_source=CiSource.REPOSITORY_VARIABLE,
        required="yes",
    ),
    Setting(
        name=ENV_STATE_REGION,
        meaning="region of the state bucket",
        default=ENV_REGION,
        ci_source=CiSource.REPOSITORY_VARIABLE,
    ),
    Setting(
        name=ENV_STATE_KMS_KEY_ID,
        meaning="KMS key for state objects",
        default="none, SSE-S3",
        ci_source=CiSource.REPOSITORY_VARIABLE,
        required="recommended",
    ),
    Setting(
        name=ENV_HOSTED_ZONE,
        meaning="Route 53 zone for the site and origin names",
        default=DEFAULT_HOSTED_ZONE,
        ci_source=CiSource.REPOSITORY_VARIABLE,
        required="yes",
    ),
    Setting(
        name=ENV_BOOTSTRAP_BACKEND,
        meaning="bootstrap state backend: local, or s3 once migrated",
        default="local",
        ci_source=CiSource.REPOSITORY_VARIABLE,
    ),
    Setting(
        name=ENV_GITHUB_REPOSITORY,
        meaning="owner/name the bootstrap OIDC roles trust",
        default=DEFAULT_GITHUB_REPOSITORY,
        ci_source=CiSource.COMPUTED,
        computed_from="${{ github.repository }}",
    ),
    Setting(
        name=ENV_GITHUB_REPOSITORY_ID,
        meaning="numeric id of that repository, in the OIDC subject",
        default=f"{UNSET_GITHUB_ID}, trusted by no token",
        ci_source=CiSource.COMPUTED,
        computed_from="${{ github.repository_id }}",
        required="for the bootstrap",
    ),
    Setting(
        name=ENV_GITHUB_REPOSITORY_OWNER_ID,
        meaning="numeric id of its owner, in the OIDC subject",
        default=f"{UNSET_GITHUB_ID}, trusted by no token",
        ci_source=CiSource.COMPUTED,
        computed_from="${{ github.repository_owner_id }}",
        required="for the bootstrap",
    ),
)
SETTING_NAMES: tuple[str, ...] = tuple(setting.name for setting in SETTINGS)

_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_DOMAIN_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
_GITHUB_ID = re.compile(r"^[0-9]{1,20}$")
# The forms the S3 backend accepts for kms_key_id: key or alias ARN, alias name, key id.
_KMS_KEY_ID = re.compile(
    r"^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]+"
    r"|alias/[A-Za-z0-9/_-]+"
    r"|(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))$"
)


class ConfigError(ValueError):
    """A configuration value that cannot be deployed; the message is one line for the user."""


@dataclass(frozen=True, kw_only=True)
class CapacityProviderSplit:
    """How ECS tasks are spread over FARGATE (on-demand) and FARGATE_SPOT."""

    on_demand_base: int
    on_demand_weight: int
    spot_weight: int


@dataclass(frozen=True, kw_only=True)
class DnsConfig:
    """The public Route 53 zone holding the site and origin names.

    HTTPS to the ALB origin and a TLSv1.2 viewer minimum both need certificates for names we
    own, because CloudFront forces TLSv1 on its default *.cloudfront.net certificate.
    """

    hosted_zone_name: str
    subdomain: str

    @property
    def domain_name(self) -> str:
        """Viewer-facing name served by CloudFront."""
        if not self.subdomain:
            return self.hosted_zone_name
        return f"{self.subdomain}.{self.hosted_zone_name}"

    @property
    def origin_domain_name(self) -> str:
        """Name CloudFront uses to reach the ALB over HTTPS (covered by the ALB certificate)."""
        return f"origin.{self.domain_name}"


@dataclass(frozen=True, kw_only=True)
class NetworkConfig:
    vpc_cidr: str
    az_count: int
    nat_gateway_per_az: bool
    flow_log_retention_days: int


@dataclass(frozen=True, kw_only=True)
class DatabaseConfig:
    engine_version: str
    instance_class: str
    instance_count: int
    backup_retention_days: int
    deletion_protection: bool
    skip_final_snapshot: bool


@dataclass(frozen=True, kw_only=True)
class AutoscalingConfig:
    min_count: int
    max_count: int
    cpu_target: float


@dataclass(frozen=True, kw_only=True)
class ServiceConfig:
    image: str
    container_port: int
    cpu: int
    memory: int
    desired_count: int
    autoscaling: AutoscalingConfig
    capacity: CapacityProviderSplit
    log_retention_days: int


@dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    """One environment: identity, plus one sizing object per component that needs one."""

    name: str
    region: str
    owner: str
    is_production: bool
    dns: DnsConfig
    network: NetworkConfig
    database: DatabaseConfig
    service: ServiceConfig
    log_bucket_expiration_days: int
    secret_recovery_window_days: int
    kms_deletion_window_days: int
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
        return tuple(f"{self.region}{suffix}" for suffix in "abc"[: self.network.az_count])

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
class GithubRepository:
    """The repository whose workflows the bootstrap's OIDC roles trust."""

    name: str  # owner/name: in job_workflow_ref, which GitHub always writes with names
    id: str  # repository_id
    owner_id: str  # repository_owner_id


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything one app run needs: the selected environments and where their state lives."""

    environments: tuple[EnvironmentConfig, ...]
    state: StateBackendConfig
    github: GithubRepository
    bootstrap_backend: str = "local"  # one of BOOTSTRAP_BACKENDS

    @property
    def github_repository(self) -> str:
        return self.github.name


_DEV = EnvironmentConfig(
    name="dev",
    region=DEFAULT_REGION,
    owner="platform-team",
    is_production=False,
    dns=DnsConfig(hosted_zone_name=DEFAULT_HOSTED_ZONE, subdomain="dev"),
    network=NetworkConfig(
        vpc_cidr="10.10.0.0/16", az_count=2, nat_gateway_per_az=False, flow_log_retention_days=14
    ),
    database=DatabaseConfig(
        engine_version="16.6",
        instance_class="db.t4g.medium",
        instance_count=1,
        backup_retention_days=1,
        deletion_protection=False,
        skip_final_snapshot=True,
    ),
    service=ServiceConfig(
        image="public.ecr.aws/docker/library/node:22-alpine",
        container_port=3000,
        cpu=256,
        memory=512,
        desired_count=1,
        autoscaling=AutoscalingConfig(min_count=1, max_count=2, cpu_target=70.0),
        capacity=CapacityProviderSplit(on_demand_base=0, on_demand_weight=0, spot_weight=1),
        log_retention_days=14,
    ),
    log_bucket_expiration_days=30,
    secret_recovery_window_days=0,
    kms_deletion_window_days=7,
    cloudfront_price_class="PriceClass_100",
)

_STAGING = replace(
    _DEV,
    name="staging",
    dns=replace(_DEV.dns, subdomain="staging"),
    network=replace(_DEV.network, vpc_cidr="10.20.0.0/16", flow_log_retention_days=30),
    database=replace(
        _DEV.database, instance_count=2, backup_retention_days=7, skip_final_snapshot=False
    ),
    service=replace(
        _DEV.service,
        cpu=512,
        memory=1024,
        desired_count=2,
        autoscaling=replace(_DEV.service.autoscaling, min_count=2, max_count=4),
        capacity=CapacityProviderSplit(on_demand_base=1, on_demand_weight=1, spot_weight=1),
        log_retention_days=30,
    ),
    log_bucket_expiration_days=90,
    secret_recovery_window_days=7,
)

_PROD = replace(
    _DEV,
    name="prod",
    is_production=True,
    dns=replace(_DEV.dns, subdomain=""),
    network=NetworkConfig(
        vpc_cidr="10.30.0.0/16", az_count=3, nat_gateway_per_az=True, flow_log_retention_days=365
    ),
    database=replace(
        _DEV.database,
        instance_class="db.r7g.large",
        instance_count=2,
        backup_retention_days=30,
        deletion_protection=True,
        skip_final_snapshot=False,
    ),
    service=replace(
        _DEV.service,
        cpu=1024,
        memory=2048,
        desired_count=3,
        autoscaling=AutoscalingConfig(min_count=3, max_count=12, cpu_target=60.0),
        capacity=CapacityProviderSplit(on_demand_base=2, on_demand_weight=1, spot_weight=3),
        log_retention_days=365,
    ),
    log_bucket_expiration_days=365,
    secret_recovery_window_days=30,
    kms_deletion_window_days=30,
    cloudfront_price_class="PriceClass_All",
)

ENVIRONMENTS: Mapping[str, EnvironmentConfig] = {env.name: env for env in (_DEV, _STAGING, _PROD)}


def validate_environment(env: EnvironmentConfig) -> EnvironmentConfig:
    """Reject values AWS or Terraform would only reject at apply time."""
    if env.region not in SUPPORTED_REGIONS:
        raise ConfigError(
            f"region '{env.region}' is not supported (supported: {', '.join(SUPPORTED_REGIONS)})"
        )
    _validate_network(env.name, env.network)
    _validate_database(env.name, env.database, is_production=env.is_production)
    if not _DOMAIN_NAME.match(env.dns.domain_name):
        raise ConfigError(f"{env.name}: invalid domain name '{env.dns.domain_name}'")
    if not 7 <= env.kms_deletion_window_days <= 30:
        raise ConfigError(
            f"{env.name}: kms_deletion_window_days must be 7-30, got {env.kms_deletion_window_days}"
        )
    _validate_service(env.name, env.service)
    window = env.secret_recovery_window_days
    if window != 0 and not 7 <= window <= 30:
        raise ConfigError(
            f"{env.name}: secret_recovery_window_days must be 0 or 7-30, got {window}"
        )
    if env.is_production and window == 0:
        raise ConfigError(f"{env.name}: production secrets need a recovery window (7-30 days)")
    return env


def _validate_network(name: str, network: NetworkConfig) -> None:
    try:
        vpc = ipaddress.IPv4Network(network.vpc_cidr, strict=True)
    except ValueError as exc:
        raise ConfigError(f"{name}: invalid VPC CIDR '{network.vpc_cidr}': {exc}") from None
    if not 16 <= vpc.prefixlen <= 24:
        raise ConfigError(
            f"{name}: VPC CIDR '{network.vpc_cidr}' must have a prefix between /16 and /24"
        )
    if network.az_count not in (2, 3):
        raise ConfigError(f"{name}: az_count must be 2 or 3, got {network.az_count}")


def _validate_database(name: str, database: DatabaseConfig, *, is_production: bool) -> None:
    if is_production and database.instance_count < 2:
        raise ConfigError(f"{name}: production needs at least 2 database instances")
    if database.instance_count < 1:
        raise ConfigError(f"{name}: db_instance_count must be at least 1")


def _validate_service(name: str, service: ServiceConfig) -> None:
    if service.memory not in FARGATE_MEMORY_BY_CPU.get(service.cpu, ()):
        raise ConfigError(
            f"{name}: Fargate has no task size cpu={service.cpu} memory={service.memory}"
        )
    scaling = service.autoscaling
    if not 0 < scaling.min_count <= service.desired_count <= scaling.max_count:
        raise ConfigError(
            f"{name}: need 0 < autoscaling_min <= desired_count <= autoscaling_max, got "
            f"{scaling.min_count}/{service.desired_count}/{scaling.max_count}"
        )
    split = service.capacity
    if split.on_demand_weight + split.spot_weight == 0:
        raise ConfigError(f"{name}: capacity split needs a non-zero weight")


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build the settings for one app run from defaults plus the CATALOG_* overrides CI sets."""
    region = environ.get(ENV_REGION, "").strip() or DEFAULT_REGION
    names_raw = environ.get(ENV_ENVIRONMENTS, "").strip()
    names = (
        [n.strip() for n in names_raw.split(",") if n.strip()] if names_raw else list(ENVIRONMENTS)
    )
    if not names:
        raise ConfigError(f"{ENV_ENVIRONMENTS} names no environment")
    hosted_zone = environ.get(ENV_HOSTED_ZONE, "").strip().lower().rstrip(".")
    selected = []
    for name in names:
        if name not in ENVIRONMENTS:
            raise ConfigError(f"unknown environment '{name}' (known: {', '.join(ENVIRONMENTS)})")
        # Two stacks of one name would abort synth with a jsii traceback.
        if names.count(name) > 1:
            raise ConfigError(f"{ENV_ENVIRONMENTS} names environment '{name}' more than once")
        env = replace(ENVIRONMENTS[name], region=region)
        if hosted_zone:
            env = replace(env, dns=replace(env.dns, hosted_zone_name=hosted_zone))
        selected.append(validate_environment(env))

    bucket = environ.get(ENV_STATE_BUCKET, "").strip() or DEFAULT_STATE_BUCKET
    if not _BUCKET_NAME.match(bucket) or ".." in bucket:
        raise ConfigError(f"invalid state bucket name '{bucket}'")
    state_region = environ.get(ENV_STATE_REGION, "").strip() or region
    if state_region not in SUPPORTED_REGIONS:
        raise ConfigError(
            f"state region '{state_region}' is not supported "
            f"(supported: {', '.join(SUPPORTED_REGIONS)})"
        )
    kms_key_id = environ.get(ENV_STATE_KMS_KEY_ID, "").strip() or None
    if kms_key_id is not None and not _KMS_KEY_ID.match(kms_key_id):
        raise ConfigError(
            f"invalid {ENV_STATE_KMS_KEY_ID} '{kms_key_id}' "
            "(expected a KMS key or alias ARN, alias/<name> or a key id)"
        )
    github = _github_repository(environ)
    bootstrap_backend = environ.get(ENV_BOOTSTRAP_BACKEND, "").strip().lower() or "local"
    if bootstrap_backend not in BOOTSTRAP_BACKENDS:
        raise ConfigError(
            f"{ENV_BOOTSTRAP_BACKEND} must be one of {', '.join(BOOTSTRAP_BACKENDS)}, "
            f"got '{bootstrap_backend}'"
        )
    return Settings(
        environments=tuple(selected),
        state=StateBackendConfig(
            bucket=bucket,
            region=state_region,
            kms_key_id=kms_key_id,
        ),
        github=github,
        bootstrap_backend=bootstrap_backend,
    )


def _github_repository(environ: Mapping[str, str]) -> GithubRepository:
    repository = environ.get(ENV_GITHUB_REPOSITORY, "").strip() or DEFAULT_GITHUB_REPOSITORY
    if not _GITHUB_REPOSITORY.match(repository):
        raise ConfigError(f"invalid GitHub repository '{repository}' (expected owner/name)")
    ids = {}
    for name in (ENV_GITHUB_REPOSITORY_ID, ENV_GITHUB_REPOSITORY_OWNER_ID):
        value = environ.get(name, "").strip() or UNSET_GITHUB_ID
        if not _GITHUB_ID.match(value):
            raise ConfigError(f"invalid {name} '{value}' (expected GitHub's numeric id)")
        ids[name] = value
    return GithubRepository(
        name=repository,
        id=ids[ENV_GITHUB_REPOSITORY_ID],
        owner_id=ids[ENV_GITHUB_REPOSITORY_OWNER_ID],
    )
