"""EventBridge Scheduler schedules AWS rejects."""

from __future__ import annotations

from typing import Any

from policies.toolkit.rows import Row, matches, register
from policies.toolkit.schedules import schedule_problem

SCHEDULE = "aws_scheduler_schedule"


def _scheduler_schedule(value: str) -> str | None:
    return schedule_problem(value, allow_at=True)


_SCHEDULE: dict[str, Any] = {
    "name": "catalog-api-nightly",
    "flexible_time_window": [{"mode": "OFF"}],
    "target": [
        {
            "arn": "arn:aws:sqs:eu-north-1:123456789012:catalog-api-jobs",
            "role_arn": "arn:aws:iam::123456789012:role/catalog-api-scheduler",
        }
    ],
}


register(
    Row(
        id="AT127",
        title="EventBridge Scheduler schedule_expression AWS does not parse",
        service="scheduler",
        failure_class="invalid-value",
        resource_types=(SCHEDULE,),
        predicate=matches("schedule_expression", _scheduler_schedule),
        error="ValidationException: Invalid Schedule Expression",
        source="https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html",
        extra_sources=("https://github.com/localstack/localstack/pull/12191",),
        why=(
            "EventBridge Scheduler takes `at(yyyy-mm-ddThh:mm:ss)`, `rate(value unit)` or a "
            "six-field `cron(...)` with the same rules as EventBridge rules (see AT126). The "
            "provider checks only that the string is not empty. The exact API message was not "
            "found in a public thread; the syntax is from the Scheduler user guide."
        ),
        fix="Use at(...), rate(1 hour) / rate(2 hours), or cron(0 3 * * ? *).",
        failing={**_SCHEDULE, "schedule_expression": "cron(0 3 * * *)"},
        passing={**_SCHEDULE, "schedule_expression": "cron(0 3 * * ? *)"},
        more_passing=({**_SCHEDULE, "schedule_expression": "at(2027-01-01T03:00:00)"},),
        more_failing=({**_SCHEDULE, "schedule_expression": "rate(1 hours)"},),
    ),
)
