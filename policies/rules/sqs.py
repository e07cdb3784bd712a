"""SQS queues AWS rejects: dead-letter queues of the other type."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from policies.model import Document, Resource, Severity, Violation
from policies.registry import rule
from policies.toolkit.links import referenced
from policies.toolkit.values import creates_or_updates, is_fifo

QUEUE = "aws_sqs_queue"
REDRIVE = "aws_sqs_queue_redrive_policy"


def _dead_letter_target(
    document: Document, owner: Resource
) -> tuple[Resource | None, bool | None, str]:
    """(the DLQ resource if in this configuration, whether it is FIFO, how it is named)."""
    address = owner.reference("redrive_policy")
    if address is not None:
        target = document.resource(address)
        if target is None or target.type != QUEUE:
            return None, None, ""
        return target, is_fifo(target, "fifo_queue"), target.address
    raw = owner.values.get("redrive_policy")
    if not isinstance(raw, str) or "${" in raw:
        return None, None, ""
    try:
        policy = json.loads(raw)
    except ValueError:
        return None, None, ""
    arn = policy.get("deadLetterTargetArn") if isinstance(policy, Mapping) else None
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return None, None, ""
    name = arn.rsplit(":", 1)[-1]
    return None, name.endswith(".fifo"), name


def _source_queue(document: Document, owner: Resource) -> Resource | None:
    if owner.type == QUEUE:
        return owner
    target = referenced(document, owner, "queue_url")
    return target if target is not None and target.type == QUEUE else None


@rule(
    id="AT321",
    title="SQS redrive policy sends to a dead-letter queue of the other type (FIFO vs standard)",
    severity=Severity.ERROR,
    resource_types=(QUEUE, REDRIVE),
    service="sqs",
    failure_class="cross-resource",
    source="https://github.com/byu-oit/handel/issues/253",
)
def dead_letter_queue_type(document: Document) -> Iterator[Violation]:
    for owner in document.of_type(QUEUE, REDRIVE):
        if not creates_or_updates(owner):
            continue
        source = _source_queue(document, owner)
        if source is None:
            continue
        source_fifo = is_fifo(source, "fifo_queue")
        _, target_fifo, target_name = _dead_letter_target(document, owner)
        if source_fifo is None or target_fifo is None or source_fifo == target_fifo:
            continue
        kinds = {True: "FIFO", False: "standard"}
        yield Violation(
            address=owner.address,
            resource=owner,
            message=(
                f"redrive_policy of the {kinds[source_fifo]} queue {source.address} names the "
                f"{kinds[target_fifo]} queue {target_name} as its dead-letter queue; SQS "
                "rejects it (InvalidParameterValue: Value ... for parameter RedrivePolicy is "
                "invalid. Reason: Dead-letter queue must be same type of queue as the source.); "
                "give a FIFO queue a FIFO dead-letter queue and a standard queue a standard one"
            ),
        )
