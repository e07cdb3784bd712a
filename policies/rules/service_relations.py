"""Relations between resources of one configuration that AWS checks only when it sees them:
S3 bucket ACLs vs ownership controls, SQS dead-letter queue types, Lambda event source
starting positions, CNAME records at a Route 53 zone apex, ECS network configuration, S3
replication versioning, managed policies per IAM role, FIFO sources and targets, Serverless v2
scaling and SNS subscription types (AT320-AT330).

A link is followed only when it is certain (a reference kept by the loader, or a literal name
or ARN that names exactly one resource); otherwise the rules stay silent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping

from policies.model import UNKNOWN, Document, Resource, Severity, Violation, get_path
from policies.registry import rule
from policies.rules._helpers import (
    Unresolved,
    blocks,
    flag,
    linked_resource,
    resources_linked_to,
    text,
)

BUCKET = "aws_s3_bucket"
BUCKET_ACL = "aws_s3_bucket_acl"
OWNERSHIP = "aws_s3_bucket_ownership_controls"
QUEUE = "aws_sqs_queue"
REDRIVE = "aws_sqs_queue_redrive_policy"
MAPPING = "aws_lambda_event_source_mapping"
STREAM = "aws_kinesis_stream"
TABLE = "aws_dynamodb_table"
MSK = "aws_msk_cluster"
RECORD = "aws_route53_record"
ZONE = "aws_route53_zone"


def _target(document: Document, resource: Resource, path: str) -> Resource | None:
    address = resource.reference(path)
    return document.resource(address) if address else None


def _by_name(document: Document, type_: str, attribute: str, name: str) -> Resource | None:
    found = [r for r in document.of_type(type_) if text(r.values.get(attribute)) == name]
    return found[0] if len(found) == 1 else None


def _creates(resource: Resource) -> bool:
    return not resource.actions or "create" in resource.actions or "update" in resource.actions


# -- AT320: bucket ACL on a bucket with ACLs disabled -----------------------------------------


def _acl_bucket(document: Document, acl: Resource) -> Resource | None:
    target = _target(document, acl, "bucket")
    if target is not None:
        return target if target.type == BUCKET else None
    name = text(acl.values.get("bucket"))
    return _by_name(document, BUCKET, "bucket", name) if name else None


def _sets_acl(acl: Resource) -> bool | None:
    canned = acl.values.get("acl")
    policy = acl.values.get("access_control_policy")
    if canned is UNKNOWN or policy is UNKNOWN:
        return None
    return bool(text(canned)) or bool(policy)


@rule(
    id="AT320",
    title="S3 bucket ACL on a bucket whose ownership controls disable ACLs",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(BUCKET_ACL, BUCKET, OWNERSHIP),
    service="s3",
    failure_class="cross-resource",
    source="https://github.com/trussworks/terraform-aws-s3-private-bucket/issues/403",
)
def bucket_acl_without_acls(document: Document) -> Iterator[Violation]:
    for acl in document.of_type(BUCKET_ACL):
        if not _creates(acl) or _sets_acl(acl) is not True:
            continue
        bucket = _acl_bucket(document, acl)
        if bucket is None:
            continue
        try:
            controls = resources_linked_to(
                document, bucket, source_type=OWNERSHIP, path="bucket", name_attribute="bucket"
            )
        except Unresolved:
            continue
        settings = []
        for control in controls:
            for _, rule_block in blocks(control.values, "rule"):
                settings.append(rule_block.get("object_ownership"))
        if any(s is UNKNOWN for s in settings):
            continue
        error = (
            "AccessControlListNotSupported: The bucket does not allow ACLs; S3 disables ACLs "
            "with object_ownership = BucketOwnerEnforced, the default of every bucket created "
            "since April 2023"
        )
        fix = (
            f"add or change {OWNERSHIP} for {bucket.address} to object_ownership = "
            f'"BucketOwnerPreferred" (and depends_on it), or drop the ACL and grant access with '
            "a bucket policy"
        )
        if "BucketOwnerEnforced" in settings:
            yield Violation(
                address=acl.address,
                resource=acl,
                message=(
                    f"sets an ACL on {bucket.address}, whose ownership controls are "
                    f"BucketOwnerEnforced (ACLs disabled); AWS rejects it ({error}); {fix}"
                ),
            )
        elif not controls and (not bucket.actions or "create" in bucket.actions):
            planned = "create" in bucket.actions
            yield Violation(
                address=acl.address,
                resource=acl,
                severity=None if planned else Severity.WARNING,
                message=(
                    f"sets an ACL on {bucket.address}, "
                    + ("a new bucket " if planned else "")
                    + f"without {OWNERSHIP}: "
                    + (
                        "S3 creates it with ACLs disabled"
                        if planned
                        else "a bucket created since April 2023 has ACLs disabled unless "
                        "its ownership controls allow them"
                    )
                    + f" and rejects the ACL ({error}); {fix}"
                ),
            )


# -- AT321: dead-letter queue of the other type ------------------------------------------------


def _fifo(queue: Resource) -> bool | None:
    """Whether a queue is FIFO: its fifo_queue flag, else its name's .fifo suffix."""
    raw = queue.values.get("fifo_queue")
    if raw is UNKNOWN:
        return None
    value = flag(raw)
    if value is not None:
        return value
    name = queue.values.get("name")
    if name is UNKNOWN:
        return None
    if isinstance(name, str) and name:
        return name.endswith(".fifo")
    return False  # the provider default: a standard queue


