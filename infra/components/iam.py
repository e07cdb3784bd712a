"""IAM policy JSON written at synth time.

Plain JSON (rather than the aws_iam_policy_document data source) keeps every policy readable
in cdk.tf.json, so reviewers and the policy pack see the statements without running a plan.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

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
