"""Customer-managed KMS keys with rotation, one per purpose."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from constructs import Construct

from infra.components.iam import policy_document


def _account_statement(account_id: str) -> dict[str, object]:
    # AWS's default key policy: access is then granted where it is used (IAM role policies).
    return {
        "Sid": "AccountAdministersViaIam",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def account_key_policy(*, account_id: str) -> str:
    """AWS's default key policy, written out so reviewers see it (and checkov finds one)."""
    return policy_document([_account_statement(account_id)])


def cloudwatch_logs_key_policy(*, region: str, account_id: str) -> str:
    """The default key policy plus CloudWatch Logs, limited to this account's log groups.

    CloudWatch Logs encrypts as its service principal, which the default policy (IAM in this
    account only) does not admit, so log group creation would fail without this.
    """
    return policy_document(
        [
            _account_statement(account_id),
            {
                "Sid": "CloudWatchLogsEncrypts",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": (
                            f"arn:aws:logs:{region}:{account_id}:log-group:*"
                        )
                    }
                },
            },
        ]
    )


class EncryptionKey(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        alias: str,
        description: str,
        deletion_window_days: int,
        policy: str,
    ) -> None:
        super().__init__(scope, id)
        self.key = KmsKey(
            self,
            "key",
            description=description,
            enable_key_rotation=True,
            deletion_window_in_days=deletion_window_days,
            policy=policy,
        )
        self.alias = KmsAlias(self, "alias", name=f"alias/{alias}", target_key_id=self.key.key_id)
