"""``catalog-api-bootstrap``: what must exist before any environment stack can plan.

An administrator applies it once, with a local backend (the state bucket it creates cannot
hold its own state before it exists), and may migrate that state into the bucket afterwards.
See docs/bootstrap.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from cdktf import LocalBackend, S3Backend, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

from infra.backend import REQUIRED_TERRAFORM_VERSION
from infra.components.github_oidc import GithubEnvironmentRoles, GithubOidcProvider
from infra.components.iam import permissions_boundary_name
from infra.components.iam_statements.state_access import plans_prefix
from infra.components.state_bucket import (
    StateBucket,
    StateKeyScope,
    role_arn_pattern,
    state_prefix,
)
from infra.config import PROJECT, EnvironmentConfig, Settings

BOOTSTRAP_STACK_NAME = f"{PROJECT}-bootstrap"
BOOTSTRAP_STATE_KEY = f"{PROJECT}/bootstrap/terraform.tfstate"
LOCAL_STATE_PATH = "terraform.tfstate"


class BootstrapStack(TerraformStack):
    """State bucket and key, GitHub OIDC provider, and plan/apply roles per environment."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        settings: Settings,
    ) -> None:
        super().__init__(scope, id)
        self.add_override("terraform.required_version", REQUIRED_TERRAFORM_VERSION)
        self._configure_backend(settings=settings)
        AwsProvider(
            self,
            "aws",
            region=settings.state.region,
            default_tags=[AwsProviderDefaultTags(tags=bootstrap_tags(settings))],
        )
        self.account = DataAwsCallerIdentity(self, "account")
        self.github = GithubOidcProvider(self, "github")
        self._add_state_bucket(settings=settings)
        self._add_roles(settings=settings)
        self._add_outputs()

    def _configure_backend(self, *, settings: Settings) -> None:
        if settings.bootstrap_backend == "s3":
            # After `terraform init -migrate-state`: same guarantees as the environment stacks.
            backend = S3Backend(
                self,
                bucket=settings.state.bucket,
                key=BOOTSTRAP_STATE_KEY,
                region=settings.state.region,
                encrypt=True,
                kms_key_id=settings.state.kms_key_id,
            )
            # cdktf's typed S3BackendConfig predates S3-native locking.
            backend.add_override("use_lockfile", True)
        else:
            LocalBackend(self, path=LOCAL_STATE_PATH)

    def _add_state_bucket(self, *, settings: Settings) -> None:
        self.state = StateBucket(
            self,
            "state",
            bucket_name=settings.state.bucket,
            account_id=self.account.account_id,
            scopes=[
                StateKeyScope(
                    key_prefix=state_prefix(env.state_key),
                    role_names=(env.plan_role_name, env.apply_role_name),
                    extra_prefixes=(plans_prefix(env.name),),
                )
                for env in settings.environments
            ],
        )

    def _add_roles(self, *, settings: Settings) -> None:
        protected_arns = protected_iam_arns(settings.environments)
        self.roles = {
            env.name: GithubEnvironmentRoles(
                self,
                f"roles_{env.name}",
                environment=env,
                github=settings.github,
                provider_arn=self.github.provider.arn,
                account_id=self.account.account_id,
                state_bucket=settings.state.bucket,
                state_kms_key_arn=self.state.key.arn,
                protected_arns=protected_arns,
            )
            for env in settings.environments
        }

    def _add_outputs(self) -> None:
        # What the administrator copies into CATALOG_STATE_KMS_KEY_ID and the repository's
        # variables (AWS_ACCOUNT_ID: the workflows build role ARNs from it and the role names).
        TerraformOutput(self, "account_id", value=self.account.account_id)
        TerraformOutput(self, "state_bucket", value=self.state.bucket.bucket)
        TerraformOutput(self, "state_kms_key_arn", value=self.state.key.arn)
        TerraformOutput(self, "github_oidc_provider_arn", value=self.github.provider.arn)
        for name, roles in self.roles.items():
            TerraformOutput(self, f"plan_role_arn_{name}", value=roles.plan_role.arn)
            TerraformOutput(self, f"apply_role_arn_{name}", value=roles.apply_role.arn)
            TerraformOutput(self, f"permissions_boundary_arn_{name}", value=roles.boundary.arn)


def protected_iam_arns(environments: Sequence[EnvironmentConfig]) -> list[str]:
    """What no CI role and no role under a boundary may change or assume.

    Every CI role and every boundary policy (names known at synth; the account is a wildcard).
    """
    return [
        *(
            role_arn_pattern(name)
            for env in environments
            for name in (env.plan_role_name, env.apply_role_name)
        ),
        *(f"arn:aws:iam::*:policy/{permissions_boundary_name(env.name)}" for env in environments),
    ]


def bootstrap_tags(settings: Settings) -> dict[str, str]:
    # The bootstrap serves every environment; they share one owning team, so take theirs.
    owner = settings.environments[0].owner if settings.environments else "platform-team"
    return {
        "Project": PROJECT,
        "Environment": "bootstrap",
        "ManagedBy": "cdktf",
        "Owner": owner,
    }
