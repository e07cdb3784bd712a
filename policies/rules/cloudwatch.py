"""CloudWatch metric alarms AWS rejects."""

from __future__ import annotations

from typing import Any

from policies.toolkit.rows import Row, less_than, register

ALARM = "aws_cloudwatch_metric_alarm"
_ALARM: dict[str, Any] = {
    "alarm_name": "catalog-api-5xx",
    "comparison_operator": "GreaterThanThreshold",
    "metric_name": "HTTPCode_Target_5XX_Count",
    "namespace": "AWS/ApplicationELB",
    "period": 60,
    "statistic": "Sum",
    "threshold": 10,
}


register(
    Row(
        id="AT125",
        title="CloudWatch alarm datapoints_to_alarm above evaluation_periods",
        service="cloudwatch",
        failure_class="value-combination",
        resource_types=(ALARM,),
        predicate=less_than("datapoints_to_alarm", "evaluation_periods", or_equal=True),
        error="ValidationError: DatapointsToAlarm must be less than or equal to EvaluationPeriods",
        source="https://github.com/hashicorp/terraform/issues/24070",
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation",
        ),
        why=(
            'An "M out of N" alarm fires when M (`datapoints_to_alarm`) of the last N '
            "(`evaluation_periods`) data points breach, so M cannot exceed N. The provider "
            "checks each value's minimum only; CloudWatch rejects the alarm."
        ),
        fix="Set datapoints_to_alarm <= evaluation_periods.",
        failing={**_ALARM, "evaluation_periods": 1, "datapoints_to_alarm": 3},
        passing={**_ALARM, "evaluation_periods": 5, "datapoints_to_alarm": 3},
    ),
)
