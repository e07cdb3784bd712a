"""The permissions boundary every role an apply creates must carry."""

from __future__ import annotations

from infra.components.iam import Statement
from infra.components.iam_statements.lateral_movement import (
    deny_remote_commands,
    deny_role_chaining,
    deny_trust_changes,
)


def boundary_statements(
    *, bucket: str, state_kms_key_arn: str, protected_arns: list[str]
) -> list[Statement]:
    """The most any role created by an apply role may do (a permissions boundary).

    Workload roles (ECS tasks, RDS monitoring, flow logs) use AWS services, never IAM; and
    never the Terraform state, its key, the CI roles or the boundary policies. The denials
    below hold whatever a role's own policies grant: no role under the boundary assumes
    another role, rewrites a trust policy, or runs a command on an instance or in a container.
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
            "Action": "iam:*",
            "Resource": protected_arns,
        },
        deny_role_chaining(),
        deny_trust_changes(),
        deny_remote_commands(),
    ]
