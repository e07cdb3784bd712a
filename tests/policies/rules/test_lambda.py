"""Rules of policies/rules/lambda: table-driven passing, failing and unknown cases."""

from __future__ import annotations

from dataclasses import replace

import pytest

from policies.model import UNKNOWN, Severity

E, W = Severity.ERROR, Severity.WARNING


def queue_and_function(k, *, visibility, timeout):
    queue = {} if visibility is None else {"visibility_timeout_seconds": visibility}
    function = (
        {"function_name": "worker"}
        if timeout is None
        else {"function_name": "worker", "timeout": timeout}
    )
    return k.document(
        k.resource(
            "aws_lambda_event_source_mapping",
            values={"event_source_arn": UNKNOWN, "function_name": UNKNOWN},
            references={
                "event_source_arn": "aws_sqs_queue.q",
                "function_name": "aws_lambda_function.f",
            },
        ),
        k.resource("aws_sqs_queue", "q", values={"name": "jobs", **queue}),
        k.resource("aws_lambda_function", "f", values=function),
    )


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        # AT213 SQS visibility vs Lambda timeout
        pytest.param(
            "AT213",
            lambda k: queue_and_function(k, visibility=360, timeout=60),
            [],
            id="AT213-pass",
        ),
        pytest.param(
            "AT213",
            lambda k: queue_and_function(k, visibility=None, timeout=60),
            [(E, "Queue visibility timeout: 30 seconds is less than Function timeout: 60")],
            id="AT213-fail-default-visibility",
        ),
        pytest.param(
            "AT213",
            lambda k: queue_and_function(k, visibility=2, timeout=None),
            [(E, "2 seconds is less than Function timeout: 3 seconds")],
            id="AT213-fail-default-timeout",
        ),
        pytest.param(
            "AT213",
            lambda k: queue_and_function(k, visibility=UNKNOWN, timeout=60),
            [],
            id="AT213-unknown",
        ),
    ],
)
def test_relation_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)


# -- AT322: starting_position vs source --------------------------------------------------------


def mapping(k, target_type, position, *, template="${%s.this.arn}", literal=None):
    values = {"function_name": "worker"}
    if position is not None:
        values["starting_position"] = position
    references, templates = {}, {}
    if literal is not None:
        values["event_source_arn"] = literal
    else:
        values["event_source_arn"] = UNKNOWN
        references["event_source_arn"] = f"{target_type}.this"
        templates["event_source_arn"] = template % target_type
    source = k.resource(target_type, values={"name": "src"})
    resource = k.resource("aws_lambda_event_source_mapping", values=values, references=references)
    resource = replace(resource, templates=templates)
    return k.document(resource, source)


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: mapping(k, "aws_sqs_queue", "LATEST"),
            [(E, "StartingPosition is not valid for SQS")],
            id="AT322-fail-sqs-with-position",
        ),
        pytest.param(
            lambda k: mapping(k, "aws_kinesis_stream", None),
            [(E, "Kinesis source")],
            id="AT322-fail-kinesis-without-position",
        ),
        pytest.param(
            lambda k: mapping(k, "aws_dynamodb_table", None, template="${%s.this.stream_arn}"),
            [(E, "DynamoDB Streams source")],
            id="AT322-fail-dynamodb-stream-without-position",
        ),
        pytest.param(
            lambda k: mapping(
                k, "aws_sqs_queue", "TRIM_HORIZON", literal="arn:aws:sqs:eu-north-1:1:jobs"
            ),
            [(E, "SQS")],
            id="AT322-fail-literal-sqs-arn",
        ),
        pytest.param(lambda k: mapping(k, "aws_sqs_queue", None), [], id="AT322-pass-sqs"),
        pytest.param(
            lambda k: mapping(k, "aws_kinesis_stream", "LATEST"), [], id="AT322-pass-kinesis"
        ),
        pytest.param(
            lambda k: mapping(k, "aws_sqs_queue", UNKNOWN), [], id="AT322-unknown-position"
        ),
        pytest.param(
            lambda k: mapping(k, "aws_sqs_queue", "LATEST", literal=UNKNOWN),
            [],
            id="AT322-unknown-source",
        ),
        pytest.param(
            lambda k: mapping(k, "aws_dynamodb_table", None, template="${%s.this.arn}"),
            [],
            id="AT322-pass-table-arn-is-not-a-stream",
        ),
    ],
)
def test_event_source_starting_position(kit, build, expected):
    kit.expect("AT322", build(kit), expected)


# -- AT327 / AT328: FIFO queues as Lambda and EventBridge sources/targets -----------------------


def fifo_mapping(k, window, *, fifo=True, literal=None):
    values = {"function_name": "worker"}
    if window is not None:
        values["maximum_batching_window_in_seconds"] = window
    references = {}
    if literal is None:
        values["event_source_arn"] = UNKNOWN
        references["event_source_arn"] = "aws_sqs_queue.q"
    else:
        values["event_source_arn"] = literal
    queue = {"name": UNKNOWN} if fifo is UNKNOWN else {"name": "q", "fifo_queue": fifo}
    return k.document(
        k.resource("aws_lambda_event_source_mapping", values=values, references=references),
        k.resource("aws_sqs_queue", "q", values=queue),
    )


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: fifo_mapping(k, 5), [(E, "Batching window is not supported")], id="AT327-fail"
        ),
        pytest.param(
            lambda k: fifo_mapping(k, 5, literal="arn:aws:sqs:eu-north-1:1:orders.fifo"),
            [(E, "FIFO")],
            id="AT327-fail-literal-arn",
        ),
        pytest.param(lambda k: fifo_mapping(k, None), [], id="AT327-pass-no-window"),
        pytest.param(lambda k: fifo_mapping(k, 0), [], id="AT327-pass-zero"),
        pytest.param(lambda k: fifo_mapping(k, 5, fifo=False), [], id="AT327-pass-standard"),
        pytest.param(lambda k: fifo_mapping(k, UNKNOWN), [], id="AT327-unknown-window"),
        pytest.param(lambda k: fifo_mapping(k, 5, fifo=UNKNOWN), [], id="AT327-unknown-queue"),
    ],
)
def test_fifo_batching_window(kit, build, expected):
    kit.expect("AT327", build(kit), expected)
