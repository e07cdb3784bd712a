"""GitHub Actions' OIDC identity provider and the two roles per environment it may assume.

No long-lived AWS keys exist anywhere: a workflow exchanges its short-lived GitHub token for a
role session, and the trust policies decide which workflow gets which role from the token's
``sub`` claim.
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from infra.components.iam import permissions_boundary_name, policy_document
from infra.components.iam_statements.apply_iam import managed_iam_statements
from infra.components.iam_statements.boundary import boundary_statements
from infra.components.iam_statements.github_trust import (
    GITHUB_OIDC_HOST,
    STS_AUDIENCE,
    environment_subject,
    plan_subjects,
    web_identity_trust_statements,
)
from infra.components.iam_statements.plan_read import plan_read_statements
from infra.components.iam_statements.state_access import state_access_statements
from infra.config import EnvironmentConfig, GithubRepository

# The supported regions are all in the commercial partition (see config.SUPPORTED_REGIONS).
POWER_USER_ACCESS_ARN = "arn:aws:iam::aws:policy/PowerUserAccess"

# An apply that creates an Aurora cluster can outlast the default one-hour session.
APPLY_MAX_SESSION_SECONDS = 7200


class GithubOidcProvider(Construct):
    """The account-wide trust in GitHub Actions' token issuer (one per account)."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        # No thumbprint_list: optional since AWS provider 5.81, and IAM validates GitHub's
        # certificate against its own trusted root CAs, so a pinned thumbprint only breaks
        # when GitHub rotates its intermediate certificate.
        self.provider = IamOpenidConnectProvider(
            self,
            "provider",
            url=f"https://{GITHUB_OIDC_HOST}",
            client_id_list=[STS_AUDIENCE],
        )


class GithubEnvironmentRoles(Construct):
    """The plan role, the apply role and the permissions boundary of one environment."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        environment: EnvironmentConfig,
        github: GithubRepository,
        provider_arn: str,
        account_id: str,
        state_bucket: str,
        state_kms_key_arn: str,
        protected_arns: list[str],
    ) -> None:
        super().__init__(scope, id)
        self._add_boundary(
            environment=environment.name,
            state_bucket=state_bucket,
            state_kms_key_arn=state_kms_key_arn,
            protected_arns=protected_arns,
        )
        self._add_plan_role(
            environment=environment,
            github=github,
            provider_arn=provider_arn,
            state_bucket=state_bucket,
            state_kms_key_arn=state_kms_key_arn,
        )
        self._add_apply_role(
            environment=environment,
            github=github,
            provider_arn=provider_arn,
            account_id=account_id,
            state_bucket=state_bucket,
            state_kms_key_arn=state_kms_key_arn,
            protected_arns=protected_arns,
        )

    def _add_boundary(
        self,
        *,
        environment: str,
        state_bucket: str,
        state_kms_key_arn: str,
        protected_arns: list[str],
    ) -> None:
        # The most any role the apply role creates may do; its name is outside the apply
        # role's `catalog-api-<env>-*` prefix, so the apply role cannot edit it.
        self.boundary = IamPolicy(
            self,
            "boundary",
            name=permissions_boundary_name(environment),
            description=f"Permissions boundary of every role the {environment} deploy creates",
            policy=policy_document(
                boundary_statements(
                    bucket=state_bucket,
                    state_kms_key_arn=state_kms_key_arn,
                    protected_arns=protected_arns,
                )
            ),
        )

    def _add_plan_role(
        self,
        *,
        environment: EnvironmentConfig,
        github: GithubRepository,
        provider_arn: str,
        state_bucket: str,
        state_kms_key_arn: str,
    ) -> None:
        name = environment.name
        # Plans only: the deploy plan job, PR plans from the checked artifact (workflow_run)
        # and drift, each pinned by workflow file and main. No pull_request subject: PR code
        # never gets this role.
        self.plan_role = IamRole(
            self,
            "plan_role",
            name=environment.plan_role_name,
            description=f"GitHub Actions plans of {name} from main (read-only, no lock)",
            assume_role_policy=policy_document(
                web_identity_trust_statements(
                    provider_arn=provider_arn,
                    subject_operator="StringEquals",
                    subjects=plan_subjects(github=github),
                )
            ),
        )
        self.plan_state_access = IamRolePolicy(
            self,
            "plan_state_access",
            name="terraform-state",
            role=self.plan_role.id,
            policy=policy_document(
                state_access_statements(
                    bucket=state_bucket,
                    state_key=environment.state_key,
                    kms_key_arn=state_kms_key_arn,
                    environment=name,
                    write_state=False,
                )
            ),
        )
        # Instead of ReadOnlyAccess, which reads every S3 object and log event in the account.
        self.plan_read = IamRolePolicy(
            self,
            "plan_read",
            name="refresh-read-only",
            role=self.plan_role.id,
            policy=policy_document(
                plan_read_statements(
                    bucket=state_bucket,
                    state_key=environment.state_key,
                    kms_key_arn=state_kms_key_arn,
                    environment=name,
                )
            ),
        )

    def _add_apply_role(
        self,
        *,
        environment: EnvironmentConfig,
        github: GithubRepository,
        provider_arn: str,
        account_id: str,
        state_bucket: str,
        state_kms_key_arn: str,
        protected_arns: list[str],
    ) -> None:
        name = environment.name
        # Only the apply job of deploy-environment.yml on main, bound to this environment
        # (so after the environment's reviewers approved), may assume this role.
        self.apply_role = IamRole(
            self,
            "apply_role",
            name=environment.apply_role_name,
            description=f"GitHub Actions deploy of {name} from main",
            max_session_duration=APPLY_MAX_SESSION_SECONDS,
            assume_role_policy=policy_document(
                web_identity_trust_statements(
                    provider_arn=provider_arn,
                    subject_operator="StringEquals",
                    subjects=(environment_subject(github=github, environment=name),),
                )
            ),
        )
        self.apply_state_access = IamRolePolicy(
            self,
            "apply_state_access",
            name="terraform-state",
            role=self.apply_role.id,
            policy=policy_document(
                state_access_statements(
                    bucket=state_bucket,
                    state_key=environment.state_key,
                    kms_key_arn=state_kms_key_arn,
                    environment=name,
                    write_state=True,
                )
            ),
        )
        self.apply_manage_iam = IamRolePolicy(
            self,
            "apply_manage_iam",
            name="environment-iam",
            role=self.apply_role.id,
            policy=policy_document(
                managed_iam_statements(
                    environment=name,
                    boundary_arn=f"arn:aws:iam::{account_id}:policy/{permissions_boundary_name(name)}",
                    protected_arns=protected_arns,
                )
            ),
        )
        # Trade-off, stated plainly: the catalog API spans VPC, ELB, ECS, RDS, CloudFront, S3,
        # Secrets Manager, KMS and CloudWatch, and a hand-kept action list per service breaks
        # applies whenever a component adds a resource type. PowerUserAccess covers all of them
        # but no IAM; IAM is granted above for this environment's names only and under the
        # boundary, and the state bucket and key policies deny these roles everything outside
        # their own state prefix. With one AWS account per environment (docs/trust-model.md),
        # PowerUserAccess reaches that environment only.
        self.apply_power_user = IamRolePolicyAttachment(
            self, "apply_power_user", role=self.apply_role.name, policy_arn=POWER_USER_ACCESS_ARN
        )
