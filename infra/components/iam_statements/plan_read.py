"""The plan role's refresh reads, and the data-plane reads it is denied."""

from __future__ import annotations

from infra.components.iam import Statement
from infra.components.iam_statements.actions import PLAN_DENIED_DATA_ACTIONS, PLAN_READ_ACTIONS
from infra.components.iam_statements.state_access import DEPLOYMENT_RECORD, plans_prefix
from infra.components.state_bucket import state_prefix
from infra.config import PROJECT


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
