"""S3 state backend: arguments the admitted Terraform versions accept, encryption, locking.

``terraform init`` rejects an unknown backend argument before anything else runs, so a backend
that only works on a newer Terraform than a teammate or CI image has fails for them at init.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from policies.model import Document, Severity, Violation, is_known
from policies.registry import rule
from policies.toolkit.values import flag, text

Version = tuple[int, int, int]
OLDEST: Version = (0, 0, 0)


@dataclass(frozen=True, kw_only=True)
class ArgumentHistory:
    """When Terraform's S3 backend started and stopped accepting one argument."""

    added: Version = OLDEST
    removed: Version | None = None
    deprecated: Version | None = None
    replacement: str | None = None


_ASSUME_ROLE = {
    "role_arn": "assume_role { role_arn }",
    "session_name": "assume_role { session_name }",
    "external_id": "assume_role { external_id }",
    "assume_role_duration_seconds": "assume_role { duration }",
    "assume_role_policy": "assume_role { policy }",
    "assume_role_policy_arns": "assume_role { policy_arns }",
    "assume_role_tags": "assume_role { tags }",
    "assume_role_transitive_tag_keys": "assume_role { transitive_tag_keys }",
}
_DEPRECATED_1_6 = {
    "endpoint": "endpoints { s3 }",
    "dynamodb_endpoint": "endpoints { dynamodb }",
    "iam_endpoint": "endpoints { iam }",
    "sts_endpoint": "endpoints { sts }",
    "force_path_style": "use_path_style",
    "shared_credentials_file": "shared_credentials_files",
}
# Added by the 1.6 rework of the backend onto aws-sdk-go-v2 (hashicorp/terraform#30443). Where
# a point release added one later we could not pin down, 1.6.0 is used: never over-report.
_ADDED_1_6 = [
    "allowed_account_ids",
    "forbidden_account_ids",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "endpoints",
    "sts_region",
    "retry_mode",
    "shared_config_files",
    "shared_credentials_files",
    "use_path_style",
    "assume_role",
    "assume_role_with_web_identity",
    "custom_ca_bundle",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "insecure",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "skip_s3_checksum",
]
_SINCE_OLDEST = [
    "bucket",
    "key",
    "region",
    "encrypt",
    "acl",
    "access_key",
    "secret_key",
    "kms_key_id",
    "profile",
    "token",
    "workspace_key_prefix",
    "skip_credentials_validation",
    "skip_metadata_api_check",
    "skip_region_validation",
    "sse_customer_key",
    "max_retries",
]

S3_BACKEND_ARGUMENTS: dict[str, ArgumentHistory] = {
    **{name: ArgumentHistory() for name in _SINCE_OLDEST},
    **{name: ArgumentHistory(added=(1, 6, 0)) for name in _ADDED_1_6},
    # Deprecated in 1.6, removed in 1.10 (hashicorp/terraform#33630, #35721).
    **{
        name: ArgumentHistory(deprecated=(1, 6, 0), removed=(1, 10, 0), replacement=new)
        for name, new in _ASSUME_ROLE.items()
    },
    **{
        name: ArgumentHistory(deprecated=(1, 6, 0), replacement=new)
        for name, new in _DEPRECATED_1_6.items()
    },
    # Removed in 0.13 (hashicorp/terraform#25134), back in 1.6.
    "skip_requesting_account_id": ArgumentHistory(added=(1, 6, 0)),
    "lock_table": ArgumentHistory(removed=(0, 13, 0), replacement="use_lockfile"),
    "skip_get_ec2_platforms": ArgumentHistory(removed=(0, 13, 0)),
    # Added by the 1.6 rework, deprecated in 1.7, removed in 1.8 (Terraform v1.8 upgrade guide:
    # "use_legacy_workflow is no longer available for the S3 backend").
    "use_legacy_workflow": ArgumentHistory(
        added=(1, 6, 0), deprecated=(1, 7, 0), removed=(1, 8, 0)
    ),
    # S3-native locking: 1.10 (hashicorp/terraform#35661); DynamoDB locking deprecated in 1.11.
    "use_lockfile": ArgumentHistory(added=(1, 10, 0)),
    "dynamodb_table": ArgumentHistory(deprecated=(1, 11, 0), replacement="use_lockfile = true"),
}


@dataclass(frozen=True, kw_only=True)
class VersionRange:
    """Terraform versions a ``required_version`` admits: ``lowest`` <= v < ``below``."""

    lowest: Version = OLDEST
    below: Version | None = None


_CONSTRAINT = re.compile(
    r"^\s*(>=|<=|~>|!=|=|>|<)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[\w.]+)?\s*$"
)


def admitted_versions(required_version: str | None) -> VersionRange:
    """Parse a Terraform version constraint; unknown or unparseable admits every version."""
    if not required_version or not is_known(required_version):
        return VersionRange()
    lowest, below = OLDEST, None
    for part in required_version.split(","):
        match = _CONSTRAINT.match(part)
        if match is None:
            return VersionRange()
        op, major, minor, patch = match.groups()
        version = (int(major), int(minor or 0), int(patch or 0))
        next_patch = (version[0], version[1], version[2] + 1)
        if op in (None, "="):
            low, high = version, next_patch
        elif op == ">=":
            low, high = version, None
        elif op == ">":
            low, high = next_patch, None
        elif op == "<":
            low, high = OLDEST, version
        elif op == "<=":
            low, high = OLDEST, next_patch
        elif op == "~>":
            # ~> 1.11 admits 1.x from 1.11; ~> 1.11.0 admits 1.11.x.
            high = (version[0] + 1, 0, 0) if patch is None else (version[0], version[1] + 1, 0)
            low = version
        else:  # "!=" excludes one version and moves neither end of the range
            continue
        lowest = max(lowest, low)
        if high is not None:
            below = high if below is None else min(below, high)
    return VersionRange(lowest=lowest, below=below)