def _dead_letter_target(
    document: Document, owner: Resource
) -> tuple[Resource | None, bool | None, str]:
    """(the DLQ resource if in this configuration, whether it is FIFO, how it is named)."""
    address = owner.reference("redrive_policy")
    if address is not None:
        target = document.resource(address)
        if target is None or target.type != QUEUE:
            return None, None, ""
        return target, _fifo(target), target.address
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
    target = _target(document, owner, "queue_url")
    return target if target is not None and target.type == QUEUE else None


@rule(
    id="AT321",
    title="SQS redrive policy sends to a dead-letter queue of the other type (FIFO vs standard)",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(QUEUE, REDRIVE),
    service="sqs",
    failure_class="cross-resource",
    source="https://github.com/byu-oit/handel/issues/253",
)
def dead_letter_queue_type(document: Document) -> Iterator[Violation]:
    for owner in document.of_type(QUEUE, REDRIVE):
        if not _creates(owner):
            continue
        source = _source_queue(document, owner)
        if source is None:
            continue
        source_fifo = _fifo(source)
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
    category="apply-time",
    resource_types=(MAPPING, QUEUE, STREAM, TABLE, MSK),
    service="lambda",
    failure_class="cross-resource",
    source="https://github.com/boto/boto3/issues/1613",
)
def event_source_starting_position(document: Document) -> Iterator[Violation]:
    for mapping in document.of_type(MAPPING):
        if not _creates(mapping):
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


# -- AT323: CNAME at the zone apex ---------------------------------------------------------------


def _fqdn(name: str) -> str:
    return name.rstrip(".").lower()


def _record_zone(document: Document, record: Resource) -> Resource | None:
    target = _target(document, record, "zone_id")
    if target is not None:
        return target if target.type == ZONE else None
    literal = text(record.values.get("zone_id"))
    if literal is None:
        return None
    return _by_name(document, ZONE, "zone_id", literal) or _by_name(document, ZONE, "id", literal)


