"""Terraform state, deployment record, lock file and saved plans: one environment's objects."""

from __future__ import annotations

from infra.components.iam import Statement
from infra.components.state_bucket import state_prefix

# The deploy plan job stores its saved plan here for the apply job (deploy-environment.sh).
PLANS_PREFIX = "plans"
DEPLOYMENT_RECORD = "deployment.json"


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
        statements += _apply_state_statements(
            state_arn=state_arn, record_arn=record_arn, plans_arn=plans_arn
        )
    else:
        statements += _plan_state_statements(
            state_arn=state_arn, record_arn=record_arn, plans_arn=plans_arn
        )
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


def _apply_state_statements(*, state_arn: str, record_arn: str, plans_arn: str) -> list[Statement]:
    """Read and write the state, the record and the lock; read the saved plans."""
    return [
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


def _plan_state_statements(*, state_arn: str, record_arn: str, plans_arn: str) -> list[Statement]:
    """Read the state and the record; write saved plans; never the lock."""
    return [
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
