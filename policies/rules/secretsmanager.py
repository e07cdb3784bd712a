"""Secrets Manager recovery windows: a name that stays reserved, or a deletion with no undo."""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import Document, Severity, Violation, is_known
from policies.registry import rule
from policies.toolkit.values import number, text

SECRET = "aws_secretsmanager_secret"
# Secrets Manager's default when recovery_window_in_days is not set.
DEFAULT_RECOVERY_WINDOW_DAYS = 30
# Pre-production environments that keep a production-like recovery window on purpose (restore
# drills): the reserved name is reported there, but does not block.
PROD_LIKE_ENVIRONMENTS = frozenset({"staging", "stage", "preprod", "pre-prod", "uat"})


def _recovery_window(raw: object) -> int | None:
    if not is_known(raw):
        return None
    return DEFAULT_RECOVERY_WINDOW_DAYS if raw is None else number(raw, whole=True)


@rule(
    id="AT007",
    title="Non-production secret with a fixed name keeps the name reserved after deletion",
    severity=Severity.ERROR,
    service="secretsmanager",
    failure_class="value-combination",
    source="https://github.com/aws-ia/terraform-aws-eks-blueprints/issues/1733",
    resource_types=(SECRET,),
)
def fixed_name_with_recovery_window(document: Document) -> Iterator[Violation]:
    if document.environment is None or document.is_production:
        return
    severity = (
        Severity.WARNING if document.environment in PROD_LIKE_ENVIRONMENTS else Severity.ERROR
    )
    for secret in document.of_type(SECRET):
        name = text(secret.values.get("name"))
        window = _recovery_window(secret.values.get("recovery_window_in_days"))
        if name is None or window is None or window == 0:
            continue
        yield Violation(
            address=secret.address,
            resource=secret,
            severity=severity,
            message=(
                f"secret '{name}' has a fixed name and a {window}-day recovery window in "
                f"{document.environment}: after a destroy the name stays reserved, so recreating "
                "it fails (InvalidRequestException: You can't create this secret because a "
                "secret with this name is already scheduled for deletion); set "
                "recovery_window_in_days = 0 outside production, or use name_prefix"
            ),
        )


@rule(
    id="OPS003",
    title="Production secret deleted immediately (recovery window 0)",
    severity=Severity.ERROR,
    service="secretsmanager",
    failure_class="posture",
    source="https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html",
    resource_types=(SECRET,),
)
def production_without_recovery(document: Document) -> Iterator[Violation]:
    if not document.is_production:
        return
    for secret in document.of_type(SECRET):
        if _recovery_window(secret.values.get("recovery_window_in_days")) == 0:
            yield Violation(
                address=secret.address,
                resource=secret,
                message=(
                    "recovery_window_in_days = 0 in production deletes the secret immediately "
                    "on destroy or replace, with no way to restore it; use 7-30 days"
                ),
            )
