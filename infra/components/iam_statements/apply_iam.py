"""What the apply role may do in IAM: its environment's roles and policies, under the boundary."""

from __future__ import annotations

from infra.components.iam import Statement
from infra.components.iam_statements.actions import (
    BOUNDED_ROLE_ACTIONS,
    PASSED_TO_SERVICES,
    POLICY_MANAGEMENT_ACTIONS,
    ROLE_MANAGEMENT_ACTIONS,
)
from infra.components.iam_statements.lateral_movement import (
    TRUST_POLICY_ACTION,
    deny_remote_commands,
    deny_role_chaining,
    deny_trust_changes,
)
from infra.config import PROJECT


def managed_iam_statements(
    *, environment: str, boundary_arn: str, protected_arns: list[str]
) -> list[Statement]:
    """IAM for the environment's own roles and policies, always under the boundary.

    The name prefix ``catalog-api-<env>-`` matches neither the GitHub roles
    (``catalog-api-github-...``) nor the boundary (``catalog-api-boundary-<env>``). Every role
    the apply role creates or changes must carry the boundary, so a role it makes can never do
    more than the boundary allows (no IAM, no state bucket, no CI roles).

    ``iam:UpdateAssumeRolePolicy`` takes no ``iam:PermissionsBoundary`` condition (IAM
    evaluates that key for the six role actions in BOUNDED_ROLE_ACTIONS only), so it is allowed
    on the environment's own roles, which can only exist with the boundary, and denied on every
    other role, whatever a managed policy added later grants.
    """
    prefix = f"{PROJECT}-{environment}-"
    roles = f"arn:aws:iam::*:role/{prefix}*"
    bounded = {"StringEquals": {"iam:PermissionsBoundary": boundary_arn}}
    return [
        {
            "Sid": "ChangeEnvironmentRolesUnderBoundary",
            "Effect": "Allow",
            "Action": list(BOUNDED_ROLE_ACTIONS),
            "Resource": roles,
            "Condition": bounded,
        },
        {
            "Sid": "ManageEnvironmentRoles",
            "Effect": "Allow",
            "Action": list(ROLE_MANAGEMENT_ACTIONS),
            "Resource": roles,
        },
        {
            # Terraform updates a role's trust in place when a component changes it.
            "Sid": "UpdateTrustOfEnvironmentRoles",
            "Effect": "Allow",
            "Action": TRUST_POLICY_ACTION,
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
            "Action": list(POLICY_MANAGEMENT_ACTIONS),
            "Resource": f"arn:aws:iam::*:policy/{prefix}*",
        },
        {
            # Belt and braces: even if a managed policy granted these, no role without the
            # boundary can be created or changed.
            "Sid": "DenyRoleChangesWithoutBoundary",
            "Effect": "Deny",
            "Action": list(BOUNDED_ROLE_ACTIONS),
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
        deny_trust_changes(outside=roles),
        deny_role_chaining(),
        deny_remote_commands(),
    ]