def _show(version: Version) -> str:
    return ".".join(str(part) for part in version).removesuffix(".0")


def _range_for(document: Document) -> tuple[VersionRange, str]:
    """The admitted versions and how to name their source in a message."""
    if document.kind == "plan" and text(document.terraform_version):
        exact = admitted_versions(f"= {document.terraform_version}")
        return exact, f"Terraform {document.terraform_version} (which wrote this plan)"
    if text(document.required_version):
        return admitted_versions(document.required_version), (
            f"required_version '{document.required_version}'"
        )
    return VersionRange(), "an unset required_version (any Terraform version)"


def _s3_backend_config(document: Document) -> dict | None:
    if document.backend is None or document.backend.type != "s3":
        return None
    return dict(document.backend.config)


def _address(document: Document) -> str:
    return document.backend.address if document.backend else "terraform.backend.s3"


@rule(
    id="AT001",
    title="S3 backend argument not supported by every admitted Terraform version",
    severity=Severity.ERROR,
    service="terraform",
    failure_class="invalid-value",
    source="https://github.com/hashicorp/terraform/pull/35661",
    resource_types=("terraform.backend.s3",),
)
def backend_arguments(document: Document) -> Iterator[Violation]:
    config = _s3_backend_config(document)
    if config is None:
        return
    versions, why = _range_for(document)
    for argument in sorted(config):
        history = S3_BACKEND_ARGUMENTS.get(argument)
        if history is None:
            current = [n for n, h in S3_BACKEND_ARGUMENTS.items() if h.removed is None]
            close = difflib.get_close_matches(argument, current, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            yield Violation(
                address=_address(document),
                message=(
                    f"'{argument}' is not an argument of the S3 backend in any Terraform "
                    f"version; terraform init fails with 'Unsupported argument'{hint}"
                ),
            )
            continue
        if versions.lowest < history.added:
            yield Violation(
                address=_address(document),
                message=(
                    f"'{argument}' needs Terraform >= {_show(history.added)}, but {why} "
                    f"admits older versions, whose terraform init rejects it; "
                    f'set required_version = ">= {_show(history.added)}"'
                ),
            )
        elif history.removed is not None and (
            versions.below is None or versions.below > history.removed
        ):
            instead = f"; use {history.replacement}" if history.replacement else ""
            yield Violation(
                address=_address(document),
                message=(
                    f"'{argument}' was removed from the S3 backend in Terraform "
                    f"{_show(history.removed)}, which {why} admits{instead}"
                ),
            )
        elif history.deprecated is not None and (
            versions.below is None or versions.below > history.deprecated
        ):
            instead = f"; use {history.replacement}" if history.replacement else ""
            yield Violation(
                address=_address(document),
                severity=Severity.WARNING,
                message=(
                    f"'{argument}' is deprecated in the S3 backend since Terraform "
                    f"{_show(history.deprecated)}{instead}"
                ),
            )


@rule(
    id="SEC001",
    title="S3 backend does not set encrypt = true",
    severity=Severity.ERROR,
    service="terraform",
    failure_class="posture",
    source="https://developer.hashicorp.com/terraform/language/backend/s3",
    resource_types=("terraform.backend.s3",),
)
def backend_encryption(document: Document) -> Iterator[Violation]:
    config = _s3_backend_config(document)
    if config is None:
        return
    encrypt = config.get("encrypt")
    if encrypt is not None and flag(encrypt) is None:
        return  # unknown or not a bool: cannot tell
    if flag(encrypt) is not True:
        state = "is not set" if encrypt is None else "is false"
        yield Violation(
            address=_address(document),
            message=(
                f"encrypt {state}: state holds every resource attribute, secrets included; "
                "set encrypt = true (and kms_key_id for a customer managed key)"
            ),
        )


@rule(
    id="OPS001",
    title="S3 backend without state locking, or with deprecated DynamoDB-only locking",
    severity=Severity.ERROR,
    service="terraform",
    failure_class="posture",
    source="https://developer.hashicorp.com/terraform/language/backend/s3#state-locking",
    resource_types=("terraform.backend.s3",),
)
def backend_locking(document: Document) -> Iterator[Violation]:
    config = _s3_backend_config(document)
    if config is None:
        return
    lockfile_raw, table_raw = config.get("use_lockfile"), config.get("dynamodb_table")
    if not is_known(lockfile_raw) or not is_known(table_raw):
        return
    lockfile = flag(lockfile_raw) is True
    table = text(table_raw) is not None
    if not lockfile and not table:
        yield Violation(
            address=_address(document),
            message=(
                "no state locking: neither use_lockfile nor dynamodb_table is set, so two "
                "concurrent applies can corrupt the state; set use_lockfile = true "
                "(Terraform >= 1.10)"
            ),
        )
    elif table and not lockfile:
        yield Violation(
            address=_address(document),
            severity=Severity.WARNING,
            message=(
                "state locking uses only dynamodb_table, deprecated since Terraform 1.11; "
                "add use_lockfile = true, then drop dynamodb_table once every run uses it"
            ),
        )
