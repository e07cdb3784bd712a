"""SNS topics and subscriptions AWS rejects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from policies.model import Document, Resource, Severity, Violation
from policies.registry import rule
from policies.toolkit.rows import Block, Row, custom, register
from policies.toolkit.values import creates_or_updates, is_fifo, read, text

SUBSCRIPTION = "aws_sns_topic_subscription"


def _subscription_redrive_receive_count(block: Block) -> str | None:
    raw = read(block, "redrive_policy")
    if not isinstance(raw, str):
        return None
    try:
        policy = json.loads(raw)
    except ValueError:
        return None  # invalid JSON is the provider's to reject
    if isinstance(policy, dict) and "maxReceiveCount" in policy:
        return "redrive_policy sets maxReceiveCount, which only SQS queue redrive policies have"
    return None


_SUBSCRIPTION: dict[str, Any] = {
    "topic_arn": "arn:aws:sns:eu-north-1:123456789012:catalog-events",
    "protocol": "sqs",
    "endpoint": "arn:aws:sqs:eu-north-1:123456789012:catalog-events",
}


register(
    Row(
        id="AT132",
        title="SNS subscription redrive policy with an SQS-only maxReceiveCount",
        service="sns",
        failure_class="invalid-value",
        resource_types=(SUBSCRIPTION,),
        predicate=custom(_subscription_redrive_receive_count),
        error=(
            "InvalidParameter: Invalid parameter: Attributes Reason: RedrivePolicy: invalid "
            "JSON. Attribute maxReceiveCount is unknown."
        ),
        source="https://github.com/cloudposse/terraform-aws-sns-topic/issues/48",
        extra_sources=(
            "https://github.com/ministryofjustice/cloud-platform-environments/pull/11520",
            "https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html",
        ),
        why=(
            "An SNS subscription's redrive policy names only the dead-letter queue "
            "(`deadLetterTargetArn`); SNS retries on its own schedule. Copying an SQS redrive "
            "policy with `maxReceiveCount` passes the provider's JSON check and SNS rejects "
            "the subscription."
        ),
        fix='Use {"deadLetterTargetArn": "<queue ARN>"} only; set retries in the delivery policy.',
        failing={
            **_SUBSCRIPTION,
            "redrive_policy": json.dumps(
                {
                    "deadLetterTargetArn": "arn:aws:sqs:eu-north-1:123456789012:catalog-events-dlq",
                    "maxReceiveCount": 5,
                }
            ),
        },
        passing={
            **_SUBSCRIPTION,
            "redrive_policy": json.dumps(
                {"deadLetterTargetArn": "arn:aws:sqs:eu-north-1:123456789012:catalog-events-dlq"}
            ),
        },
    ),
)
QUEUE = "aws_sqs_queue"


# -- AT330: SNS subscriptions that do not fit the topic type -----------------------------------

TOPIC = "aws_sns_topic"


def _linked_fifo(
    document: Document, resource: Resource, path: str, type_: str, service: str
) -> tuple[str, bool | None]:
    """(what it is called, whether it is FIFO) for the topic or queue at ``path``."""
    address = resource.reference(path)
    if address is not None:
        target = document.resource(address)
        if target is None or target.type != type_:
            return "", None
        return target.address, is_fifo(target, "fifo_topic" if type_ == TOPIC else "fifo_queue")
    arn = text(resource.values.get(path))
    if arn is None or f":{service}:" not in arn:
        return "", None
    return arn.rsplit(":", 1)[-1], arn.endswith(".fifo")


@rule(
    id="AT330",
    title="SNS subscription a FIFO or standard topic does not accept (protocol, queue type)",
    severity=Severity.ERROR,
    resource_types=(SUBSCRIPTION, TOPIC, QUEUE),
    service="sns",
    failure_class="cross-resource",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/38441",
)
def subscription_fits_topic(document: Document) -> Iterator[Violation]:
    for subscription in document.of_type(SUBSCRIPTION):
        if not creates_or_updates(subscription):
            continue
        protocol = subscription.values.get("protocol")
        if not isinstance(protocol, str) or not protocol:
            continue
        topic_name, topic_fifo = _linked_fifo(document, subscription, "topic_arn", TOPIC, "sns")
        if topic_fifo is None:
            continue
        if topic_fifo and protocol != "sqs":
            yield Violation(
                address=subscription.address,
                resource=subscription,
                message=(
                    f"subscribes protocol {protocol} to the FIFO topic {topic_name}; FIFO topics "
                    "deliver only to SQS queues, and SNS rejects the subscription "
                    f"(InvalidParameter: Invalid parameter: Invalid protocol type: {protocol}); "
                    "subscribe an SQS queue (and fan out from it), or use a standard topic"
                ),
            )
        elif not topic_fifo and protocol == "sqs":
            queue_name, queue_fifo = _linked_fifo(document, subscription, "endpoint", QUEUE, "sqs")
            if queue_fifo is True:
                yield Violation(
                    address=subscription.address,
                    resource=subscription,
                    message=(
                        f"subscribes the FIFO queue {queue_name} to the standard topic "
                        f"{topic_name}; a FIFO queue accepts messages only from a FIFO topic, "
                        "and SNS rejects the subscription (InvalidParameter); make the topic "
                        'FIFO (fifo_topic = true, name ending ".fifo") or the queue standard'
                    ),
                )
