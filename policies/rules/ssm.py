"""Systems Manager parameters AWS rejects."""

from __future__ import annotations

from policies.toolkit.rows import Block, Row, custom, register
from policies.toolkit.values import read

PARAMETER = "aws_ssm_parameter"


# -- SSM ---------------------------------------------------------------------------------------


def _standard_parameter_too_long(block: Block) -> str | None:
    tier = read(block, "tier", "Standard")
    if tier != "Standard":
        return None
    for attribute in ("value", "insecure_value"):
        value = read(block, attribute)
        if isinstance(value, str) and "${" not in value and len(value) > 4096:
            # Never quote the value: it may be a secret.
            return f"{attribute} has {len(value)} characters, above 4096 for a Standard parameter"
    return None


register(
    Row(
        id="AT311",
        title="SSM Standard parameter value longer than 4,096 characters",
        service="ssm",
        failure_class="value-combination",
        resource_types=(PARAMETER,),
        predicate=custom(_standard_parameter_too_long),
        error=(
            "ValidationException: Standard tier parameters support a maximum parameter value "
            "of 4096 characters. To create a larger parameter value, upgrade the parameter to "
            "use the advanced-parameter tier."
        ),
        source="https://github.com/aws/aws-sdk-net/issues/3157",
        extra_sources=(
            "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
            "https://github.com/hashicorp/terraform-provider-aws/pull/31151",
        ),
        why=(
            "A Standard parameter's value holds at most 4,096 characters; Advanced (and "
            "Intelligent-Tiering, which upgrades when needed) hold 8 KB. `tier` defaults to "
            "Standard, and the provider does not check the value's length against the tier "
            "(a pull request adding that check is still open), so a large JSON document or "
            "certificate plans fine and fails at PutParameter. The finding never quotes the "
            "value."
        ),
        fix='Set tier = "Advanced" (or "Intelligent-Tiering"), or store less.',
        failing={"name": "/catalog/config", "type": "String", "value": "x" * 5000},
        passing={
            "name": "/catalog/config",
            "type": "String",
            "value": "x" * 5000,
            "tier": "Advanced",
        },
    ),
)