@rule(
    id="AT323",
    title="Route 53 CNAME record at the zone apex",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(RECORD, ZONE),
    service="route53",
    failure_class="cross-resource",
    source="https://github.com/cloudfoundry/bosh-bootloader/issues/310",
)
def cname_at_apex(document: Document) -> Iterator[Violation]:
    for record in document.of_type(RECORD):
        if not _creates(record) or record.values.get("type") != "CNAME":
            continue
        name = text(record.values.get("name"))
        if name is None or "${" in name:
            continue
        zone = _record_zone(document, record)
        if zone is None:
            continue
        zone_name = text(zone.values.get("name"))
        if zone_name is None or "${" in zone_name:
            continue
        # The provider appends the zone name to a name that does not end with it.
        full, apex = _fqdn(name), _fqdn(zone_name)
        if full != apex and not full.endswith(f".{apex}"):
            full = f"{full}.{apex}"
        if full != apex:
            continue
        yield Violation(
            address=record.address,
            resource=record,
            message=(
                f"is a CNAME for {zone_name}, the apex of {zone.address}; Route 53 rejects it "
                f"(InvalidChangeBatch: RRSet of type CNAME with DNS name {_fqdn(zone_name)}. is "
                f"not permitted at apex in zone {_fqdn(zone_name)}.); use an alias A/AAAA "
                "record (alias block) for the apex, or a CNAME on a subdomain such as www"
            ),
        )


# -- AT324: ECS service network_configuration vs the task's network mode ------------------------

ECS_SERVICE = "aws_ecs_service"
TASK_DEFINITION = "aws_ecs_task_definition"


@rule(
    id="AT324",
    title="ECS service network_configuration does not fit the task definition's network mode",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(ECS_SERVICE, TASK_DEFINITION),
    service="ecs",
    failure_class="cross-resource",
    source="https://github.com/tryretool/retool-onpremise/pull/84",
)
def service_network_configuration(document: Document) -> Iterator[Violation]:
    for service in document.of_type(ECS_SERVICE):
        if not _creates(service):
            continue
        task = linked_resource(
            document,
            service,
            path="task_definition",
            target_types=(TASK_DEFINITION,),
            name_attribute="family",
        )
        if task is None:
            continue
        raw_mode = task.values.get("network_mode")
        raw_network = service.values.get("network_configuration")
        if raw_mode is UNKNOWN or raw_network is UNKNOWN:
            continue
        mode = text(raw_mode) or "bridge"  # ECS's default network mode on EC2
        has_network = any(True for _ in blocks(service.values, "network_configuration"))
        if mode == "awsvpc" and not has_network:
            yield Violation(
                address=service.address,
                resource=service,
                message=(
                    f"runs {task.address} (network_mode awsvpc) without network_configuration; "
                    "ECS rejects the service (InvalidParameterException: Network Configuration "
                    "must be provided when networkMode 'awsvpc' is specified.); add "
                    "network_configuration with subnets and security_groups"
                ),
            )
        elif mode != "awsvpc" and has_network:
            yield Violation(
                address=service.address,
                resource=service,
                message=(
                    f"sets network_configuration, but {task.address} uses network_mode {mode}; "
                    "ECS rejects the service (InvalidParameterException: Network Configuration "
                    "is not valid for the given networkMode of this task definition.); remove "
                    'network_configuration or use network_mode = "awsvpc"'
                ),
            )


# -- AT325: replication without versioning -------------------------------------------------------

REPLICATION = "aws_s3_bucket_replication_configuration"
VERSIONING = "aws_s3_bucket_versioning"


def _versioning(document: Document, bucket: Resource) -> str | None:
    """'Enabled', 'Suspended'/'Disabled', 'absent', or None when it cannot be told."""
    inline = bucket.values.get("versioning")
    if inline is UNKNOWN:
        return None
    for _, block in blocks(bucket.values, "versioning"):
        enabled = flag(block.get("enabled"))
        if enabled is None:
            return None
        if enabled:
            return "Enabled"
    try:
        controls = resources_linked_to(
            document, bucket, source_type=VERSIONING, path="bucket", name_attribute="bucket"
        )
    except Unresolved:
        return None
    statuses = []
    for control in controls:
        for _, block in blocks(control.values, "versioning_configuration"):
            status = block.get("status")
            if not isinstance(status, str):
                return None
            statuses.append(status)
    if "Enabled" in statuses:
        return "Enabled"
    return statuses[0] if statuses else "absent"


