"""GitHub Actions' OIDC identity provider and the two roles per environment it may assume.

No long-lived AWS keys exist anywhere: a workflow exchanges its short-lived GitHub token for a
role session, and the trust policies decide which workflow gets which role from the token's
``sub`` claim.
"""

from __future__ import annotations

from typing import Literal

from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from infra.components.iam import Statement, policy_document
from infra.components.state_bucket import state_prefix
from infra.config import PROJECT, EnvironmentConfig

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"
AUD_CLAIM = f"{GITHUB_OIDC_HOST}:aud"
SUB_CLAIM = f"{GITHUB_OIDC_HOST}:sub"

# The supported regions are all in the commercial partition (see config.SUPPORTED_REGIONS).
READ_ONLY_ACCESS_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"
POWER_USER_ACCESS_ARN = "arn:aws:iam::aws:policy/PowerUserAccess"

# An apply that creates an Aurora cluster can outlast the default one-hour session.
APPLY_MAX_SESSION_SECONDS = 7200

_ROLE_MANAGEMENT_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole",
    "iam:ListRolePolicies",
    "iam:ListRoleTags",
    "iam:PassRole",
    "iam:PutRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
)
_POLICY_MANAGEMENT_ACTIONS = (
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListPolicyTags",
    "iam:ListPolicyVersions",
    "iam:TagPolicy",
    "iam:UntagPolicy",
)


def environment_subject(*, repository: str, environment: str) -> str:
    """The ``sub`` of a job that declares ``environment: <environment>``."""
    return f"repo:{repository}:environment:{environment}"


def plan_subjects(*, repository: str) -> tuple[str, ...]:
    """PR plans (``pull_request`` events) and the scheduled drift job (which runs on main)."""
    return (f"repo:{repository}:pull_request", f"repo:{repository}:ref:refs/heads/main")


def web_identity_trust_statements(
    *,
    provider_arn: str,
    subject_operator: Literal["StringEquals", "StringLike"],
    subjects: tuple[str, ...],
) -> list[Statement]:
    condition: dict[str, dict[str, object]] = {"StringEquals": {AUD_CLAIM: STS_AUDIENCE}}
    # Merge, not overwrite: with StringEquals both claims share one operator block.
    condition.setdefault(subject_operator, {})[SUB_CLAIM] = list(subjects)
    return [
        {
            "Sid": "GitHubActionsWebIdentity",
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition,
        }
    ]


def state_access_statements(
    *, bucket: str, state_key: str, kms_key_arn: str, write_state: bool
) -> list[Statement]:
    """Exactly one environment's state object and its S3-native lock file, nothing else."""
    prefix = state_prefix(state_key)
    state_arn = f"arn:aws:s3:::{bucket}/{state_key}"
    state_actions = ["s3:GetObject", "s3:PutObject"] if write_state else ["s3:GetObject"]
    return [
        {
            "Sid": "ListOwnStatePrefix",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": f"arn:aws:s3:::{bucket}",
            "Condition": {"StringLike": {"s3:prefix": [f"{prefix}*"]}},
        },
        {
            "Sid": "ReadWriteOwnState" if write_state else "ReadOwnState",
            "Effect": "Allow",
            "Action": state_actions,
            "Resource": state_arn,
        },
        {
            # use_lockfile: even a plan takes the lock, by creating and deleting this object.
            "Sid": "OwnStateLock",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": f"{state_arn}.tflock",
        },
        {
            # Writing the lock file needs GenerateDataKey even for a read-only plan.
            "Sid": "UseStateKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            "Resource": kms_key_arn,
        },
    ]


def managed_iam_statements(*, environment: str) -> list[Statement]:
    """IAM for the environment's own roles and policies (PowerUserAccess excludes all of IAM).

    The name prefix ``catalog-api-<env>-`` does not match the GitHub roles
    (``catalog-api-github-...``), so an apply role cannot widen its own trust or permissions.
    """
    prefix = f"{PROJECT}-{environment}-"
    return [
        {
            "Sid": "ManageEnvironmentRoles",
            "Effect": "Allow",
            "Action": list(_ROLE_MANAGEMENT_ACTIONS),
            "Resource": f"arn:aws:iam::*:role/{prefix}*",
        },
        {
            "Sid": "ManageEnvironmentPolicies",
            "Effect": "Allow",
            "Action": list(_POLICY_MANAGEMENT_ACTIONS),
            "Resource": f"arn:aws:iam::*:policy/{prefix}*",
        },
    ]


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
    """The plan role and the apply role of one environment."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        environment: EnvironmentConfig,
        repository: str,
        provider_arn: str,
        state_bucket: str,
        state_kms_key_arn: str,
    ) -> None:
        super().__init__(scope, id)
        name = environment.name

        # Read-only: PR plans and the drift job. A pull_request token never carries the
        # environment form of `sub`, and main's ref form is what the scheduled drift job gets.
        self.plan_role = IamRole(
            self,
            "plan_role",
            name=environment.plan_role_name,
            description=f"GitHub Actions plan and drift detection for {name} (read-only)",
            assume_role_policy=policy_document(
                web_identity_trust_statements(
                    provider_arn=provider_arn,
                    subject_operator="StringLike",
                    subjects=plan_subjects(repository=repository),
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
                    write_state=False,
                )
            ),
        )
        # Refresh reads every managed resource; ReadOnlyAccess grants no data-plane secrets
        # (no secretsmanager:GetSecretValue, no kms:Decrypt).
        self.plan_read_only = IamRolePolicyAttachment(
            self, "plan_read_only", role=self.plan_role.name, policy_arn=READ_ONLY_ACCESS_ARN
        )

        # Only the deploy job may assume this role. Its `sub` is the environment form because
        # the job declares `environment: <env>`; GitHub issues that token only after the
        # environment's protection rules pass, and the environment's deployment branch policy
        # allows only `main`. Together they pin this role to main without matching the ref
        # form, which any workflow pushed to main (not just deploy.yml) would also get.
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
                    subjects=(environment_subject(repository=repository, environment=name),),
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
                    write_state=True,
                )
            ),
        )
        self.apply_manage_iam = IamRolePolicy(
            self,
            "apply_manage_iam",
            name="environment-iam",
            role=self.apply_role.id,
            policy=policy_document(managed_iam_statements(environment=name)),
        )
        # Trade-off, stated plainly: the catalog API spans VPC, ELB, ECS, RDS, CloudFront, S3,
        # Secrets Manager, KMS and CloudWatch, and a hand-kept action list per service breaks
        # applies whenever a component adds a resource type. PowerUserAccess covers all of them
        # but no IAM; IAM is granted above for this environment's names only, and the state
        # bucket and key policies deny these roles everything outside their own state prefix.
        self.apply_power_user = IamRolePolicyAttachment(
            self, "apply_power_user", role=self.apply_role.name, policy_arn=POWER_USER_ACCESS_ARN
        )
