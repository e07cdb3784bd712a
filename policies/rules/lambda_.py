"""Lambda functions and event source mappings AWS rejects, and the queues that trigger them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from policies.model import UNKNOWN, Document, Resource, Severity, Violation
from policies.registry import rule
from policies.toolkit.links import link_by_last_segment
from policies.toolkit.rows import Block, Row, custom, forbidden, forbidden_keys, register
from policies.toolkit.values import creates_or_updates, is_fifo, number, read, text

QUEUE = "aws_sqs_queue"
FUNCTION = "aws_lambda_function"
MAPPING = "aws_lambda_event_source_mapping"
# Documented defaults: SQS VisibilityTimeout 30 s, Lambda Timeout 3 s.
QUEUE_DEFAULT_VISIBILITY = 30
FUNCTION_DEFAULT_TIMEOUT = 3


@rule(
    id="AT213",
    service="lambda",
    failure_class="cross-resource",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/18099",
    title="SQS queue visibility timeout shorter than the timeout of the Lambda it triggers",
    severity=Severity.ERROR,
    resource_types=(MAPPING, QUEUE, FUNCTION),
)
def queue_visibility_timeout(document: Document) -> Iterator[Violation]:
    for mapping in document.of_type(MAPPING):
        queue = link_by_last_segment(document, mapping, "event_source_arn", QUEUE, "name")
        function = link_by_last_segment(
            document, mapping, "function_name", FUNCTION, "function_name"
        )
        if queue is None or function is None:
            continue
        visibility_raw = queue.values.get("visibility_timeout_seconds")
        timeout_raw = function.values.get("timeout")
        if visibility_raw is UNKNOWN or timeout_raw is UNKNOWN:
            continue
        visibility = (
            QUEUE_DEFAULT_VISIBILITY
            if visibility_raw is None
            else number(visibility_raw, whole=True)
        )
        timeout = (
            FUNCTION_DEFAULT_TIMEOUT if timeout_raw is None else number(timeout_raw, whole=True)
        )
        if visibility is None or timeout is None or visibility >= timeout:
            continue
        yield Violation(
            address=mapping.address,
            resource=mapping,
            message=(
                f"{queue.address} has a visibility timeout of {visibility} s, shorter than "
                f"{function.address}'s timeout of {timeout} s; Lambda rejects the mapping "
                f"(InvalidParameterValueException: Queue visibility timeout: {visibility} "
                f"seconds is less than Function timeout: {timeout} seconds); AWS recommends "
                "at least six times the function timeout"
            ),
        )


EVENT_SOURCE_MAPPING = "aws_lambda_event_source_mapping"
ROLE_ARN = "arn:aws:iam::123456789012:role/catalog-api-lambda"

# "Defined runtime environment variables" marked reserved in the Lambda developer guide; Lambda
# rejects a function that sets any of them. (LANG, PATH, TZ, NODE_PATH, ... may be set.)
LAMBDA_RESERVED_KEYS = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_DEFAULT_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_LAMBDA_RUNTIME_API",
        "AWS_REGION",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "LAMBDA_RUNTIME_DIR",
        "LAMBDA_TASK_ROOT",
    }
)

_ZIP_FUNCTION: dict[str, Any] = {
    "function_name": "catalog-api-worker",
    "role": ROLE_ARN,
    "s3_bucket": "catalog-api-artifacts",
    "s3_key": "worker.zip",
    "runtime": "python3.12",
    "handler": "app.handler",
}
_IMAGE_FUNCTION: dict[str, Any] = {
    "function_name": "catalog-api-worker",
    "role": ROLE_ARN,
    "package_type": "Image",
    "image_uri": "123456789012.dkr.ecr.eu-north-1.amazonaws.com/worker:1.4.2",
}


RUNTIMES_FILE = Path(__file__).resolve().parent.parent / "data" / "lambda_deprecated_runtimes.json"


@cache
def deprecated_runtimes() -> Mapping[str, Mapping[str, str]]:
    """runtime -> {"deprecated": date, "source": url}, read once per process."""
    return json.loads(RUNTIMES_FILE.read_text(encoding="utf-8"))["runtimes"]


def _deprecated_runtime(block: Block) -> str | None:
    if read(block, "package_type", "Zip") != "Zip":
        return None
    runtime = read(block, "runtime")
    if not isinstance(runtime, str):
        return None
    entry = deprecated_runtimes().get(runtime)
    if entry is None:
        return None
    return (
        f"runtime {runtime} was deprecated on {entry['deprecated']} ({entry['source']}); "
        "Lambda stops accepting new functions on it after that, by a delay that varies by region"
    )


def _sqs_batch_without_window(block: Block) -> str | None:
    """SQS standard queues take batches above 10 only with a batching window."""
    source = read(block, "event_source_arn")
    batch = number(read(block, "batch_size"), whole=True)
    window = number(read(block, "maximum_batching_window_in_seconds", 0), whole=True)
    if not isinstance(source, str) or ":sqs:" not in source or source.endswith(".fifo"):
        return None  # FIFO queues cap batch_size at 10, which the provider does not check either
    if batch is None or window is None or batch <= 10 or window > 0:
        return None
    return f"reads SQS batches of {batch} without maximum_batching_window_in_seconds"


_MAPPING: dict[str, Any] = {
    "event_source_arn": "arn:aws:sqs:eu-north-1:123456789012:catalog-api-jobs",
    "function_name": "catalog-api-worker",
}

register(
    Row(
        id="AT110",
        title="Lambda environment sets a reserved variable (AWS_REGION, AWS_ACCESS_KEY_ID, ...)",
        service="lambda",
        failure_class="invalid-value",
        resource_types=(FUNCTION,),
        predicate=forbidden_keys(
            "environment.variables", LAMBDA_RESERVED_KEYS, describe="keys Lambda reserves"
        ),
        error=(
            "InvalidParameterValueException: Lambda was unable to configure your environment "
            "variables because the environment variables you have provided contains reserved "
            "keys that are currently not supported for modification. Reserved keys used in this "
            "request: AWS_REGION"
        ),
        source="https://github.com/cds-snc/notification-terraform/pull/419",
        extra_sources=(
            "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime",
            "https://github.com/aws/aws-cdk/pull/28048",
        ),
        why=(
            "Lambda sets `AWS_REGION`, `AWS_DEFAULT_REGION`, the credential variables and the "
            "`AWS_LAMBDA_*` / `LAMBDA_*` runtime variables itself and refuses a function that "
            "sets any of them. The provider checks only the key syntax, so the function fails "
            "at create. The region is already there: read `AWS_REGION` at run time."
        ),
        fix=(
            "Remove the reserved keys (the runtime provides them) or rename yours, e.g. APP_REGION."
        ),
        failing={
            **_ZIP_FUNCTION,
            "environment": [{"variables": {"AWS_REGION": "eu-north-1", "TABLE": "orders"}}],
        },
        passing={
            **_ZIP_FUNCTION,
            "environment": [{"variables": {"APP_REGION": "eu-north-1", "TABLE": "orders"}}],
        },
        more_failing=(
            {**_ZIP_FUNCTION, "environment": [{"variables": {"AWS_ACCESS_KEY_ID": "x"}}]},
        ),
        more_passing=(
            {**_ZIP_FUNCTION, "environment": [{"variables": {"TZ": "UTC", "PATH": "/opt/bin"}}]},
        ),
    ),
    Row(
        id="AT111",
        title="Lambda container image function with layers",
        service="lambda",
        failure_class="value-combination",
        resource_types=(FUNCTION,),
        predicate=forbidden("layers", when={"package_type": {"Image"}}),
        error=(
            "InvalidParameterValueException: Please don't provide Handler or Runtime or Layer "
            "when the intended function PackageType is Image."
        ),
        source="https://github.com/pulumi/pulumi-aws/issues/5439",
        extra_sources=(
            "https://github.com/aws/serverless-application-model/issues/1890",
            "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
        ),
        why=(
            "Layers exist for .zip functions; a container image brings its own file system. The "
            "provider drops `handler` and `runtime` for image functions but still sends "
            "`layers`, and Lambda rejects the function at create."
        ),
        fix="Copy the layer's content into the image (COPY in the Dockerfile) and remove layers.",
        failing={
            **_IMAGE_FUNCTION,
            "layers": ["arn:aws:lambda:eu-north-1:123456789012:layer:otel:3"],
        },
        passing=_IMAGE_FUNCTION,
        more_passing=(
            {**_ZIP_FUNCTION, "layers": ["arn:aws:lambda:eu-north-1:123456789012:layer:otel:3"]},
        ),
    ),
    Row(
        id="AT116",
        title="Lambda SQS event source with batch_size above 10 and no batching window",
        service="lambda",
        failure_class="value-combination",
        resource_types=(EVENT_SOURCE_MAPPING,),
        predicate=custom(_sqs_batch_without_window),
        error=(
            "InvalidParameterValueException: Maximum batch window in seconds must be greater "
            "than 0 if maximum batch size is greater than 10"
        ),
        source="https://github.com/ansible-collections/amazon.aws/issues/1995",
        extra_sources=(
            "https://github.com/serverless/serverless/issues/8989",
            "https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html",
        ),
        why=(
            "For a standard SQS queue, Lambda accepts `batch_size` up to 10 on its own and up "
            "to 10,000 only together with `maximum_batching_window_in_seconds` of at least 1. "
            "The provider checks neither, and the mapping fails at create."
        ),
        fix="Set maximum_batching_window_in_seconds (1-300) or keep batch_size at 10 or below.",
        failing={**_MAPPING, "batch_size": 100},
        passing={**_MAPPING, "batch_size": 100, "maximum_batching_window_in_seconds": 5},
        more_passing=({**_MAPPING, "batch_size": 10},),
    ),
    Row(
        id="AT117",
        title="Lambda function on a deprecated runtime",
        service="lambda",
        failure_class="offering",
        severity=Severity.WARNING,
        resource_types=(FUNCTION,),
        predicate=custom(_deprecated_runtime),
        error=(
            "InvalidParameterValueException: The runtime parameter of nodejs10.x is no longer "
            "supported for creating or updating AWS Lambda functions. We recommend you use the "
            "new runtime (nodejs14.x) while creating or updating functions."
        ),
        source="https://github.com/transcend-io/terraform-aws-lambda-at-edge/pull/18",
        extra_sources=(
            "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
            "https://aws.amazon.com/blogs/compute/managing-aws-lambda-runtime-upgrades/",
        ),
        why=(
            "The provider accepts every runtime identifier AWS ever had, including the "
            "deprecated ones; Lambda refuses to create (and later to update) functions on a "
            "runtime some time after its deprecation. The deprecated runtimes and their dates "
            "are in `policies/data/lambda_deprecated_runtimes.json`, compiled by hand from the "
            "AWS pages and error reports it cites (no live AWS call), so this is a warning: "
            "the exact cut-off varies by region."
        ),
        fix="Move to a supported runtime (e.g. nodejs22.x, python3.13, provided.al2023).",
        failing={**_ZIP_FUNCTION, "runtime": "nodejs14.x", "handler": "index.handler"},
        passing={**_ZIP_FUNCTION, "runtime": "nodejs22.x", "handler": "index.handler"},
        more_failing=({**_ZIP_FUNCTION, "runtime": "go1.x", "handler": "bootstrap"},),
    ),
)
STREAM = "aws_kinesis_stream"
TABLE = "aws_dynamodb_table"
MSK = "aws_msk_cluster"


# -- AT322: event source starting_position vs source type --------------------------------------

_ARN_SERVICE = re.compile(r"^arn:[\w-]+:(sqs|kinesis|dynamodb|kafka):")
_STREAMS = {"kinesis": "Kinesis", "dynamodb": "DynamoDB Streams", "kafka": "MSK"}


def _source_kind(document: Document, mapping: Resource) -> str | None:
    address = mapping.reference("event_source_arn")
    if address is not None:
        target = document.resource(address)
        if target is None:
            return None
        kinds = {QUEUE: "sqs", STREAM: "kinesis", MSK: "kafka"}
        if target.type in kinds:
            return kinds[target.type]
        template = mapping.templates.get("event_source_arn", "")
        if target.type == TABLE and template.endswith(".stream_arn}"):
            return "dynamodb"
        return None
    arn = text(mapping.values.get("event_source_arn"))
    if arn is None:
        return None
    match = _ARN_SERVICE.match(arn)
    if match is None:
        return None
    kind = match.group(1)
    if kind == "dynamodb" and "/stream/" not in arn:
        return None
    return kind


@rule(
    id="AT322",
    title="Lambda event source mapping with starting_position on SQS, or without it on a stream",
    severity=Severity.ERROR,
    resource_types=(MAPPING, QUEUE, STREAM, TABLE, MSK),
    service="lambda",
    failure_class="cross-resource",
    source="https://github.com/boto/boto3/issues/1613",
)
def event_source_starting_position(document: Document) -> Iterator[Violation]:
    for mapping in document.of_type(MAPPING):
        if not creates_or_updates(mapping):
            continue
        position = mapping.values.get("starting_position")
        if position is UNKNOWN:
            continue
        kind = _source_kind(document, mapping)
        if kind == "sqs" and text(position):
            yield Violation(
                address=mapping.address,
                resource=mapping,
                message=(
                    f"sets starting_position = {position} for an SQS queue; Lambda rejects it "
                    "(InvalidParameterValueException: StartingPosition is not valid for SQS "
                    "event sources.); remove starting_position"
                ),
            )
        elif kind in _STREAMS and not text(position):
            yield Violation(
                address=mapping.address,
                resource=mapping,
                message=(
                    f"does not set starting_position for a {_STREAMS[kind]} source; "
                    "CreateEventSourceMapping requires StartingPosition for Kinesis, DynamoDB "
                    "Streams and MSK and Lambda rejects the mapping "
                    "(InvalidParameterValueException); set starting_position = LATEST or "
                    "TRIM_HORIZON"
                ),
            )


# -- AT327: batching window on a FIFO queue ------------------------------------------------------


def _mapping_queue(document: Document, mapping: Resource) -> tuple[Resource | None, bool | None]:
    """(the source queue if in this configuration, whether it is FIFO) for an SQS mapping."""
    address = mapping.reference("event_source_arn")
    if address is not None:
        queue = document.resource(address)
        if queue is None or queue.type != QUEUE:
            return None, None
        return queue, is_fifo(queue, "fifo_queue")
    arn = text(mapping.values.get("event_source_arn"))
    if arn is None or not arn.startswith("arn:") or ":sqs:" not in arn:
        return None, None
    return None, arn.endswith(".fifo")


@rule(
    id="AT327",
    title="Lambda event source mapping with a batching window on a FIFO queue",
    severity=Severity.ERROR,
    resource_types=(MAPPING, QUEUE),
    service="lambda",
    failure_class="cross-resource",
    source="https://github.com/aws/aws-lambda-dotnet/pull/1758",
)
def fifo_batching_window(document: Document) -> Iterator[Violation]:
    for mapping in document.of_type(MAPPING):
        if not creates_or_updates(mapping):
            continue
        window = mapping.values.get("maximum_batching_window_in_seconds")
        if window is UNKNOWN or isinstance(window, bool) or not isinstance(window, int | float):
            continue
        if window <= 0:
            continue
        queue, fifo = _mapping_queue(document, mapping)
        if fifo is not True:
            continue
        where = queue.address if queue is not None else "its FIFO queue"
        yield Violation(
            address=mapping.address,
            resource=mapping,
            message=(
                f"sets maximum_batching_window_in_seconds = {window} for {where}, a FIFO "
                "queue; Lambda rejects it (InvalidParameterValueException: Batching window is "
                "not supported for FIFO queues); remove the batching window (FIFO mappings take "
                "batch_size up to 10)"
            ),
        )
