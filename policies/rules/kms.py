"""KMS keys and key policies AWS rejects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Severity, Violation
from policies.registry import rule
from policies.toolkit.documents import (
    KMS_KEY_POLICIES,
    action_matches,
    as_list,
    documents_in,
    has_hole,
    types_of,
)
from policies.toolkit.findings import violation
from policies.toolkit.rows import Block, Row, custom, register
from policies.toolkit.values import flag, read


def _principal_values(statement: Mapping[str, Any]) -> list[Any] | None:
    """Every principal string of an Allow statement; None when any part is unknown."""
    principal = statement.get("Principal")
    if principal is UNKNOWN:
        return None
    if isinstance(principal, str):
        return [principal]
    if isinstance(principal, Mapping):
        values: list[Any] = []
        for item in principal.values():
            if item is UNKNOWN:
                return None
            values.extend(as_list(item))
        return values
    return []


def _allows_put_key_policy(statement: Mapping[str, Any]) -> bool | None:
    return action_matches(statement.get("Action"), "kms:putkeypolicy")


@rule(
    id="AT206",
    service="kms",
    failure_class="policy-document",
    source="https://github.com/trussworks/terraform-aws-cloudtrail/issues/178",
    title="KMS key policy lets no one change it again (lockout)",
    severity=Severity.ERROR,
    resource_types=types_of(KMS_KEY_POLICIES),
)
def key_policy_lockout(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents_in(document, KMS_KEY_POLICIES):
        bypass = resource.values.get("bypass_policy_lockout_safety_check")
        if bypass is not None and flag(bypass) is not False:
            continue  # the safety check is bypassed on purpose (or cannot tell)
        statements = parsed.statements()
        if parsed.body.get("Statement") is UNKNOWN or not statements:
            continue
        grants: bool | None = False
        for statement in statements:
            effect = statement.get("Effect")
            if effect is UNKNOWN or has_hole(effect):
                grants = None
                break
            if effect != "Allow" or "NotAction" in statement or "NotPrincipal" in statement:
                if "NotAction" in statement and effect == "Allow":
                    grants = None  # NotAction may well include PutKeyPolicy: cannot tell
                    break
                continue
            allowed = _allows_put_key_policy(statement)
            principals = _principal_values(statement)
            if allowed is None or principals is None:
                grants = None
                break
            if allowed and principals:
                grants = True
                break
        if grants is False:
            yield violation(
                resource,
                f"{path} has no Allow statement granting kms:PutKeyPolicy (kms:* or "
                "kms:PutKeyPolicy) to any principal, so no one could ever change the key "
                "policy again; KMS refuses it (MalformedPolicyDocumentException: The new key "
                "policy will not allow you to update the key policy in the future); keep the "
                'default statement that allows the account root "kms:*"',
            )


KEY = "aws_kms_key"


def _rotation_on_asymmetric_key(block: Block) -> str | None:
    spec = read(block, "customer_master_key_spec", "SYMMETRIC_DEFAULT")
    if flag(read(block, "enable_key_rotation", False)) is not True or not isinstance(spec, str):
        return None
    if spec == "SYMMETRIC_DEFAULT":
        return None
    return f"enables automatic rotation on a {spec} key (only symmetric encryption keys rotate)"


register(
    Row(
        id="AT124",
        title="KMS automatic rotation enabled on an asymmetric or HMAC key",
        service="kms",
        failure_class="value-combination",
        resource_types=(KEY,),
        predicate=custom(_rotation_on_asymmetric_key),
        error="creating KMS Key: key rotation: UnsupportedOperationException",
        source="https://github.com/terraform-aws-modules/terraform-aws-kms/issues/20",
        extra_sources=("https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",),
        why=(
            "Only symmetric encryption keys rotate automatically; asymmetric (RSA, ECC) and "
            "HMAC keys do not. The provider creates the key and then fails enabling rotation, "
            "leaving a key in the account that the failed apply does not record cleanly."
        ),
        fix=(
            "Remove enable_key_rotation for SIGN_VERIFY / asymmetric / HMAC keys (rotate them "
            "by replacing the key)."
        ),
        failing={
            "description": "catalog API token signing",
            "key_usage": "SIGN_VERIFY",
            "customer_master_key_spec": "ECC_NIST_P256",
            "enable_key_rotation": True,
        },
        passing={
            "description": "catalog API token signing",
            "key_usage": "SIGN_VERIFY",
            "customer_master_key_spec": "ECC_NIST_P256",
        },
        more_passing=({"description": "catalog API data", "enable_key_rotation": True},),
    ),
)
