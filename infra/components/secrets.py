"""Application secrets in Secrets Manager, named ``catalog-api-<purpose>-<env>``.

Terraform creates only the secret containers. Operators put the values, and the service reads
them at runtime through its task role, so no value reaches code, synthesized JSON or state.
(The database password is different: RDS manages it, see database.py.)
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.secretsmanager_secret import SecretsmanagerSecret
from constructs import Construct


class Secrets(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        project: str,
        environment: str,
        purposes: tuple[str, ...],
        recovery_window_days: int,
        kms_key_arn: str,
    ) -> None:
        super().__init__(scope, id)
        self.secrets: dict[str, SecretsmanagerSecret] = {
            purpose: SecretsmanagerSecret(
                self,
                f"{purpose}-secret",
                name=f"{project}-{purpose}-{environment}",
                description=f"{purpose} for {project} ({environment}); value set out of band",
                kms_key_id=kms_key_arn,
                # 0 deletes at once so a destroyed dev stack can be recreated under the same
                # name; any other value keeps the name reserved for that many days.
                recovery_window_in_days=recovery_window_days,
            )
            for purpose in purposes
        }
