"""CloudWatch Logs metric filters and log groups AWS rejects."""

from __future__ import annotations

from typing import Any

from policies.toolkit.rows import Row, exclusive, register

METRIC_FILTER = "aws_cloudwatch_log_metric_filter"
_METRIC_FILTER: dict[str, Any] = {
    "name": "catalog-api-errors",
    "log_group_name": "/ecs/catalog-api",
    "pattern": '{ $.level = "error" }',
}


register(
    Row(
        id="AT131",
        title="CloudWatch Logs metric filter with both default_value and dimensions",
        service="logs",
        failure_class="value-combination",
        resource_types=(METRIC_FILTER,),
        scope=("metric_transformation",),
        predicate=exclusive("default_value", "dimensions"),
        error=(
            "InvalidParameterException: Invalid metric transformation: dimensions and default "
            "value are mutually exclusive properties"
        ),
        source=(
            "https://github.com/aws-solutions-library-samples/guidance-for-claude-code-with-amazon-bedrock/pull/632"
        ),
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricTransformation.html",
        ),
        why=(
            "A metric filter either emits a default value when nothing matches or publishes "
            "per-dimension metrics, never both. The provider accepts both in one "
            "`metric_transformation`; CloudWatch Logs rejects the filter."
        ),
        fix="Remove default_value (dimensioned metrics have no default) or the dimensions.",
        failing={
            **_METRIC_FILTER,
            "metric_transformation": [
                {
                    "name": "Errors",
                    "namespace": "CatalogApi",
                    "value": "1",
                    "default_value": "0",
                    "dimensions": {"Service": "$.service"},
                }
            ],
        },
        passing={
            **_METRIC_FILTER,
            "metric_transformation": [
                {
                    "name": "Errors",
                    "namespace": "CatalogApi",
                    "value": "1",
                    "dimensions": {"Service": "$.service"},
                }
            ],
        },
    ),
)
