"""GitHub Actions' OIDC identity provider and the two roles per environment it may assume.

No long-lived AWS keys exist anywhere: a workflow exchanges its short-lived GitHub token for a
role session, and the trust policies decide which workflow gets which role from the token's
``sub`` claim.
"""

from __future__ import annotations

from typing import Literal

from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from infra.components.iam import Statement, permissions_boundary_name, policy_document
from infra.components.state_bucket import state_prefix
from infra.config import PROJECT, EnvironmentConfig

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"
AUD_CLAIM = f"{GITHUB_OIDC_HOST}:aud"
SUB_CLAIM = f"{GITHUB_OIDC_HOST}:sub"

# The repository's OIDC subject template, set once by scripts/configure-oidc-subject.sh
# (`gh api`): with `job_workflow_ref` in `sub`, a trust policy names the workflow file and the
# branch it ran from, not only "some job on main" or "some job using environment prod".
SUBJECT_CLAIM_KEYS = ("repo", "context", "job_workflow_ref")
DEFAULT_BRANCH_REF = "refs/heads/main"
# The workflows that may assume each role (file names under .github/workflows/).
DEPLOY_WORKFLOW = "deploy-environment.yml"  # reusable: the plan job and the apply job
PR_PLAN_WORKFLOW = "pr-plan.yml"  # workflow_run: plans a PR's checked, synthesized stacks
DRIFT_WORKFLOW = "drift.yml"
PLAN_ROLE_WORKFLOWS = (DEPLOY_WORKFLOW, PR_PLAN_WORKFLOW, DRIFT_WORKFLOW)

# The supported regions are all in the commercial partition (see config.SUPPORTED_REGIONS).
POWER_USER_ACCESS_ARN = "arn:aws:iam::aws:policy/PowerUserAccess"

# An apply that creates an Aurora cluster can outlast the default one-hour session.
APPLY_MAX_SESSION_SECONDS = 7200

# The deploy plan job stores its saved plan here for the apply job (deploy-environment.sh).
PLANS_PREFIX = "plans"
DEPLOYMENT_RECORD = "deployment.json"

# Services the environment stacks pass their roles to (ECS tasks, RDS enhanced monitoring,
# VPC flow logs). iam:PassRole is limited to these with iam:PassedToService.
PASSED_TO_SERVICES = (
    "ecs-tasks.amazonaws.com",
    "monitoring.rds.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
)

