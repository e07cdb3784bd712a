"""The permissions boundary every role an apply creates must carry."""

from __future__ import annotations

from infra.components.iam import Statement


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
