"""DynamoDB tables AWS rejects."""

from __future__ import annotations

from typing import Any

from policies.toolkit.rows import Row, forbidden, register, required

TABLE = "aws_dynamodb_table"


_TABLE: dict[str, Any] = {
    "name": "catalog-items",
    "billing_mode": "PAY_PER_REQUEST",
    "hash_key": "sku",
    "attribute": [{"name": "sku", "type": "S"}, {"name": "category", "type": "S"}],
}


def _table_with_index(**projection: Any) -> dict[str, Any]:
    return {
        **_TABLE,
        "global_secondary_index": [{"name": "by-category", "hash_key": "category", **projection}],
    }


register(
    Row(
        id="AT109",
        title="DynamoDB index with projection_type INCLUDE but no non_key_attributes",
        service="dynamodb",
        failure_class="value-combination",
        resource_types=(TABLE,),
        scope=("global_secondary_index",),
        predicate=required("non_key_attributes", when={"projection_type": {"INCLUDE"}}),
        error=(
            "ValidationException: One or more parameter values were invalid: ProjectionType is "
            "INCLUDE, but NonKeyAttributes is not specified"
        ),
        source="https://github.com/nubo-db/dynoxide/issues/116",
        extra_sources=(
            "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Projection.html",
        ),
        why=(
            "`INCLUDE` projects the key attributes plus a list you name; without the list "
            "DynamoDB refuses the index. The provider accepts the block as written, and the "
            "table (or the index added to an existing table) fails at apply."
        ),
        fix="List the projected attributes in non_key_attributes, or use KEYS_ONLY / ALL.",
        failing=_table_with_index(projection_type="INCLUDE"),
        passing=_table_with_index(projection_type="INCLUDE", non_key_attributes=["title"]),
    ),
    Row(
        id="AT130",
        title="DynamoDB index lists non_key_attributes with projection_type ALL or KEYS_ONLY",
        service="dynamodb",
        failure_class="value-combination",
        resource_types=(TABLE,),
        scope=("global_secondary_index",),
        predicate=forbidden("non_key_attributes", when={"projection_type": {"ALL", "KEYS_ONLY"}}),
        error=(
            "ValidationException: One or more parameter values were invalid: ProjectionType is "
            "ALL, but NonKeyAttributes is specified"
        ),
        source="https://github.com/cloudposse/terraform-aws-dynamodb/issues/39",
        extra_sources=(
            "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Projection.html",
        ),
        why=(
            "`non_key_attributes` only means something for `INCLUDE`; with `ALL` or "
            "`KEYS_ONLY` DynamoDB rejects the index. Modules that always pass the list hit this "
            "when a caller switches the projection."
        ),
        fix="Drop non_key_attributes, or switch projection_type to INCLUDE.",
        failing=_table_with_index(projection_type="ALL", non_key_attributes=["title"]),
        passing=_table_with_index(projection_type="ALL"),
    ),
)
