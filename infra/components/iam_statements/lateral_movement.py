"""Denials shared by the apply roles and the permissions boundary: no hop to another role, no
command inside a machine, no trust policy rewritten outside the roles a deploy owns.

The pipeline reaches every role it uses with ``sts:AssumeRoleWithWebIdentity`` (GitHub's OIDC
token, docs/trust-model.md), and AWS services assume the workload roles as service principals.
So no CI role and no role under a boundary needs ``sts:AssumeRole`` on any role: the list of
roles the pipeline may chain into is empty, and the denial covers every role.
"""

from __future__ import annotations

from infra.components.iam import Statement

# Role chaining and the session attributes that come with it.
ROLE_CHAINING_ACTIONS = ("sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession")
# Run a command on, or open a shell into, an instance or a container (ECS Exec rides on SSM
# sessions). Nothing the pipeline or a workload does needs any of them.
REMOTE_COMMAND_ACTIONS = (
    "ecs:ExecuteCommand",
    "ssm:ResumeSession",
    "ssm:SendCommand",
    "ssm:StartSession",
)
TRUST_POLICY_ACTION = "iam:UpdateAssumeRolePolicy"


def deny_role_chaining() -> Statement:
    return {
        "Sid": "DenyAssumingAnyRole",
        "Effect": "Deny",
        "Action": list(ROLE_CHAINING_ACTIONS),
        "Resource": "*",
    }


def deny_remote_commands() -> Statement:
    return {
        "Sid": "DenyRemoteCommands",
        "Effect": "Deny",
        "Action": list(REMOTE_COMMAND_ACTIONS),
        "Resource": "*",
    }


def deny_trust_changes(*, outside: str | None = None) -> Statement:
    """No trust policy changes, or none outside the role ARN pattern ``outside``."""
    statement: Statement = {
        "Sid": "DenyTrustPolicyChanges",
        "Effect": "Deny",
        "Action": TRUST_POLICY_ACTION,
    }
    if outside is None:
        statement["Resource"] = "*"
    else:
        statement["Sid"] = "DenyTrustPolicyChangesOutsideEnvironmentRoles"
        statement["NotResource"] = outside
    return statement
