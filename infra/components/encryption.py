"""Customer-managed KMS keys with rotation, one per purpose."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from constructs import Construct


class EncryptionKey(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        alias: str,
        description: str,
        deletion_window_days: int,
    ) -> None:
        super().__init__(scope, id)
        # No key_policy: the default policy delegates to IAM in this account, so access is
        # granted where it is used (role policies) instead of in a second place.
        self.key = KmsKey(
            self,
            "key",
            description=description,
            enable_key_rotation=True,
            deletion_window_in_days=deletion_window_days,
        )
        self.alias = KmsAlias(self, "alias", name=f"alias/{alias}", target_key_id=self.key.key_id)