# Role actions that change what a role may do: allowed only when the role carries the
# project's permissions boundary (the iam:PermissionsBoundary condition key is evaluated for
# exactly these; https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html).
_BOUNDED_ROLE_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
)
_ROLE_MANAGEMENT_ACTIONS = (
    "iam:DeleteRole",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole",
    "iam:ListRolePolicies",
    "iam:ListRoleTags",
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

# What refreshing this project's resource types reads (the environment stacks: VPC, ALB, ECS,
# Aurora, CloudFront, S3 bucket settings, Secrets Manager metadata, KMS, CloudWatch log groups,
# ACM, Route 53, application autoscaling, IAM roles). Describe/Get/List only, and no action
# that returns data-plane content: no s3:GetObject, logs:GetLogEvents, ssm:GetParameter*,
# secretsmanager:GetSecretValue, kms:Decrypt (those are also denied explicitly below).
PLAN_READ_ACTIONS = (
    "acm:DescribeCertificate",
    "acm:GetCertificate",
    "acm:ListCertificates",
    "acm:ListTagsForCertificate",
    "application-autoscaling:DescribeScalableTargets",
    "application-autoscaling:DescribeScalingPolicies",
    "application-autoscaling:ListTagsForResource",
    "cloudfront:GetDistribution",
    "cloudfront:GetDistributionConfig",
    "cloudfront:GetOriginAccessControl",
    "cloudfront:GetCachePolicy",
    "cloudfront:GetOriginRequestPolicy",
    "cloudfront:GetResponseHeadersPolicy",
    "cloudfront:ListDistributions",
    "cloudfront:ListTagsForResource",
    "ec2:DescribeAccountAttributes",
    "ec2:DescribeAddresses",
    "ec2:DescribeAddressesAttribute",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeFlowLogs",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeManagedPrefixLists",
    "ec2:DescribeNatGateways",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribePrefixLists",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroupRules",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeTags",
    "ec2:DescribeVpcAttribute",
    "ec2:DescribeVpcs",
    "ec2:GetManagedPrefixListEntries",
    "ecs:DescribeCapacityProviders",
    "ecs:DescribeClusters",
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "ecs:ListTagsForResource",
    "elasticloadbalancing:DescribeListenerAttributes",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:ListRoleTags",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListResourceTags",
    "logs:DescribeLogGroups",
    "logs:ListTagsForResource",
    "logs:ListTagsLogGroup",
    "rds:DescribeDBClusterParameterGroups",
    "rds:DescribeDBClusters",
    "rds:DescribeDBInstances",
    "rds:DescribeDBParameterGroups",
    "rds:DescribeDBSubnetGroups",
    "rds:DescribeGlobalClusters",
    "rds:ListTagsForResource",
    "route53:GetChange",
    "route53:GetHostedZone",
    "route53:ListHostedZones",
    "route53:ListHostedZonesByName",
    "route53:ListResourceRecordSets",
    "route53:ListTagsForResource",
    "s3:GetAccelerateConfiguration",
    "s3:GetBucketAcl",
    "s3:GetBucketCORS",
    "s3:GetBucketLogging",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketOwnershipControls",
    "s3:GetBucketPolicy",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketRequestPayment",
    "s3:GetBucketTagging",
    "s3:GetBucketVersioning",
    "s3:GetBucketWebsite",
    "s3:GetEncryptionConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetResourcePolicy",
)

# Data-plane reads a plan never needs; denied explicitly so no managed policy added later
# (or a misread of the list above) can grant them.
PLAN_DENIED_DATA_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "ssm:GetParameterHistory",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:GetLogRecord",
    "logs:StartQuery",
    "logs:GetQueryResults",
    "logs:StartLiveTail",
    "lambda:InvokeFunction",
    "rds-db:connect",
    "ecs:ExecuteCommand",
)


def subject(*, repository: str, context: str, workflow: str) -> str:
    """The ``sub`` of a job under the custom template (SUBJECT_CLAIM_KEYS), on main.

    ``context`` is ``environment:<env>`` for a job that declares an environment and
    ``ref:refs/heads/main`` otherwise; ``workflow`` is the file whose job asks for the token
    (a reusable workflow's own file, not its caller's).
    """
    workflow_ref = f"{repository}/.github/workflows/{workflow}@{DEFAULT_BRANCH_REF}"
    return f"repo:{repository}:{context}:job_workflow_ref:{workflow_ref}"


def environment_subject(*, repository: str, environment: str) -> str:
    """The deploy workflow's apply job for ``environment``, run from main."""
    return subject(
        repository=repository, context=f"environment:{environment}", workflow=DEPLOY_WORKFLOW
    )


def plan_subjects(*, repository: str) -> tuple[str, ...]:
    """The deploy plan job, the PR plan (workflow_run) and drift: jobs on main, no environment.

    No ``pull_request`` subject: PR code never holds an AWS role (docs/trust-model.md).
    """
    context = f"ref:{DEFAULT_BRANCH_REF}"
    return tuple(
        subject(repository=repository, context=context, workflow=workflow)
        for workflow in PLAN_ROLE_WORKFLOWS
    )


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


def plans_prefix(environment: str) -> str:
    """``plans/dev/``: the saved plans of one environment, written by its plan job."""
    return f"{PLANS_PREFIX}/{environment}/"


