"""S3 bucket policies and the resource policies S3 needs to deliver notifications."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Resource, Severity, Violation
from policies.registry import rule
from policies.toolkit.documents import (
    RESOURCE_POLICIES,
    S3_BUCKET_POLICIES,
    action_matches,
    as_list,
    documents_in,
    has_hole,
    parliament_findings,
    read_document,
    statement_label,
    types_of,
)
from policies.toolkit.findings import violation
from policies.toolkit.links import link_by_last_segment, linked_resource
from policies.toolkit.values import blocks, text


@rule(
    id="AT205",
    service="s3",
    failure_class="policy-document",
    source="https://github.com/cn-terraform/terraform-aws-s3-static-website/issues/38",
    title="Resource-based policy statement without a Principal",
    severity=Severity.ERROR,
    resource_types=types_of(RESOURCE_POLICIES),
)
def resource_policy_without_principal(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents_in(document, RESOURCE_POLICIES):
        for index, statement in enumerate(parsed.statements()):
            if "Principal" in statement or "NotPrincipal" in statement:
                continue
            yield violation(
                resource,
                f"{statement_label(path, index, statement)} has no Principal; a resource-based "
                f"policy ({resource.type}) must say who it applies to, and AWS rejects it "
                "(S3: MalformedPolicy: Missing required field Principal; KMS: "
                "MalformedPolicyDocumentException); add a Principal",
            )


_S3_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::(?P<bucket>[^/]+)(?P<object>/.*)?$")


@rule(
    id="AT207",
    service="s3",
    failure_class="policy-document",
    source="https://github.com/ministryofjustice/modernisation-platform/pull/10762",
    title="S3 bucket policy statement whose actions or resources do not fit the bucket",
    severity=Severity.ERROR,
    resource_types=("aws_s3_bucket_policy", "aws_s3_bucket"),
)
def bucket_policy_resources(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents_in(document, S3_BUCKET_POLICIES):
        bucket = _bucket_name(document, resource)
        for index, statement in enumerate(parsed.statements()):
            where = statement_label(path, index, statement)
            resources = statement.get("Resource")
            if resources is None or has_hole(resources):
                continue
            arns = [r for r in as_list(resources) if isinstance(r, str)]
            if bucket is not None:
                foreign = [
                    arn
                    for arn in arns
                    if (match := _S3_ARN.match(arn))
                    and "*" not in match["bucket"]
                    and "?" not in match["bucket"]
                    and match["bucket"] != bucket
                ]
                if foreign:
                    yield violation(
                        resource,
                        f"{where} names {', '.join(foreign)}, outside bucket {bucket}; a "
                        "bucket policy may only name its own bucket and objects, and S3 "
                        "rejects it (MalformedPolicy: Policy has invalid resource)",
                    )
                    continue
            actions = statement.get("Action")
            if actions is None or has_hole(actions) or has_hole(statement.get("Effect")):
                continue
            literal = {
                a for a in as_list(actions) if isinstance(a, str) and "*" not in a and "?" not in a
            }
            if not literal or not all(_S3_ARN.match(a) for a in arns):
                continue
            mismatched = sorted(
                {
                    entry["action"]
                    for issue, detail in parliament_findings(statement)
                    if issue == "RESOURCE_MISMATCH" and isinstance(detail, list)
                    for entry in detail
                    if isinstance(entry, Mapping) and entry.get("action") in literal
                }
            )
            if mismatched:
                yield violation(
                    resource,
                    f"{where}: {', '.join(mismatched)} apply to none of its resources "
                    f"({', '.join(arns)}); bucket actions need arn:aws:s3:::<bucket>, object "
                    "actions arn:aws:s3:::<bucket>/*, and S3 rejects the policy "
                    "(MalformedPolicy: Action does not apply to any resource(s) in statement)",
                )


def _bucket_name(document: Document, policy: Resource) -> str | None:
    literal = text(policy.values.get("bucket"))
    if literal is not None:
        return literal
    bucket = linked_resource(
        document, policy, path="bucket", target_types=("aws_s3_bucket",), name_attribute="bucket"
    )
    return text(bucket.values.get("bucket")) if bucket is not None else None


QUEUE = "aws_sqs_queue"
TOPIC = "aws_sns_topic"
FUNCTION = "aws_lambda_function"
NOTIFICATION = "aws_s3_bucket_notification"


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
    resource_types=(NOTIFICATION, QUEUE, TOPIC, "aws_sqs_queue_policy", "aws_sns_topic_policy"),
)
def notification_destination_policy(document: Document) -> Iterator[Violation]:
    for notification in document.of_type(NOTIFICATION):
        for key, target_type, argument, policy_type, link, action in _DESTINATIONS:
            for index, _ in blocks(notification.values, key):
                path = f"{key}.{index}.{argument}"
                target = link_by_last_segment(document, notification, path, target_type, "name")
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
            function = link_by_last_segment(document, notification, path, FUNCTION, "function_name")
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
        linked = link_by_last_segment(
            document, permission, "function_name", FUNCTION, "function_name"
        )
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