def _replicated_buckets(
    document: Document, replication: Resource
) -> Iterator[tuple[str, Resource]]:
    source = _target(document, replication, "bucket")
    if source is None:
        name = text(replication.values.get("bucket"))
        source = _by_name(document, BUCKET, "bucket", name) if name else None
    if source is not None and source.type == BUCKET:
        yield "source", source
    for index, rule_block in blocks(replication.values, "rule"):
        for destination_index, _ in blocks(rule_block, "destination"):
            path = f"rule.{index}.destination.{destination_index}.bucket"
            target = _target(document, replication, path)
            if target is not None and target.type == BUCKET:
                yield "destination", target


@rule(
    id="AT325",
    title="S3 replication from or to a bucket without versioning enabled",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(REPLICATION, BUCKET, VERSIONING),
    service="s3",
    failure_class="cross-resource",
    source="https://github.com/nozaq/terraform-aws-remote-state-s3-backend/issues/107",
)
def replication_without_versioning(document: Document) -> Iterator[Violation]:
    for replication in document.of_type(REPLICATION):
        if not _creates(replication):
            continue
        seen: set[str] = set()
        for role, bucket in _replicated_buckets(document, replication):
            if bucket.address in seen:
                continue
            seen.add(bucket.address)
            state = _versioning(document, bucket)
            if state is None or state == "Enabled":
                continue
            error = (
                "InvalidRequest: Versioning must be 'Enabled' on the bucket to apply a "
                "replication configuration"
                if role == "source"
                else "InvalidRequest: Destination bucket must have versioning enabled."
            )
            fix = (
                f'add {VERSIONING} with status = "Enabled" for {bucket.address} and make the '
                "replication configuration depends_on it"
            )
            if state != "absent":
                yield Violation(
                    address=replication.address,
                    resource=replication,
                    message=(
                        f"replicates {'from' if role == 'source' else 'to'} {bucket.address}, "
                        f"whose versioning is {state}; S3 rejects it ({error}); {fix}"
                    ),
                )
            elif not bucket.actions or "create" in bucket.actions:
                planned = "create" in bucket.actions
                yield Violation(
                    address=replication.address,
                    resource=replication,
                    severity=None if planned else Severity.WARNING,
                    message=(
                        f"replicates {'from' if role == 'source' else 'to'} {bucket.address}, "
                        + ("a new bucket " if planned else "")
                        + f"without {VERSIONING} in this configuration"
                        + ("" if planned else " (versioning may have been enabled outside it)")
                        + f"; S3 rejects it ({error}); {fix}"
                    ),
                )


# -- AT326: managed policies per role -----------------------------------------------------------

ROLE = "aws_iam_role"
ROLE_ATTACHMENT = "aws_iam_role_policy_attachment"
POLICY_ATTACHMENT = "aws_iam_policy_attachment"
# IAM quotas: managed policies attached to a role, 10 by default, adjustable up to 20.
DEFAULT_POLICIES_PER_ROLE = 10
MAX_POLICIES_PER_ROLE = 20


def _will_exist(resource: Resource) -> bool:
    return "delete" not in resource.actions or "create" in resource.actions


