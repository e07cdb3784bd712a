"""EventBridge rules and targets AWS rejects: schedule expressions, custom buses, FIFO targets."""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import UNKNOWN, Document, Severity, Violation
from policies.registry import rule
from policies.toolkit.rows import Block, Row, custom, matches, register
from policies.toolkit.schedules import schedule_problem
from policies.toolkit.values import blocks, creates_or_updates, is_fifo, read, text

EVENT_RULE = "aws_cloudwatch_event_rule"


def _event_rule_schedule(value: str) -> str | None:
    return schedule_problem(value, allow_at=False)


register(
    Row(
        id="AT126",
        title="EventBridge rule schedule_expression AWS does not parse",
        service="events",
        failure_class="invalid-value",
        resource_types=(EVENT_RULE,),
        predicate=matches("schedule_expression", _event_rule_schedule),
        error="ValidationException: Parameter ScheduleExpression is not valid.",
        source="https://github.com/cds-snc/notification-terraform/pull/344",
        extra_sources=(
            "https://github.com/winglang/wing/issues/7115",
            "https://github.com/aws/aws-cdk/issues/32753",
            "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html",
        ),
        why=(
            "EventBridge cron has six fields (minutes hours day-of-month month day-of-week "
            "year), not Unix cron's five, and exactly one of day-of-month and day-of-week must "
            "be `?`; `rate()` wants a singular unit for 1 (`rate(1 minute)`) and a plural one "
            "above. The provider checks only the length, so a Unix-style `cron(0 12 * * *)` "
            "fails when the rule is created."
        ),
        fix=(
            "Use six cron fields with one '?' (cron(0 12 * * ? *)), or rate(1 minute) / rate(5 "
            "minutes)."
        ),
        failing={"name": "catalog-api-nightly", "schedule_expression": "cron(0 12 * * *)"},
        passing={"name": "catalog-api-nightly", "schedule_expression": "cron(0 12 * * ? *)"},
        more_failing=(
            {"name": "catalog-api-poll", "schedule_expression": "rate(1 minutes)"},
            {"name": "catalog-api-poll", "schedule_expression": "cron(*/60 * * * ? *)"},
            {"name": "catalog-api-poll", "schedule_expression": "cron(0 12 * * MON *)"},
        ),
        more_passing=(
            {"name": "catalog-api-poll", "schedule_expression": "rate(5 minutes)"},
            {"name": "catalog-api-poll", "schedule_expression": "cron(0/15 8-18 ? * MON-FRI *)"},
        ),
    ),
)


# -- EventBridge -------------------------------------------------------------------------------


def _schedule_on_custom_bus(block: Block) -> str | None:
    schedule = read(block, "schedule_expression")
    bus = read(block, "event_bus_name", "default")
    if not isinstance(schedule, str) or not isinstance(bus, str) or "${" in bus:
        return None
    name = bus.rsplit("/", 1)[-1] if bus.startswith("arn:") else bus
    if name == "default":
        return None
    return f"sets schedule_expression on the custom event bus {name}"


register(
    Row(
        id="AT305",
        title="EventBridge scheduled rule on a custom event bus",
        service="events",
        failure_class="value-combination",
        resource_types=(EVENT_RULE,),
        predicate=custom(_schedule_on_custom_bus),
        error="ValidationException: ScheduleExpression is supported only on the default event bus.",
        source="https://github.com/aws-controllers-k8s/community/issues/1984",
        extra_sources=(
            "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html",
            "https://github.com/anomalyco/sst/issues/1629",
        ),
        why=(
            "Scheduled rules only run on the account's default event bus; a rule on a custom "
            "bus must match an event pattern. The provider accepts `schedule_expression` "
            "together with any `event_bus_name`, and PutRule fails at apply."
        ),
        fix=(
            "Put the scheduled rule on the default bus (omit event_bus_name), or use "
            "aws_scheduler_schedule."
        ),
        failing={
            "name": "catalog-api-nightly",
            "event_bus_name": "catalog-events",
            "schedule_expression": "rate(1 day)",
        },
        passing={
            "name": "catalog-api-nightly",
            "event_bus_name": "default",
            "schedule_expression": "rate(1 day)",
        },
    ),
)
QUEUE = "aws_sqs_queue"


# -- AT328: EventBridge target on a FIFO queue without a message group -------------------------

EVENT_TARGET = "aws_cloudwatch_event_target"


@rule(
    id="AT328",
    title="EventBridge target on a FIFO queue without sqs_target.message_group_id",
    severity=Severity.ERROR,
    resource_types=(EVENT_TARGET, QUEUE),
    service="events",
    failure_class="cross-resource",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/29079",
)
def fifo_target_without_group(document: Document) -> Iterator[Violation]:
    for target in document.of_type(EVENT_TARGET):
        if not creates_or_updates(target):
            continue
        queue, fifo = None, None
        address = target.reference("arn")
        if address is not None:
            queue = document.resource(address)
            if queue is None or queue.type != QUEUE:
                continue
            fifo = is_fifo(queue, "fifo_queue")
        else:
            arn = text(target.values.get("arn"))
            if arn is not None and ":sqs:" in arn:
                fifo = arn.endswith(".fifo")
        if fifo is not True:
            continue
        raw = target.values.get("sqs_target")
        if raw is UNKNOWN:
            continue
        groups = [block.get("message_group_id") for _, block in blocks(target.values, "sqs_target")]
        if any(g is UNKNOWN or text(g) for g in groups):
            continue
        where = queue.address if queue is not None else "a FIFO queue"
        yield Violation(
            address=target.address,
            resource=target,
            message=(
                f"sends to {where} without sqs_target.message_group_id; EventBridge needs "
                "SqsParameters.MessageGroupId for a FIFO queue target and rejects the target "
                "(or, where a target was accepted, every delivery fails: The request must "
                "contain the parameter MessageGroupId); add sqs_target { message_group_id = ... }"
            ),
        )
