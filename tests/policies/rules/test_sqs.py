"""Rules of policies/rules/sqs: table-driven passing, failing and unknown cases."""

from __future__ import annotations

import json

import pytest

from policies.model import UNKNOWN, Severity

E, W = Severity.ERROR, Severity.WARNING


# -- AT321: dead-letter queue type -------------------------------------------------------------


def queues(k, *, source_fifo, dlq_fifo, literal=None):
    source_values = {"name": "jobs.fifo" if source_fifo else "jobs"}
    if source_fifo is not None:
        source_values["fifo_queue"] = source_fifo
    references = {}
    if literal is None:
        source_values["redrive_policy"] = UNKNOWN
        references["redrive_policy"] = "aws_sqs_queue.dlq"
    else:
        source_values["redrive_policy"] = json.dumps(
            {"deadLetterTargetArn": literal, "maxReceiveCount": 5}
        )
    dlq_values = (
        {"name": UNKNOWN} if dlq_fifo is UNKNOWN else {"name": "dlq", "fifo_queue": dlq_fifo}
    )
    return k.document(
        k.resource("aws_sqs_queue", "jobs", values=source_values, references=references),
        k.resource("aws_sqs_queue", "dlq", values=dlq_values),
    )


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: queues(k, source_fifo=True, dlq_fifo=False),
            [(E, "names the standard queue aws_sqs_queue.dlq")],
            id="AT321-fail-fifo-to-standard",
        ),
        pytest.param(
            lambda k: queues(k, source_fifo=False, dlq_fifo=True),
            [(E, "Dead-letter queue must be same type")],
            id="AT321-fail-standard-to-fifo",
        ),
        pytest.param(
            lambda k: queues(
                k,
                source_fifo=True,
                dlq_fifo=None,
                literal="arn:aws:sqs:eu-north-1:123456789012:jobs-dlq",
            ),
            [(E, "jobs-dlq")],
            id="AT321-fail-literal-arn",
        ),
        pytest.param(
            lambda k: queues(k, source_fifo=True, dlq_fifo=True), [], id="AT321-pass-both-fifo"
        ),
        pytest.param(
            lambda k: queues(
                k,
                source_fifo=False,
                dlq_fifo=None,
                literal="arn:aws:sqs:eu-north-1:123456789012:jobs-dlq",
            ),
            [],
            id="AT321-pass-literal-standard",
        ),
        pytest.param(
            lambda k: queues(k, source_fifo=True, dlq_fifo=UNKNOWN), [], id="AT321-unknown-dlq"
        ),
        pytest.param(
            lambda k: k.document(
                k.resource(
                    "aws_sqs_queue",
                    "jobs",
                    values={"name": "jobs.fifo", "fifo_queue": UNKNOWN, "redrive_policy": "{}"},
                )
            ),
            [],
            id="AT321-unknown-source",
        ),
    ],
)
def test_dead_letter_queue_type(kit, build, expected):
    kit.expect("AT321", build(kit), expected)


def test_redrive_policy_resource_is_followed(kit):
    document = kit.document(
        kit.resource("aws_sqs_queue", "jobs", values={"name": "jobs.fifo", "fifo_queue": True}),
        kit.resource("aws_sqs_queue", "dlq", values={"name": "dlq"}),
        kit.resource(
            "aws_sqs_queue_redrive_policy",
            values={"queue_url": UNKNOWN, "redrive_policy": UNKNOWN},
            references={"queue_url": "aws_sqs_queue.jobs", "redrive_policy": "aws_sqs_queue.dlq"},
        ),
    )
    kit.expect("AT321", document, [(E, "FIFO queue aws_sqs_queue.jobs")])