def _attachments_by_role(document: Document) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Policies attached by attachment resources, indexed by role address and by role name.

    One pass over the attachments (not one per role), so large plans stay linear.
    """
    by_address: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    for attachment in document.of_type(ROLE_ATTACHMENT, POLICY_ATTACHMENT):
        if not _will_exist(attachment):
            continue
        if attachment.type == ROLE_ATTACHMENT:
            paths = ["role"]
        else:
            roles = attachment.values.get("roles")
            paths = [f"roles.{i}" for i in range(len(roles))] if isinstance(roles, list) else []
        arn = attachment.values.get("policy_arn")
        policy = text(arn) or attachment.reference("policy_arn") or f"@{attachment.address}"
        for path in paths:
            address = attachment.reference(path)
            if address is not None:
                by_address.setdefault(address, []).append(policy)
                continue
            literal = text(get_path(attachment.values, path))
            if literal is not None:
                by_name.setdefault(literal, []).append(policy)
    return by_address, by_name


def _attached_to(
    role: Resource, index: tuple[dict[str, list[str]], dict[str, list[str]]]
) -> set[str] | None:
    """Distinct policies certainly attached to ``role`` (ARNs, or addresses of references)."""
    inline = role.values.get("managed_policy_arns")
    if inline is UNKNOWN:
        return None
    policies: set[str] = set()
    for position, arn in enumerate(inline if isinstance(inline, list) else []):
        key = text(arn) or role.reference(f"managed_policy_arns.{position}") or f"#{position}"
        policies.add(key)
    by_address, by_name = index
    policies.update(by_address.get(role.address, ()))
    role_name = text(role.values.get("name"))
    if role_name is not None:
        policies.update(by_name.get(role_name, ()))
    return policies


@rule(
    id="AT326",
    title="IAM role with more managed policies than IAM's per-role quota",
    severity=Severity.WARNING,
    category="apply-time",
    resource_types=(ROLE, ROLE_ATTACHMENT, POLICY_ATTACHMENT),
    service="iam",
    failure_class="cross-resource",
    source="https://github.com/aws/eks-hybrid/pull/741",
)
def managed_policies_per_role(document: Document) -> Iterator[Violation]:
    index: tuple[dict[str, list[str]], dict[str, list[str]]] | None = None
    for role in document.of_type(ROLE):
        if not _will_exist(role):
            continue
        if index is None:
            index = _attachments_by_role(document)
        policies = _attached_to(role, index)
        if policies is None or len(policies) <= DEFAULT_POLICIES_PER_ROLE:
            continue
        count = len(policies)
        hard = count > MAX_POLICIES_PER_ROLE
        yield Violation(
            address=role.address,
            resource=role,
            severity=Severity.ERROR if hard else None,
            message=(
                f"has {count} managed policies attached in this configuration; IAM allows "
                f"{DEFAULT_POLICIES_PER_ROLE} per role by default"
                + (
                    f" and at most {MAX_POLICIES_PER_ROLE} even with a quota increase"
                    if hard
                    else f" ({MAX_POLICIES_PER_ROLE} after a quota increase)"
                )
                + f", and the attachment over the quota fails (LimitExceeded: Cannot exceed "
                f"quota for PoliciesPerRole: {DEFAULT_POLICIES_PER_ROLE}); merge policies into "
                "fewer customer managed policies"
                + ("" if hard else " or confirm the account's raised quota")
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
        return queue, _fifo(queue)
    arn = text(mapping.values.get("event_source_arn"))
    if arn is None or not arn.startswith("arn:") or ":sqs:" not in arn:
        return None, None
    return None, arn.endswith(".fifo")


@rule(
    id="AT327",
    title="Lambda event source mapping with a batching window on a FIFO queue",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(MAPPING, QUEUE),
    service="lambda",
    failure_class="cross-resource",
    source="https://github.com/aws/aws-lambda-dotnet/pull/1758",
)
def fifo_batching_window(document: Document) -> Iterator[Violation]:
    for mapping in document.of_type(MAPPING):
        if not _creates(mapping):
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


# -- AT328: EventBridge target on a FIFO queue without a message group -------------------------

EVENT_TARGET = "aws_cloudwatch_event_target"


@rule(
    id="AT328",
    title="EventBridge target on a FIFO queue without sqs_target.message_group_id",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(EVENT_TARGET, QUEUE),
    service="events",
    failure_class="cross-resource",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/29079",
)
def fifo_target_without_group(document: Document) -> Iterator[Violation]:
    for target in document.of_type(EVENT_TARGET):
        if not _creates(target):
            continue
        queue, fifo = None, None
        address = target.reference("arn")
        if address is not None:
            queue = document.resource(address)
            if queue is None or queue.type != QUEUE:
                continue
            fifo = _fifo(queue)
        else:
            arn = text(target.values.get("arn"))
            if arn is not None and ":sqs:" in arn:
                fifo = arn.endswith(".fifo")
        if fifo is not True:
            continue
        raw = target.values.get("sqs_target")
        if raw is UNKNOWN:
            continue
        groups = [block.get("message_group_id") for _, block in blocks(target.values, "sqs_target")]
        if any(g is UNKNOWN or text(g) for g in groups):
            continue
        where = queue.address if queue is not None else "a FIFO queue"
        yield Violation(
            address=target.address,
            resource=target,
            message=(
                f"sends to {where} without sqs_target.message_group_id; EventBridge needs "
                "SqsParameters.MessageGroupId for a FIFO queue target and rejects the target "
                "(or, where a target was accepted, every delivery fails: The request must "
                "contain the parameter MessageGroupId); add sqs_target { message_group_id = ... }"
            ),
        )


# -- AT329: Serverless v2 instance in a cluster without a v2 scaling configuration ---------------

CLUSTER = "aws_rds_cluster"
CLUSTER_INSTANCE = "aws_rds_cluster_instance"


@rule(
    id="AT329",
    title="Aurora db.serverless instance in a cluster without serverlessv2_scaling_configuration",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(CLUSTER_INSTANCE, CLUSTER),
    service="rds",
    failure_class="cross-resource",
    source="https://github.com/cloudposse/terraform-aws-rds-cluster/pull/181",
)
def serverless_v2_without_scaling(document: Document) -> Iterator[Violation]:
    for instance in document.of_type(CLUSTER_INSTANCE):
        if not _creates(instance) or instance.values.get("instance_class") != "db.serverless":
            continue
        cluster = linked_resource(
            document,
            instance,
            path="cluster_identifier",
            target_types=(CLUSTER,),
            name_attribute="cluster_identifier",
        )
        if cluster is None:
            continue
        scaling = cluster.values.get("serverlessv2_scaling_configuration")
        if scaling is UNKNOWN or any(
            True for _ in blocks(cluster.values, "serverlessv2_scaling_configuration")
        ):
            continue
        yield Violation(
            address=instance.address,
            resource=instance,
            message=(
                f"is a db.serverless instance of {cluster.address}, which has no "
                "serverlessv2_scaling_configuration; RDS rejects the instance "
                "(InvalidDBClusterStateFault: Set the Serverless v2 scaling configuration on "
                "the parent DB cluster before creating a Serverless v2 DB instance.); add "
                "serverlessv2_scaling_configuration { min_capacity, max_capacity } to the cluster"
            ),
        )


# -- AT330: SNS subscriptions that do not fit the topic type -----------------------------------

TOPIC = "aws_sns_topic"
SUBSCRIPTION = "aws_sns_topic_subscription"


def _fifo_topic(topic: Resource) -> bool | None:
    raw = topic.values.get("fifo_topic")
    if raw is UNKNOWN:
        return None
    value = flag(raw)
    if value is not None:
        return value
    name = topic.values.get("name")
    if name is UNKNOWN:
        return None
    return isinstance(name, str) and name.endswith(".fifo")


def _linked_fifo(
    document: Document, resource: Resource, path: str, type_: str, service: str
) -> tuple[str, bool | None]:
    """(what it is called, whether it is FIFO) for the topic or queue at ``path``."""
    address = resource.reference(path)
    if address is not None:
        target = document.resource(address)
        if target is None or target.type != type_:
            return "", None
        return target.address, (_fifo_topic(target) if type_ == TOPIC else _fifo(target))
    arn = text(resource.values.get(path))
    if arn is None or f":{service}:" not in arn:
        return "", None
    return arn.rsplit(":", 1)[-1], arn.endswith(".fifo")


@rule(
    id="AT330",
    title="SNS subscription a FIFO or standard topic does not accept (protocol, queue type)",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(SUBSCRIPTION, TOPIC, QUEUE),
    service="sns",
    failure_class="cross-resource",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/38441",
)
def subscription_fits_topic(document: Document) -> Iterator[Violation]:
    for subscription in document.of_type(SUBSCRIPTION):
        if not _creates(subscription):
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
