"""Cross-resource rules AT320-AT323 (now in policies/rules/<service>.py)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from policies.model import UNKNOWN, Severity

E, W = Severity.ERROR, Severity.WARNING


# -- AT320: bucket ACL vs ownership controls ------------------------------------------------------


def acl_setup(k, ownership="absent", *, acl="private", bucket_actions=(), plan=False):
    resources = [
        k.resource("aws_s3_bucket", "logs", values={"bucket": "logs-1"}, actions=bucket_actions),
        k.resource(
            "aws_s3_bucket_acl",
            "logs",
            values={"bucket": UNKNOWN, "acl": acl},
            references={"bucket": "aws_s3_bucket.logs"},
            actions=("create",) if plan else (),
        ),
    ]
    if ownership != "absent":
        resources.append(
            k.resource(
                "aws_s3_bucket_ownership_controls",
                "logs",
                values={"bucket": UNKNOWN, "rule": [{"object_ownership": ownership}]},
                references={"bucket": "aws_s3_bucket.logs"},
                actions=("create",) if plan else (),
            )
        )
    return k.document(*resources, kind="plan" if plan else "config")


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: acl_setup(k, "BucketOwnerEnforced"),
            [(E, "BucketOwnerEnforced")],
            id="AT320-fail-enforced",
        ),
        pytest.param(
            lambda k: acl_setup(k, bucket_actions=("create",), plan=True),
            [(E, "a new bucket")],
            id="AT320-fail-new-bucket-in-plan",
        ),
        pytest.param(acl_setup, [(W, "created since April 2023")], id="AT320-warn-config"),
        pytest.param(lambda k: acl_setup(k, "BucketOwnerPreferred"), [], id="AT320-pass-preferred"),
        pytest.param(
            lambda k: acl_setup(k, "ObjectWriter", acl="log-delivery-write"),
            [],
            id="AT320-pass-object-writer",
        ),
        pytest.param(
            lambda k: acl_setup(k, bucket_actions=("no-op",), plan=True),
            [],
            id="AT320-pass-existing-bucket-in-plan",
        ),
        pytest.param(lambda k: acl_setup(k, UNKNOWN), [], id="AT320-unknown-ownership"),
        pytest.param(
            lambda k: acl_setup(k, "BucketOwnerEnforced", acl=UNKNOWN), [], id="AT320-unknown-acl"
        ),
        pytest.param(
            lambda k: k.document(
                k.resource("aws_s3_bucket_acl", values={"bucket": "elsewhere", "acl": "private"})
            ),
            [],
            id="AT320-unknown-bucket-not-in-configuration",
        ),
    ],
)
def test_bucket_acl_without_acls(kit, build, expected):
    kit.expect("AT320", build(kit), expected)


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


# -- AT323: CNAME at apex ----------------------------------------------------------------------


def record(k, name, type_="CNAME", zone_name="example.com"):
    return k.document(
        k.resource("aws_route53_zone", "main", values={"name": zone_name}),
        k.resource(
            "aws_route53_record",
            values={"zone_id": UNKNOWN, "name": name, "type": type_, "records": ["x.example.net"]},
            references={"zone_id": "aws_route53_zone.main"},
        ),
    )


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: record(k, "example.com"), [(E, "not permitted at apex")], id="AT323-fail"
        ),
        pytest.param(
            lambda k: record(k, "Example.com.", zone_name="example.com."),
            [(E, "apex")],
            id="AT323-fail-trailing-dot",
        ),
        pytest.param(lambda k: record(k, "www.example.com"), [], id="AT323-pass-subdomain"),
        pytest.param(lambda k: record(k, "www"), [], id="AT323-pass-relative-name"),
        pytest.param(lambda k: record(k, "example.com", type_="A"), [], id="AT323-pass-alias"),
        pytest.param(
            lambda k: record(k, "myexample.com"), [], id="AT323-pass-name-only-shares-a-suffix"
        ),
        pytest.param(lambda k: record(k, UNKNOWN), [], id="AT323-unknown-name"),
        pytest.param(
            lambda k: record(k, "example.com", zone_name=UNKNOWN), [], id="AT323-unknown-zone"
        ),
    ],
)
def test_cname_at_apex(kit, build, expected):
    kit.expect("AT323", build(kit), expected)


# -- AT324: ECS network configuration --------------------------------------------------------


def ecs(k, mode, network, *, service_actions=()):
    service_values = {"name": "api", "task_definition": UNKNOWN}
    if network is not None:
        service_values["network_configuration"] = network
    task_values = {"family": "api"}
    if mode is not None:
        task_values["network_mode"] = mode
    return k.document(
        k.resource(
            "aws_ecs_service",
            values=service_values,
            references={"task_definition": "aws_ecs_task_definition.api"},
            actions=service_actions,
        ),
        k.resource("aws_ecs_task_definition", "api", values=task_values),
        kind="plan" if service_actions else "config",
    )


NETWORK = [{"subnets": ["subnet-1"], "security_groups": ["sg-1"]}]


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: ecs(k, "awsvpc", None),
            [(E, "must be provided when networkMode 'awsvpc'")],
            id="AT324-fail-awsvpc-without",
        ),
        pytest.param(
            lambda k: ecs(k, "bridge", NETWORK),
            [(E, "not valid for the given networkMode")],
            id="AT324-fail-bridge-with",
        ),
        pytest.param(
            lambda k: ecs(k, None, NETWORK), [(E, "network_mode bridge")], id="AT324-fail-default"
        ),
        pytest.param(lambda k: ecs(k, "awsvpc", NETWORK), [], id="AT324-pass-awsvpc"),
        pytest.param(lambda k: ecs(k, "host", []), [], id="AT324-pass-host"),
        pytest.param(
            lambda k: ecs(k, "awsvpc", None, service_actions=("no-op",)),
            [],
            id="AT324-pass-unchanged-in-plan",
        ),
        pytest.param(lambda k: ecs(k, UNKNOWN, NETWORK), [], id="AT324-unknown-mode"),
        pytest.param(lambda k: ecs(k, "awsvpc", UNKNOWN), [], id="AT324-unknown-network"),
    ],
)
def test_service_network_configuration(kit, build, expected):
    kit.expect("AT324", build(kit), expected)


# -- AT325: replication and versioning ---------------------------------------------------------


def replication(k, source="Enabled", replica="Enabled", *, plan=False, inline=None):
    created = ("create",) if plan else ()
    resources = [
        k.resource(
            "aws_s3_bucket", "src", values={"bucket": "src", **(inline or {})}, actions=created
        ),
        k.resource("aws_s3_bucket", "dst", values={"bucket": "dst"}, actions=created),
        k.resource(
            "aws_s3_bucket_replication_configuration",
            values={
                "bucket": UNKNOWN,
                "role": "arn:aws:iam::1:role/r",
                "rule": [{"id": "all", "status": "Enabled", "destination": [{"bucket": UNKNOWN}]}],
            },
            references={
                "bucket": "aws_s3_bucket.src",
                "rule.0.destination.0.bucket": "aws_s3_bucket.dst",
            },
            actions=created,
        ),
    ]
    for name, status in (("src", source), ("dst", replica)):
        if status != "absent":
            resources.append(
                k.resource(
                    "aws_s3_bucket_versioning",
                    name,
                    values={"bucket": UNKNOWN, "versioning_configuration": [{"status": status}]},
                    references={"bucket": f"aws_s3_bucket.{name}"},
                    actions=created,
                )
            )
    return k.document(*resources, kind="plan" if plan else "config")


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: replication(k, source="Suspended"),
            [(E, "Versioning must be 'Enabled'")],
            id="AT325-fail-source-suspended",
        ),
        pytest.param(
            lambda k: replication(k, replica="absent", plan=True),
            [(E, "Destination bucket must have versioning enabled")],
            id="AT325-fail-new-destination-without-versioning",
        ),
        pytest.param(
            lambda k: replication(k, source="absent"),
            [(W, "may have been enabled outside")],
            id="AT325-warn-config-without-versioning",
        ),
        pytest.param(replication, [], id="AT325-pass"),
        pytest.param(
            lambda k: replication(k, source="absent", inline={"versioning": [{"enabled": True}]}),
            [],
            id="AT325-pass-inline-versioning",
        ),
        pytest.param(lambda k: replication(k, source=UNKNOWN), [], id="AT325-unknown-status"),
        pytest.param(
            lambda k: replication(k, source="absent", inline={"versioning": UNKNOWN}),
            [],
            id="AT325-unknown-inline",
        ),
    ],
)
def test_replication_without_versioning(kit, build, expected):
    kit.expect("AT325", build(kit), expected)


# -- AT326: managed policies per role ----------------------------------------------------------


def role_with(k, attachments, *, inline=None, deleted=0, literal_name=False):
    role_values = {"name": "worker"}
    if inline is not None:
        role_values["managed_policy_arns"] = inline
    resources = [k.resource("aws_iam_role", "worker", values=role_values)]
    for index in range(attachments + deleted):
        values = {
            "role": "worker" if literal_name else UNKNOWN,
            "policy_arn": f"arn:aws:iam::aws:policy/P{index}",
        }
        resources.append(
            k.resource(
                "aws_iam_role_policy_attachment",
                f"a{index}",
                values=values,
                references={} if literal_name else {"role": "aws_iam_role.worker"},
                actions=("delete",) if index >= attachments else (),
            )
        )
    return k.document(*resources, kind="plan" if deleted else "config")


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: role_with(k, 11), [(W, "has 11 managed policies")], id="AT326-warn-11"
        ),
        pytest.param(
            lambda k: role_with(k, 6, inline=[f"arn:aws:iam::aws:policy/Q{i}" for i in range(5)]),
            [(W, "has 11")],
            id="AT326-warn-inline-and-attachments",
        ),
        pytest.param(
            lambda k: role_with(k, 21, literal_name=True),
            [(E, "at most 20 even with a quota increase")],
            id="AT326-fail-21",
        ),
        pytest.param(lambda k: role_with(k, 10), [], id="AT326-pass-10"),
        pytest.param(
            lambda k: role_with(k, 10, deleted=3), [], id="AT326-pass-deleted-do-not-count"
        ),
        pytest.param(
            lambda k: role_with(k, 11, inline=UNKNOWN), [], id="AT326-unknown-inline-list"
        ),
    ],
)
def test_managed_policies_per_role(kit, build, expected):
    kit.expect("AT326", build(kit), expected)


def test_the_same_policy_attached_twice_counts_once(kit):
    document = role_with(kit, 10)
    extra = kit.resource(
        "aws_iam_role_policy_attachment",
        "again",
        values={"role": UNKNOWN, "policy_arn": "arn:aws:iam::aws:policy/P0"},
        references={"role": "aws_iam_role.worker"},
    )
    document = kit.document(*document.resources, extra)
    kit.expect("AT326", document, [])


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


# -- AT329: Serverless v2 scaling ----------------------------------------------------------------


def serverless(k, scaling, instance_class="db.serverless"):
    cluster = {"cluster_identifier": "main", "engine": "aurora-postgresql"}
    if scaling is not None:
        cluster["serverlessv2_scaling_configuration"] = scaling
    return k.document(
        k.resource("aws_rds_cluster", "main", values=cluster),
        k.resource(
            "aws_rds_cluster_instance",
            values={"cluster_identifier": UNKNOWN, "instance_class": instance_class},
            references={"cluster_identifier": "aws_rds_cluster.main"},
        ),
    )


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: serverless(k, None), [(E, "Serverless v2 scaling")], id="AT329-fail"
        ),
        pytest.param(lambda k: serverless(k, []), [(E, "no serverlessv2")], id="AT329-fail-empty"),
        pytest.param(
            lambda k: serverless(k, [{"min_capacity": 0.5, "max_capacity": 4}]),
            [],
            id="AT329-pass",
        ),
        pytest.param(
            lambda k: serverless(k, None, instance_class="db.r6g.large"),
            [],
            id="AT329-pass-provisioned",
        ),
        pytest.param(lambda k: serverless(k, UNKNOWN), [], id="AT329-unknown-scaling"),
        pytest.param(
            lambda k: serverless(k, None, instance_class=UNKNOWN), [], id="AT329-unknown-class"
        ),
    ],
)
def test_serverless_v2_without_scaling(kit, build, expected):
    kit.expect("AT329", build(kit), expected)


# -- Row edge cases (rows of rds, s3, ecr, events, apigateway, ssm, eks) ----------------------


def test_multi_az_switch_on_an_existing_instance_is_not_judged(kit):
    # ModifyDBInstance takes no AvailabilityZone: the planned zone is where RDS placed it.
    before = {"identifier": "db", "multi_az": False, "availability_zone": "eu-north-1a", "id": "x"}
    after = {**before, "multi_az": True}
    document = kit.document(
        kit.resource("aws_db_instance", values=after, actions=("update",), before=before),
        kind="plan",
    )
    assert kit.findings("AT300", document) == []


def test_date_based_expiration_is_not_compared_with_transition_days(kit):
    rule_block = {
        "id": "archive",
        "status": "Enabled",
        "transition": [{"days": 30, "storage_class": "GLACIER"}],
        "expiration": [{"days": 0, "date": "2027-01-01T00:00:00Z"}],
    }
    document = kit.document(
        kit.resource(
            "aws_s3_bucket_lifecycle_configuration", values={"bucket": "b", "rule": [rule_block]}
        )
    )
    assert kit.findings("AT303", document) == []


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
