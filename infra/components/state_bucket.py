"""The S3 bucket (and its KMS key) that holds every environment's Terraform state.

Losing or leaking this bucket loses or leaks every stack, so it is guarded twice: the bucket and
key refuse ``terraform destroy`` (``prevent_destroy``), and the bucket and key policies hold even
against the broad AWS-managed policies attached to the CI roles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import (
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import (
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)
from constructs import Construct

from infra.components.iam import Statement, policy_document
from infra.components.storage import block_all_public_access

# A state file is rewritten on every apply; 90 days of old versions is enough to recover from a
# bad apply or a corrupted state without keeping every version forever.
NONCURRENT_VERSION_EXPIRATION_DAYS = 90
ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS = 7
KMS_DELETION_WINDOW_DAYS = 30

# What a CI role may still do to the bucket itself: list its own prefix (without ListBucket a
# missing state object reads as 403 instead of 404, which breaks the first init of a stack).
CI_BUCKET_ACTIONS = ("s3:ListBucket", "s3:GetBucketLocation")
# What a CI role may do with the state key: read and write objects, never administer the key.
CI_KMS_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey")


@dataclass(frozen=True, kw_only=True)
class StateKeyScope:
    """The only part of the bucket a set of roles may touch (one environment's state prefix)."""

    key_prefix: str  # e.g. "catalog-api/dev/"
    role_names: tuple[str, ...]
    # Other prefixes of the same environment, e.g. its saved plans ("plans/dev/").
    extra_prefixes: tuple[str, ...] = ()


def state_prefix(state_key: str) -> str:
    """``catalog-api/dev/terraform.tfstate`` -> ``catalog-api/dev/`` (holds the lock file too)."""
    return state_key.rsplit("/", 1)[0] + "/"


def role_arn_pattern(role_name: str) -> str:
    # The account is a wildcard so the policy is known at synth time; a Deny that matches more
    # accounts than ours can only deny more, and the name is specific to this project.
    return f"arn:aws:iam::*:role/{role_name}"


def bucket_policy_statements(
    *, bucket_name: str, scopes: Sequence[StateKeyScope]
) -> list[Statement]:
    """TLS only for everyone; each CI role confined to its environment's state prefix.

    The apply roles also carry the AWS-managed PowerUserAccess, which allows S3 on every bucket,
    so the confinement has to be a Deny here rather than a narrow Allow there.
    """
    bucket_arn = f"arn:aws:s3:::{bucket_name}"
    statements: list[Statement] = [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket_arn, f"{bucket_arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]
    all_ci_roles = sorted({name for scope in scopes for name in scope.role_names})
    if all_ci_roles:
        statements.append(
            {
                "Sid": "DenyBucketAdministrationByCiRoles",
                "Effect": "Deny",
                "Principal": "*",
                "NotAction": list(CI_BUCKET_ACTIONS),
                "Resource": bucket_arn,
                "Condition": {
                    "ArnLike": {"aws:PrincipalArn": [role_arn_pattern(n) for n in all_ci_roles]}
                },
            }
        )
    for scope in scopes:
        statements.append(
            {
                "Sid": "DenyOutsideStatePrefix" + _sid_suffix(scope.key_prefix),
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "NotResource": [
                    bucket_arn,
                    *(f"{bucket_arn}/{p}*" for p in (scope.key_prefix, *scope.extra_prefixes)),
                ],
                "Condition": {
                    "ArnLike": {"aws:PrincipalArn": [role_arn_pattern(n) for n in scope.role_names]}
                },
            }
        )
    return statements


def key_policy_statements(*, account_id: str, ci_role_names: Sequence[str]) -> list[Statement]:
    """The account administers the key through IAM; CI roles may only use it.

    Without the Deny, PowerUserAccess (kms:*) would let the apply role schedule the key for
    deletion, which makes every state object unreadable.
    """
    statements: list[Statement] = [
        {
            "Sid": "AccountAdministersThroughIam",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if ci_role_names:
        statements.append(
            {
                "Sid": "CiRolesMayOnlyUseTheKey",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "NotAction": list(CI_KMS_ACTIONS),
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        "aws:PrincipalArn": [role_arn_pattern(n) for n in sorted(ci_role_names)]
                    }
                },
            }
        )
    return statements


def _sid_suffix(key_prefix: str) -> str:
    # Sids allow only [A-Za-z0-9]: "catalog-api/dev/" -> "CatalogApiDev".
    words = key_prefix.replace("/", "-").split("-")
    return "".join(word[:1].upper() + word[1:] for word in words if word.isalnum())


class StateBucket(Construct):
    """Versioned, KMS-encrypted, private bucket for Terraform state, with its own key."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        bucket_name: str,
        account_id: str,
        scopes: Sequence[StateKeyScope],
    ) -> None:
        super().__init__(scope, id)
        protected = TerraformResourceLifecycle(prevent_destroy=True)
        ci_role_names = sorted({name for s in scopes for name in s.role_names})
        self._add_key(
            bucket_name=bucket_name,
            account_id=account_id,
            ci_role_names=ci_role_names,
            lifecycle=protected,
        )
        self._add_bucket(bucket_name=bucket_name, scopes=scopes, lifecycle=protected)
        self._add_lifecycle_rules()

    def _add_key(
        self,
        *,
        bucket_name: str,
        account_id: str,
        ci_role_names: list[str],
        lifecycle: TerraformResourceLifecycle,
    ) -> None:
        self.key = KmsKey(
            self,
            "key",
            description=f"Encrypts the Terraform state in s3://{bucket_name}",
            enable_key_rotation=True,
            deletion_window_in_days=KMS_DELETION_WINDOW_DAYS,
            policy=policy_document(
                key_policy_statements(account_id=account_id, ci_role_names=ci_role_names)
            ),
            lifecycle=lifecycle,
        )
        self.key_alias = KmsAlias(
            self,
            "key_alias",
            # Alias names allow no dots, bucket names do.
            name="alias/" + bucket_name.replace(".", "-"),
            target_key_id=self.key.key_id,
        )

    def _add_bucket(
        self,
        *,
        bucket_name: str,
        scopes: Sequence[StateKeyScope],
        lifecycle: TerraformResourceLifecycle,
    ) -> None:
        self.bucket = S3Bucket(self, "bucket", bucket=bucket_name, lifecycle=lifecycle)
        self.versioning = S3BucketVersioningA(
            self,
            "versioning",
            bucket=self.bucket.id,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )
        self.encryption = S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=self.bucket.id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=(
                        S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                            sse_algorithm="aws:kms", kms_master_key_id=self.key.arn
                        )
                    ),
                    # One data key per bucket instead of one KMS call per object write.
                    bucket_key_enabled=True,
                )
            ],
        )
        self.public_access_block = block_all_public_access(
            self, "public_access_block", bucket_id=self.bucket.id
        )
        self.ownership = S3BucketOwnershipControls(
            self,
            "ownership",
            bucket=self.bucket.id,
            rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        self.policy = S3BucketPolicy(
            self,
            "policy",
            bucket=self.bucket.id,
            policy=policy_document(
                bucket_policy_statements(bucket_name=bucket_name, scopes=scopes)
            ),
            # S3 rejects a policy write that races the public access block update.
            depends_on=[self.public_access_block],
        )

    def _add_lifecycle_rules(self) -> None:
        self.lifecycle_configuration = S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=self.bucket.id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-noncurrent-state-versions",
                    status="Enabled",
                    # An explicit empty filter: without one the provider warns and AWS applies
                    # the rule inconsistently across API versions.
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                            noncurrent_days=NONCURRENT_VERSION_EXPIRATION_DAYS
                        )
                    ],
                    # Every unlock deletes a .tflock object, leaving a delete marker behind.
                    expiration=[
                        S3BucketLifecycleConfigurationRuleExpiration(
                            expired_object_delete_marker=True
                        )
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                            days_after_initiation=ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS
                        )
                    ],
                )
            ],
            # Lifecycle rules on noncurrent versions need versioning in place first.
            depends_on=[self.versioning],
        )
