"""IAM policy JSON written at synth time.

Plain JSON (rather than the aws_iam_policy_document data source) keeps every policy readable
in cdk.tf.json, so reviewers and the policy pack see the statements without running a plan.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import jsii
from cdktf import IAspect
from constructs import IConstruct

from infra.config import PROJECT

Statement = dict[str, Any]


def policy_document(statements: Sequence[Statement]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def service_trust_policy(*, service: str, account_id: str) -> str:
    """Trust ``service`` only when acting for this account (confused-deputy guard)."""
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ]
    )


def permissions_boundary_name(environment: str) -> str:
    """The boundary every role of ``environment`` carries (created by the bootstrap).

    Outside the apply role's ``catalog-api-<env>-*`` prefix, so no apply role can edit it.
    """
    return f"{PROJECT}-boundary-{environment}"


def permissions_boundary_arn(*, account_id: str, environment: str) -> str:
    return f"arn:aws:iam::{account_id}:policy/{permissions_boundary_name(environment)}"


@jsii.implements(IAspect)
class PermissionsBoundaryAspect:
    """Sets the environment's permissions boundary on every IAM role of a stack.

    One place instead of one argument per component: the apply role may only create roles
    that carry the boundary (iam:PermissionsBoundary), so a role without it fails the apply.
    """

    def __init__(self, boundary_arn: str) -> None:
        self.boundary_arn = boundary_arn

    def visit(self, node: IConstruct) -> None:
        from cdktf_cdktf_provider_aws.iam_role import IamRole

        if isinstance(node, IamRole):
            node.permissions_boundary = self.boundary_arn
