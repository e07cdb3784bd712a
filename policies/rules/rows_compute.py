"""Table rows for compute: Lambda, ECS task definitions, EKS node groups, EC2 Auto Scaling.

Each row is one rule (see ``policies/rules/tables.py``); every failing example here passes
``terraform validate`` and ``terraform plan`` with the AWS provider and fails when AWS sees it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from policies.model import Severity
from policies.rules._helpers import number
from policies.rules.tables import (
    Block,
    Row,
    custom,
    forbidden,
    forbidden_keys,
    less_than,
    read,
    register,
)

FUNCTION = "aws_lambda_function"
EVENT_SOURCE_MAPPING = "aws_lambda_event_source_mapping"
TASK_DEFINITION = "aws_ecs_task_definition"
NODE_GROUP = "aws_eks_node_group"
ASG = "aws_autoscaling_group"
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


def _containers(block: Block) -> list[Mapping[str, Any]] | None:
    """The parsed container definitions, or None when they are not known JSON."""
    raw = read(block, "container_definitions")
    if not isinstance(raw, str):
        return None
    try:
        parsed = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(parsed, list) or not all(isinstance(c, Mapping) for c in parsed):
        return None
    return parsed


def _container_memory_above_task(block: Block) -> str | None:
    task_memory = number(read(block, "memory"))
    containers = _containers(block)
    if task_memory is None or containers is None:
        return None
    for container in containers:
        memory = container.get("memory")
        if isinstance(memory, int) and not isinstance(memory, bool) and memory > task_memory:
            name = container.get("name", "?")
            return (
                f"container '{name}' memory {memory} MiB is above the task memory {task_memory} MiB"
            )
    return None


def _port_mappings(containers: list[Mapping[str, Any]]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for container in containers:
        mappings = container.get("portMappings")
        if isinstance(mappings, list):
            for mapping in mappings:
                if isinstance(mapping, Mapping):
                    yield str(container.get("name", "?")), mapping


def _awsvpc_host_port(block: Block) -> str | None:
    if read(block, "network_mode") != "awsvpc":
        return None
    containers = _containers(block)
    if containers is None:
        return None
    for name, mapping in _port_mappings(containers):
        host, container_port = mapping.get("hostPort"), mapping.get("containerPort")
        if (
            isinstance(host, int)
            and isinstance(container_port, int)
            and host not in (0, container_port)
        ):
            return (
                f"container '{name}' maps hostPort {host} to containerPort {container_port} "
                "in awsvpc mode"
            )
    return None


def _container_definitions(*containers: Mapping[str, Any]) -> str:
    return json.dumps(list(containers), separators=(",", ":"))


_TASK: dict[str, Any] = {
    "family": "catalog-api",
    "network_mode": "awsvpc",
    "requires_compatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
}


def _scaling_order(desired: str) -> Any:
    """min <= desired <= max, checked pairwise so the message names the two that disagree."""
    checks = (
        less_than("min_size", "max_size", or_equal=True),
        less_than("min_size", desired, or_equal=True),
        less_than(desired, "max_size", or_equal=True),
    )

    def check(block: Block) -> str | None:
        return next((p for p in (c(block) for c in checks) if p), None)

    return check


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
    batch = number(read(block, "batch_size"))
    window = number(read(block, "maximum_batching_window_in_seconds", 0))
    if not isinstance(source, str) or ":sqs:" not in source or source.endswith(".fifo"):
        return None  # FIFO queues cap batch_size at 10, which the provider does not check either
    if batch is None or window is None or batch <= 10 or window > 0:
        return None
    return f"reads SQS batches of {batch} without maximum_batching_window_in_seconds"


_MAPPING: dict[str, Any] = {
    "event_source_arn": "arn:aws:sqs:eu-north-1:123456789012:catalog-api-jobs",
    "function_name": "catalog-api-worker",
}
_NODE_GROUP: dict[str, Any] = {
    "cluster_name": "catalog-api",
    "node_group_name": "default",
    "node_role_arn": "arn:aws:iam::123456789012:role/catalog-api-nodes",
    "subnet_ids": ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"],
}
_ASG: dict[str, Any] = {
    "name": "catalog-api-workers",
    "vpc_zone_identifier": ["subnet-0a1b2c3d4e5f60718"],
    "launch_template": [{"id": "lt-0a1b2c3d4e5f60718", "version": "$Latest"}],
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
        id="AT112",
        title="ECS container memory above the task memory",
        service="ecs",
        failure_class="value-combination",
        resource_types=(TASK_DEFINITION,),
        predicate=custom(_container_memory_above_task),
        error=(
            "ClientException: The 'memory' setting for container 'app' is greater than for the "
            "task."
        ),
        source="https://github.com/pulumi/pulumi-awsx/issues/188",
        extra_sources=(
            "https://github.com/pulumi/pulumi-awsx/issues/1220",
            "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
        ),
        why=(
            "A container's hard memory limit (`memory` in `container_definitions`) cannot exceed "
            "the task-level `memory`. Both are plain values to the provider (the container "
            "definitions are a JSON string), so the mismatch surfaces when ECS registers the "
            "task definition."
        ),
        fix="Raise the task memory (a size Fargate offers) or lower the container's memory.",
        failing={
            **_TASK,
            "container_definitions": _container_definitions(
                {"name": "app", "image": "nginx:1.27", "essential": True, "memory": 1024}
            ),
        },
        passing={
            **_TASK,
            "memory": "1024",
            "container_definitions": _container_definitions(
                {"name": "app", "image": "nginx:1.27", "essential": True, "memory": 1024}
            ),
        },
    ),
    Row(
        id="AT113",
        title="ECS awsvpc task maps a hostPort different from its containerPort",
        service="ecs",
        failure_class="value-combination",
        resource_types=(TASK_DEFINITION,),
        predicate=custom(_awsvpc_host_port),
        error=(
            "ClientException: When networkMode=awsvpc, the host ports and container ports in "
            "port mappings must match."
        ),
        source="https://github.com/pulumi/pulumi-awsx/issues/935",
        extra_sources=(
            "https://github.com/aws/amazon-ecs-cli/issues/1014",
            "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_portmappings",
        ),
        why=(
            "In `awsvpc` mode (all Fargate tasks) each task has its own network interface, so "
            "there is no host port to remap: `hostPort` must be omitted, 0 or equal to "
            "`containerPort`. ECS rejects anything else when it registers the task definition."
        ),
        fix=(
            "Drop hostPort (or set it to the containerPort); put the port change in the load "
            "balancer or security group."
        ),
        failing={
            **_TASK,
            "container_definitions": _container_definitions(
                {
                    "name": "app",
                    "image": "nginx:1.27",
                    "essential": True,
                    "portMappings": [{"containerPort": 80, "hostPort": 8080, "protocol": "tcp"}],
                }
            ),
        },
        passing={
            **_TASK,
            "container_definitions": _container_definitions(
                {
                    "name": "app",
                    "image": "nginx:1.27",
                    "essential": True,
                    "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                }
            ),
        },
    ),
    Row(
        id="AT114",
        title="EKS node group scaling_config outside min_size <= desired_size <= max_size",
        service="eks",
        failure_class="value-combination",
        resource_types=(NODE_GROUP,),
        scope=("scaling_config",),
        predicate=custom(_scaling_order("desired_size")),
        error="InvalidParameterException: Minimum capacity 3 can't be greater than desired size 2",
        source="https://github.com/wandb/terraform-aws-wandb/issues/201",
        extra_sources=(
            "https://github.com/sassoftware/viya4-iac-aws/issues/298",
            "https://github.com/ministryofjustice/cloud-platform-infrastructure/pull/4595",
        ),
        why=(
            "EKS requires `min_size <= desired_size <= max_size` in a managed node group's "
            "`scaling_config`. The provider checks each number's lower bound only; EKS rejects "
            "the node group at create or update (`minSize can't be greater than desiredSize`, "
            "`desiredSize can't be greater than maxSize`)."
        ),
        fix="Order the three sizes min <= desired <= max.",
        failing={
            **_NODE_GROUP,
            "scaling_config": [{"min_size": 3, "desired_size": 2, "max_size": 5}],
        },
        passing={
            **_NODE_GROUP,
            "scaling_config": [{"min_size": 2, "desired_size": 2, "max_size": 5}],
        },
        more_failing=(
            {**_NODE_GROUP, "scaling_config": [{"min_size": 1, "desired_size": 6, "max_size": 5}]},
        ),
    ),
    Row(
        id="AT115",
        title="Auto Scaling group outside min_size <= desired_capacity <= max_size",
        service="autoscaling",
        failure_class="value-combination",
        resource_types=(ASG,),
        predicate=custom(_scaling_order("desired_capacity")),
        error=(
            "ValidationError: Desired capacity:3 must be between the specified min size:1 and "
            "max size:1"
        ),
        source="https://github.com/hashicorp/terraform/issues/16944",
        extra_sources=("https://github.com/traveloka/terraform-aws-autoscaling/pull/56",),
        why=(
            "An Auto Scaling group needs `min_size <= desired_capacity <= max_size` (and "
            "`min_size <= max_size`). The provider requires the sizes but does not compare "
            "them; the API rejects the group at create or update. The request to catch this "
            "before apply was filed against Terraform and moved to the provider in 2017."
        ),
        fix="Order the sizes min <= desired <= max (omit desired_capacity to let scaling decide).",
        failing={**_ASG, "min_size": 1, "max_size": 1, "desired_capacity": 3},
        passing={**_ASG, "min_size": 1, "max_size": 3, "desired_capacity": 3},
        more_failing=({**_ASG, "min_size": 2, "max_size": 1},),
        more_passing=({**_ASG, "min_size": 1, "max_size": 3},),
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
