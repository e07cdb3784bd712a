"""The one rule that tells a Terraform configuration from a plan, used by every command.

A plan is ``terraform show -json`` output: it has ``format_version`` and at least one plan
section. Other Terraform JSON with a ``format_version`` (a state, ``terraform validate -json``,
provider schemas) is rejected by name rather than read as a plan with no changes. A
configuration (CDKTF's ``cdk.tf.json`` or a hand-written ``*.tf.json``) has no
``format_version`` and at least one top-level block.
"""

from __future__ import annotations

from typing import Any, Literal

from tfjson.reader import InputError

Kind = Literal["config", "plan"]

# Terraform's JSON configuration syntax: the top-level block types, plus "//" comments (CDKTF
# writes its metadata there).
CONFIG_KEYS = frozenset(
    {
        "//",
        "terraform",
        "provider",
        "resource",
        "data",
        "ephemeral",
        "output",
        "locals",
        "variable",
        "module",
        "check",
        "import",
        "moved",
        "removed",
    }
)
PLAN_KEYS = ("resource_changes", "planned_values", "output_changes", "resource_drift")
# Terraform promises backward-compatible additions within a major format version.
SUPPORTED_FORMAT_MAJORS = ("0", "1")

USE_SHOW_JSON = "pass the output of `terraform show -json tfplan`"


def document_kind(data: Any, *, source: str) -> Kind:
    """``"plan"`` or ``"config"``; anything else is an InputError saying what it is instead."""
    if not isinstance(data, dict):
        raise InputError(
            f"{source}: expected a JSON object (a Terraform configuration or "
            "`terraform show -json` output)"
        )
    if "format_version" in data:
        version = str(data["format_version"])
        if version.split(".", maxsplit=1)[0] not in SUPPORTED_FORMAT_MAJORS:
            raise InputError(f"{source}: unsupported plan format_version {version}")
        if any(key in data for key in PLAN_KEYS):
            return "plan"
        if "values" in data:
            raise InputError(f"{source}: this is a Terraform state, not a plan; {USE_SHOW_JSON}")
        raise InputError(f"{source}: not a Terraform plan (no planned_values or resource_changes)")
    if any(key in data for key in CONFIG_KEYS):
        return "config"
    raise InputError(
        f"{source}: neither a Terraform config nor a plan "
        "(expected CDKTF/*.tf.json blocks or `terraform show -json` output)"
    )


def require_plan(data: Any, *, source: str) -> None:
    """For commands that read only plans: a configuration is named as such."""
    if document_kind(data, source=source) == "config":
        raise InputError(
            f"{source}: this is Terraform configuration (e.g. cdk.tf.json), not a plan; "
            f"{USE_SHOW_JSON}"
        )
