"""The log bucket that receives ALB access logs and CloudFront standard logs."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
)
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import (
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from constructs import Construct

from infra.components.iam import policy_document

ALB_LOG_PREFIX = "alb"
CLOUDFRONT_LOG_PREFIX = "cloudfront/"


def block_all_public_access(
    scope: Construct, id: str, *, bucket_id: str
) -> S3BucketPublicAccessBlock:
    """All four public access blocks on: no bucket of ours is ever public."""
    return S3BucketPublicAccessBlock(
        scope,
        id,
        bucket=bucket_id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )


class LogStorage(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        account_id: str,
        elb_account_arn: str,
        expiration_days: int,
        force_destroy: bool,
    ) -> None:
        super().__init__(scope, id)
        self.alb_log_prefix = ALB_LOG_PREFIX
        self.cloudfront_log_prefix = CLOUDFRONT_LOG_PREFIX
        self.bucket = S3Bucket(
            self,
            "bucket",
            # Bucket names are global: the account id keeps them unique across accounts.
            bucket=f"{name}-logs-{account_id}",
            force_destroy=force_destroy,
        )
        self._add_bucket_settings()
        self._add_lifecycle(expiration_days=expiration_days)
        self._add_policy(account_id=account_id, elb_account_arn=elb_account_arn)

    def _add_bucket_settings(self) -> None:
        # ALB access logging only accepts SSE-S3; SSE-KMS would make log delivery fail.
        self.encryption = S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=self.bucket.id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="AES256"
                    )
                )
            ],
        )
        self.public_access_block = block_all_public_access(
            self, "public-access-block", bucket_id=self.bucket.id
        )
        # CloudFront standard logging writes through bucket ACLs, which BucketOwnerEnforced
        # (the S3 default) disables.
        self.ownership_controls = S3BucketOwnershipControls(
            self,
            "ownership-controls",
            bucket=self.bucket.id,
            rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerPreferred"),
        )

    def _add_lifecycle(self, *, expiration_days: int) -> None:
        self.lifecycle = S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=self.bucket.id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-logs",
                    status="Enabled",
                    # The AWS provider flags a rule with neither filter nor prefix; an explicit
                    # empty prefix states that the rule covers every object.
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=expiration_days)],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                            days_after_initiation=7
                        )
                    ],
                )
            ],
        )

    def _add_policy(self, *, account_id: str, elb_account_arn: str) -> None:
        alb_log_objects = f"{self.bucket.arn}/{ALB_LOG_PREFIX}/AWSLogs/{account_id}/*"
        self.policy = S3BucketPolicy(
            self,
            "policy",
            bucket=self.bucket.id,
            policy=policy_document(
                [
                    {
                        "Sid": "AlbAccessLogs",
                        "Effect": "Allow",
                        # Regions before 08/2022 deliver as the regional ELB account, newer
                        # ones as the log-delivery service; granting both covers every region.
                        "Principal": {
                            "AWS": elb_account_arn,
                            "Service": "logdelivery.elasticloadbalancing.amazonaws.com",
                        },
                        "Action": "s3:PutObject",
                        "Resource": alb_log_objects,
                    },
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [self.bucket.arn, f"{self.bucket.arn}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                ]
            ),
            # S3 rejects a policy PUT that races the public access block configuration.
            depends_on=[self.public_access_block],
        )