def state_access_statements(
    *, bucket: str, state_key: str, kms_key_arn: str, environment: str, write_state: bool
) -> list[Statement]:
    """One environment's state, deployment record, lock file and saved plans, nothing else.

    The plan role (``write_state=False``) reads the state and the deployment record, writes
    saved plans under ``plans/<env>/`` and never touches the lock file: every plan it makes
    runs with ``-lock=false``. The apply role reads and writes the state, the record and the
    lock, and reads the saved plans.
    """
    prefix = state_prefix(state_key)
    state_arn = f"arn:aws:s3:::{bucket}/{state_key}"
    record_arn = f"arn:aws:s3:::{bucket}/{prefix}{DEPLOYMENT_RECORD}"
    plans_arn = f"arn:aws:s3:::{bucket}/{plans_prefix(environment)}*"
    statements: list[Statement] = [
        {
            "Sid": "ListOwnPrefixes",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": f"arn:aws:s3:::{bucket}",
            "Condition": {
                "StringLike": {"s3:prefix": [f"{prefix}*", f"{plans_prefix(environment)}*"]}
            },
        },
    ]
    if write_state:
        statements += [
            {
                "Sid": "ReadWriteOwnStateAndRecord",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": [state_arn, record_arn],
            },
            {
                "Sid": "OwnStateLock",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": f"{state_arn}.tflock",
            },
            {
                "Sid": "ReadOwnPlans",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": plans_arn,
            },
        ]
    else:
        statements += [
            {
                "Sid": "ReadOwnStateAndRecord",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": [state_arn, record_arn],
            },
            {
                "Sid": "WriteOwnPlans",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": plans_arn,
            },
        ]
    statements.append(
        {
            # Reading the state decrypts; storing a plan encrypts (SSE-KMS with this key).
            "Sid": "UseStateKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            "Resource": kms_key_arn,
        }
    )
    return statements


def plan_read_statements(
    *, bucket: str, state_key: str, kms_key_arn: str, environment: str
) -> list[Statement]:
    """Refresh reads, and explicit denies for secret values, log events and foreign objects."""
    prefix = state_prefix(state_key)
    own_objects = [
        f"arn:aws:s3:::{bucket}/{state_key}",
        f"arn:aws:s3:::{bucket}/{prefix}{DEPLOYMENT_RECORD}",
        f"arn:aws:s3:::{bucket}/{plans_prefix(environment)}*",
    ]
    return [
        {
            # Describe/List calls take no resource ARN in most of these services.
            "Sid": "RefreshProjectResourceTypes",
            "Effect": "Allow",
            "Action": list(PLAN_READ_ACTIONS),
            "Resource": "*",
        },
        {
            # Refreshing aws_s3_bucket starts with HeadBucket (s3:ListBucket) and the bucket's
            # region: only the environment's own buckets. Listing names keys, it reads no object.
            "Sid": "FindEnvironmentBuckets",
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
            "Resource": f"arn:aws:s3:::{PROJECT}-{environment}-*",
        },
        {
            "Sid": "DenySecretValuesAndLogEvents",
            "Effect": "Deny",
            "Action": list(PLAN_DENIED_DATA_ACTIONS),
            "Resource": "*",
        },
        {
            # Only the state key decrypts: no other ciphertext (kms_secrets, SSM) is readable.
            "Sid": "DenyDecryptOutsideStateKey",
            "Effect": "Deny",
            "Action": "kms:Decrypt",
            "NotResource": kms_key_arn,
        },
        {
            "Sid": "DenyObjectsOutsideOwnKeys",
            "Effect": "Deny",
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"],
            "NotResource": own_objects,
        },
        {
            # PR, drift and deploy plans all run with -lock=false; a plan never holds the lock.
            "Sid": "DenyStateLockWrites",
            "Effect": "Deny",
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": "arn:aws:s3:::*.tflock",
        },
        {
            "Sid": "DenyStateWrites",
            "Effect": "Deny",
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "NotResource": f"arn:aws:s3:::{bucket}/{plans_prefix(environment)}*",
        },
    ]


