"""Rules of policies/rules/events: table-driven passing, failing and unknown cases."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity

E, W = Severity.ERROR, Severity.WARNING


def fifo_target(k, sqs_target, *, fifo=True, literal=None):
    values = {"rule": "orders"}
    if sqs_target is not None:
        values["sqs_target"] = sqs_target
    references = {}
    if literal is None:
        values["arn"] = UNKNOWN
        references["arn"] = "aws_sqs_queue.q"
    else:
        values["arn"] = literal
    queue = {"name": UNKNOWN} if fifo is UNKNOWN else {"name": "q", "fifo_queue": fifo}
    return k.document(
        k.resource("aws_cloudwatch_event_target", values=values, references=references),
        k.resource("aws_sqs_queue", "q", values=queue),
    )


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(lambda k: fifo_target(k, None), [(E, "MessageGroupId")], id="AT328-fail"),
        pytest.param(
            lambda k: fifo_target(k, None, literal="arn:aws:sqs:eu-north-1:1:orders.fifo"),
            [(E, "a FIFO queue")],
            id="AT328-fail-literal-arn",
        ),
        pytest.param(
            lambda k: fifo_target(k, [{"message_group_id": "orders"}]), [], id="AT328-pass"
        ),
        pytest.param(lambda k: fifo_target(k, None, fifo=False), [], id="AT328-pass-standard"),
        pytest.param(
            lambda k: fifo_target(k, [{"message_group_id": UNKNOWN}]),
            [],
            id="AT328-unknown-group",
        ),
        pytest.param(lambda k: fifo_target(k, None, fifo=UNKNOWN), [], id="AT328-unknown-queue"),
    ],
)
def test_fifo_target_without_group(kit, build, expected):
    kit.expect("AT328", build(kit), expected)
