"""Rules of policies/rules/sns: table-driven passing, failing and unknown cases."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity

E, W = Severity.ERROR, Severity.WARNING


# -- AT330: SNS subscriptions ---------------------------------------------------------------------


def subscription(k, protocol, *, topic_fifo, queue_fifo=False, literal_topic=None):
    values = {"protocol": protocol, "endpoint": UNKNOWN}
    references = {"endpoint": "aws_sqs_queue.q"}
    if literal_topic is None:
        values["topic_arn"] = UNKNOWN
        references["topic_arn"] = "aws_sns_topic.t"
    else:
        values["topic_arn"] = literal_topic
    topic = {"name": UNKNOWN} if topic_fifo is UNKNOWN else {"name": "t", "fifo_topic": topic_fifo}
    return k.document(
        k.resource("aws_sns_topic_subscription", values=values, references=references),
        k.resource("aws_sns_topic", "t", values=topic),
        k.resource("aws_sqs_queue", "q", values={"name": "q", "fifo_queue": queue_fifo}),
    )


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: subscription(k, "email", topic_fifo=True),
            [(E, "Invalid protocol type: email")],
            id="AT330-fail-email-on-fifo-topic",
        ),
        pytest.param(
            lambda k: subscription(k, "sqs", topic_fifo=False, queue_fifo=True),
            [(E, "FIFO queue aws_sqs_queue.q to the standard topic")],
            id="AT330-fail-fifo-queue-on-standard-topic",
        ),
        pytest.param(
            lambda k: subscription(
                k, "lambda", topic_fifo=None, literal_topic="arn:aws:sns:eu-north-1:1:o.fifo"
            ),
            [(E, "lambda")],
            id="AT330-fail-literal-fifo-topic",
        ),
        pytest.param(
            lambda k: subscription(k, "sqs", topic_fifo=True, queue_fifo=True),
            [],
            id="AT330-pass-fifo-to-fifo",
        ),
        pytest.param(
            lambda k: subscription(k, "sqs", topic_fifo=True, queue_fifo=False),
            [],
            id="AT330-pass-fifo-topic-to-standard-queue",
        ),
        pytest.param(
            lambda k: subscription(k, "email", topic_fifo=False), [], id="AT330-pass-standard"
        ),
        pytest.param(
            lambda k: subscription(k, "email", topic_fifo=UNKNOWN), [], id="AT330-unknown-topic"
        ),
    ],
)
def test_subscription_fits_topic(kit, build, expected):
    kit.expect("AT330", build(kit), expected)