def managed_iam_statements(
    *, environment: str, boundary_arn: str, protected_arns: list[str]
) -> list[Statement]:
    """IAM for the environment's own roles and policies, always under the boundary.

    The name prefix ``catalog-api-<env>-`` matches neither the GitHub roles
    (``catalog-api-github-...``) nor the boundary (``catalog-api-boundary-<env>``). Every role
    the apply role creates or changes must carry the boundary, so a role it makes can never do
    more than the boundary allows (no IAM, no state bucket, no CI roles).
    """
    prefix = f"{PROJECT}-{environment}-"
    roles = f"arn:aws:iam::*:role/{prefix}*"
    bounded = {"StringEquals": {"iam:PermissionsBoundary": boundary_arn}}
    return [
        {
            "Sid": "ChangeEnvironmentRolesUnderBoundary",
            "Effect": "Allow",
            "Action": list(_BOUNDED_ROLE_ACTIONS),
            "Resource": roles,
            "Condition": bounded,
        },
        {
            "Sid": "ManageEnvironmentRoles",
            "Effect": "Allow",
            "Action": list(_ROLE_MANAGEMENT_ACTIONS),
            "Resource": roles,
        },
        {
            "Sid": "PassEnvironmentRolesToTheirServices",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": roles,
            "Condition": {"StringEquals": {"iam:PassedToService": list(PASSED_TO_SERVICES)}},
        },
        {
            "Sid": "ManageEnvironmentPolicies",
            "Effect": "Allow",
            "Action": list(_POLICY_MANAGEMENT_ACTIONS),
            "Resource": f"arn:aws:iam::*:policy/{prefix}*",
        },
        {
            # Belt and braces: even if a managed policy granted these, no role without the
            # boundary can be created or changed.
            "Sid": "DenyRoleChangesWithoutBoundary",
            "Effect": "Deny",
            "Action": list(_BOUNDED_ROLE_ACTIONS),
            "Resource": "*",
            "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": boundary_arn}},
        },
        {
            "Sid": "DenyRemovingBoundaries",
            "Effect": "Deny",
            "Action": ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"],
            "Resource": "*",
        },
        {
            "Sid": "DenyCiRolesAndBoundaries",
            "Effect": "Deny",
            "Action": "iam:*",
            "Resource": protected_arns,
        },
    ]


def boundary_statements(
    *, bucket: str, state_kms_key_arn: str, protected_arns: list[str]
) -> list[Statement]:
    """The most any role created by an apply role may do (a permissions boundary).

    Workload roles (ECS tasks, RDS monitoring, flow logs) use AWS services, never IAM; and
    never the Terraform state, its key, the CI roles or the boundary policies.
    """
    return [
        {
            "Sid": "WorkloadServicesNoIam",
            "Effect": "Allow",
            "NotAction": ["iam:*", "organizations:*", "account:*"],
            "Resource": "*",
        },
        {
            "Sid": "DenyTerraformState",
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        },
        {
            "Sid": "DenyTerraformStateKey",
            "Effect": "Deny",
            "Action": "kms:*",
            "Resource": state_kms_key_arn,
        },
        {
            "Sid": "DenyCiRolesAndBoundaries",
            "Effect": "Deny",
            "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity", "iam:*"],
            "Resource": protected_arns,
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
    """The plan role, the apply role and the permissions boundary of one environment."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        environment: EnvironmentConfig,
        repository: str,
        provider_arn: str,
        account_id: str,
        state_bucket: str,
        state_kms_key_arn: str,
        protected_arns: list[str],
    ) -> None:
        super().__init__(scope, id)
        name = environment.name

        # The most any role the apply role creates may do; its name is outside the apply
        # role's `catalog-api-<env>-*` prefix, so the apply role cannot edit it.
        self.boundary = IamPolicy(
            self,
            "boundary",
            name=permissions_boundary_name(name),
            description=f"Permissions boundary of every role the {name} deploy creates",
            policy=policy_document(
                boundary_statements(
                    bucket=state_bucket,
                    state_kms_key_arn=state_kms_key_arn,
                    protected_arns=protected_arns,
                )
            ),
        )

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
