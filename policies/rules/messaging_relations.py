"""Event wiring between S3, SQS, SNS and Lambda that AWS validates when the link is created."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Resource, Severity, Violation
from policies.registry import rule
from policies.rules._documents import action_matches, as_list, has_hole, read_document
from policies.rules._helpers import blocks, number, text
from policies.rules._index import resources_with

QUEUE = "aws_sqs_queue"
TOPIC = "aws_sns_topic"
FUNCTION = "aws_lambda_function"
MAPPING = "aws_lambda_event_source_mapping"
NOTIFICATION = "aws_s3_bucket_notification"
# Documented defaults: SQS VisibilityTimeout 30 s, Lambda Timeout 3 s.
QUEUE_DEFAULT_VISIBILITY = 30
FUNCTION_DEFAULT_TIMEOUT = 3


def _linked(
    document: Document, resource: Resource, path: str, target: str, name_attribute: str
) -> Resource | None:
    """A reference, or a literal ARN / URL / name whose last segment names exactly one target."""
    address = resource.reference(path)
    if address is not None:
        found = document.resource(address)
        return found if found is not None and found.type == target else None
    literal = text(_get(resource.values, path))
    if literal is None:
        return None
    name = re.split(r"[:/]", literal)[-1]
    matches = resources_with(document, (target,), name_attribute, name)
    return matches[0] if len(matches) == 1 else None


def _get(values: Mapping[str, Any], path: str) -> Any:
    current: Any = values
    for part in path.split("."):
        if isinstance(current, list):
            current = current[int(part)] if part.isdigit() and int(part) < len(current) else None
        elif isinstance(current, Mapping):
            current = current.get(part)
        else:
            return None
    return current


@rule(
    id="AT213",
    service="lambda",
    failure_class="cross-resource",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/18099",
    title="SQS queue visibility timeout shorter than the timeout of the Lambda it triggers",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(MAPPING, QUEUE, FUNCTION),
)
def queue_visibility_timeout(document: Document) -> Iterator[Violation]:
    for mapping in document.of_type(MAPPING):
        queue = _linked(document, mapping, "event_source_arn", QUEUE, "name")
        function = _linked(document, mapping, "function_name", FUNCTION, "function_name")
        if queue is None or function is None:
            continue
        visibility_raw = queue.values.get("visibility_timeout_seconds")
        timeout_raw = function.values.get("timeout")
        if visibility_raw is UNKNOWN or timeout_raw is UNKNOWN:
            continue
        visibility = QUEUE_DEFAULT_VISIBILITY if visibility_raw is None else number(visibility_raw)
        timeout = FUNCTION_DEFAULT_TIMEOUT if timeout_raw is None else number(timeout_raw)
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


def _lets_s3(statement: Mapping[str, Any], action: str) -> bool | None:
    """Does an Allow statement let the S3 service principal do ``action``? None: cannot tell."""
    effect = statement.get("Effect")
    if has_hole(effect) or has_hole(statement.get("Principal")):
        return None
    if effect != "Allow" or "NotAction" in statement or "NotPrincipal" in statement:
        return None if "NotAction" in statement or "NotPrincipal" in statement else False
    principal = statement.get("Principal")
    principals: list[Any] = []
    if isinstance(principal, str):
        principals = [principal]
    elif isinstance(principal, Mapping):
        for kind, value in principal.items():
            if kind in ("Service", "AWS", "*"):
                principals.extend(as_list(value))
    if not any(p in ("*", "s3.amazonaws.com") for p in principals if isinstance(p, str)):
        return False
    return action_matches(statement.get("Action"), action)


def _policy_lets_s3(
    document: Document, target: Resource, policy_type: str, link: str, action: str
) -> bool | None:
    """True / False whether some policy on ``target`` lets S3 do ``action``; None: cannot tell."""
    sources: list[tuple[Resource, str]] = []
    if target.values.get("policy") is UNKNOWN and "policy" not in target.templates:
        return None
    if target.values.get("policy") not in (None, ""):
        sources.append((target, "policy"))
    name_attribute = "name"
    for policy in document.of_type(policy_type):
        address = policy.reference(link)
        if address is not None:
            if address == target.address:
                sources.append((policy, "policy"))
            continue
        literal = text(policy.values.get(link))
        if literal is None:
            return None  # a policy that may belong to this target
        if re.split(r"[:/]", literal)[-1] == text(target.values.get(name_attribute)):
            sources.append((policy, "policy"))
    if not sources:
        return False
    answer: bool | None = False
    for resource, path in sources:
        parsed = read_document(document, resource, path)
        if parsed is None:
            return None
        for statement in parsed.statements():
            verdict = _lets_s3(statement, action)
            if verdict is True:
                return True
            if verdict is None:
                answer = None
    return answer


# notification block -> (target type, ARN argument, policy resource, its link, action)
_DESTINATIONS = (
    ("queue", QUEUE, "queue_arn", "aws_sqs_queue_policy", "queue_url", "sqs:sendmessage"),
    ("topic", TOPIC, "topic_arn", "aws_sns_topic_policy", "arn", "sns:publish"),
)


@rule(
    id="AT214",
    service="s3",
    failure_class="cross-resource",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/11219",
    title="S3 bucket notification to a queue, topic or function that does not let S3 send",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(NOTIFICATION, QUEUE, TOPIC, "aws_sqs_queue_policy", "aws_sns_topic_policy"),
)
def notification_destination_policy(document: Document) -> Iterator[Violation]:
    for notification in document.of_type(NOTIFICATION):
        for key, target_type, argument, policy_type, link, action in _DESTINATIONS:
            for index, _ in blocks(notification.values, key):
                path = f"{key}.{index}.{argument}"
                target = _linked(document, notification, path, target_type, "name")
                if target is None:
                    continue
                if _policy_lets_s3(document, target, policy_type, link, action) is not False:
                    continue
                yield Violation(
                    address=notification.address,
                    resource=notification,
                    message=(
                        f"{key}[{index}] sends events to {target.address}, whose policy does not "
                        f"allow the s3.amazonaws.com service principal {action.split(':')[0]}:"
                        f"{'SendMessage' if key == 'queue' else 'Publish'}; S3 rejects the "
                        "configuration (InvalidArgument: Unable to validate the following "
                        "destination configurations); add a policy statement for S3 "
                        "(with aws:SourceArn = the bucket)"
                    ),
                )
        for index, _ in blocks(notification.values, "lambda_function"):
            path = f"lambda_function.{index}.lambda_function_arn"
            function = _linked(document, notification, path, FUNCTION, "function_name")
            if function is None:
                continue
            permitted = _s3_may_invoke(document, function)
            if permitted is False:
                yield Violation(
                    address=notification.address,
                    resource=notification,
                    message=(
                        f"lambda_function[{index}] invokes {function.address}, but no "
                        "aws_lambda_permission lets s3.amazonaws.com invoke it; S3 rejects the "
                        "configuration (InvalidArgument: Unable to validate the following "
                        "destination configurations); add an aws_lambda_permission with "
                        'principal = "s3.amazonaws.com" and depend on it'
                    ),
                )


def _s3_may_invoke(document: Document, function: Resource) -> bool | None:
    """Whether an aws_lambda_permission lets S3 invoke ``function``; None when cannot tell."""
    answer: bool | None = False
    for permission in document.of_type("aws_lambda_permission"):
        linked = _linked(document, permission, "function_name", FUNCTION, "function_name")
        if linked is None:
            answer = None  # an alias, a name or a token we cannot follow: may be this function
            continue
        if linked.address != function.address:
            continue
        principal = permission.values.get("principal")
        if principal is UNKNOWN:
            answer = None
        elif principal in ("s3.amazonaws.com", "*"):
            return True
    return answer
