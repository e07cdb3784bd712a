"""Cross-resource relations (AT210-AT218) and plan-time replacements (PLAN100, PLAN101)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from policies.model import UNKNOWN, Severity

E, W = Severity.ERROR, Severity.WARNING


def subnet(k, name, cidr, zone="eu-north-1a", vpc="aws_vpc.main"):
    return k.resource(
        "aws_subnet",
        name,
        values={"vpc_id": UNKNOWN, "cidr_block": cidr, "availability_zone": zone},
        references={"vpc_id": vpc},
    )


def vpc(k, cidr="10.0.0.0/16", name="main"):
    return k.resource("aws_vpc", name, values={"cidr_block": cidr})


def subnet_user(k, type_, attribute, names, **values):
    return k.resource(
        type_,
        values={attribute: [UNKNOWN] * len(names), **values},
        references={f"{attribute}.{i}": f"aws_subnet.{n}" for i, n in enumerate(names)},
    )


def db(
    k,
    type_="aws_db_instance",
    group_type="aws_db_parameter_group",
    family="postgres16",
    attribute="parameter_group_name",
    **values,
):
    return k.document(
        k.resource(
            type_, values={attribute: UNKNOWN, **values}, references={attribute: f"{group_type}.pg"}
        ),
        k.resource(group_type, "pg", values={"name": "pg", "family": family}),
    )


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


S3_SEND = {
    "Effect": "Allow",
    "Principal": {"Service": "s3.amazonaws.com"},
    "Action": "sqs:SendMessage",
    "Resource": "*",
}


def notification(k, *extra, queue_policy=None, key="queue", target="aws_sqs_queue.q"):
    argument = {
        "queue": "queue_arn",
        "topic": "topic_arn",
        "lambda_function": "lambda_function_arn",
    }[key]
    queue_values = {"name": "jobs"}
    if queue_policy is not None:
        queue_values["policy"] = queue_policy
    return k.document(
        k.resource(
            "aws_s3_bucket_notification",
            values={"bucket": "b", key: [{argument: UNKNOWN, "events": ["s3:ObjectCreated:*"]}]},
            references={f"{key}.0.{argument}": target},
        ),
        k.resource("aws_sqs_queue", "q", values=queue_values),
        k.resource("aws_sns_topic", "t", values={"name": "events"}),
        k.resource("aws_lambda_function", "f", values={"function_name": "worker"}),
        *extra,
    )


def service_and_group(k, *listeners, group_actions=()):
    return k.document(
        k.resource(
            "aws_ecs_service",
            values={"load_balancer": [{"target_group_arn": UNKNOWN, "container_port": 80}]},
            references={"load_balancer.0.target_group_arn": "aws_lb_target_group.tg"},
            actions=group_actions and ("create",),
        ),
        k.resource("aws_lb_target_group", "tg", values={"port": 80}, actions=group_actions),
        *listeners,
        kind="plan" if group_actions else "config",
    )


def listener(k, target="aws_lb_target_group.tg", forward=False):
    if forward:
        action = {"type": "forward", "forward": {"target_group": [{"arn": UNKNOWN}]}}
        refs = {"default_action.0.forward.target_group.0.arn": target}
    else:
        action = {"type": "forward", "target_group_arn": UNKNOWN}
        refs = {"default_action.0.target_group_arn": target}
    return k.resource("aws_lb_listener", "l", values={"default_action": [action]}, references=refs)


def distribution(k, *, aliases, certificate, extra=()):
    return k.document(
        k.resource(
            "aws_cloudfront_distribution",
            values={"aliases": aliases, "viewer_certificate": certificate},
        ),
        *extra,
    )


def edge(k, lambda_arn, *, template=None, publish=None, region="us-east-1"):
    values = {"function_name": "edge"}
    if publish is not None:
        values["publish"] = publish
    behavior = {
        "lambda_function_association": [{"event_type": "viewer-request", "lambda_arn": lambda_arn}]
    }
    cdn = k.resource("aws_cloudfront_distribution", values={"default_cache_behavior": behavior})
    if template is not None:
        cdn = replace(
            cdn,
            templates={"default_cache_behavior.lambda_function_association.0.lambda_arn": template},
        )
    return k.document(cdn, k.resource("aws_lambda_function", "edge", values=values), region=region)


EDGE_ARN = "arn:aws:lambda:us-east-1:123456789012:function:edge"


def replaced(k, type_, name_attribute="name", *, actions, before, after, kind="plan", users=()):
    return k.document(
        k.resource(
            type_,
            "x",
            values={name_attribute: after},
            before={name_attribute: before},
            actions=actions,
            action_reason="replace_because_cannot_update",
        ),
        *users,
        kind=kind,
    )


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        # AT210 subnet CIDR
        pytest.param(
            "AT210",
            lambda k: k.document(
                vpc(k), subnet(k, "a", "10.0.1.0/24"), subnet(k, "b", "10.0.2.0/24")
            ),
            [],
            id="AT210-pass",
        ),
        pytest.param(
            "AT210",
            lambda k: k.document(vpc(k), subnet(k, "a", "10.1.1.0/24")),
            [(E, "InvalidSubnet.Range: The CIDR '10.1.1.0/24' is invalid")],
            id="AT210-fail-outside",
        ),
        pytest.param(
            "AT210",
            lambda k: k.document(
                vpc(k), subnet(k, "a", "10.0.0.0/20"), subnet(k, "b", "10.0.8.0/24")
            ),
            [(E, "InvalidSubnet.Conflict")],
            id="AT210-fail-overlap",
        ),
        pytest.param(
            "AT210",
            lambda k: k.document(
                vpc(k),
                subnet(k, "a", "10.1.1.0/24"),
                k.resource(
                    "aws_vpc_ipv4_cidr_block_association",
                    values={"vpc_id": UNKNOWN, "cidr_block": "10.1.0.0/16"},
                    references={"vpc_id": "aws_vpc.main"},
                ),
            ),
            [],
            id="AT210-pass-secondary-cidr",
        ),
        pytest.param(
            "AT210",
            lambda k: k.document(vpc(k, UNKNOWN), subnet(k, "a", "10.1.1.0/24")),
            [],
            id="AT210-unknown-vpc-cidr",
        ),
        # AT211 DB subnet group AZs
        pytest.param(
            "AT211",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet(k, "b", "10.0.2.0/24", "eu-north-1b"),
                subnet_user(k, "aws_db_subnet_group", "subnet_ids", ["a", "b"]),
            ),
            [],
            id="AT211-pass",
        ),
        pytest.param(
            "AT211",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet(k, "b", "10.0.2.0/24", "eu-north-1a"),
                subnet_user(k, "aws_db_subnet_group", "subnet_ids", ["a", "b"]),
            ),
            [(E, "DBSubnetGroupDoesNotCoverEnoughAZs")],
            id="AT211-fail-one-az",
        ),
        pytest.param(
            "AT211",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet(k, "b", "10.0.2.0/24", UNKNOWN),
                subnet_user(k, "aws_db_subnet_group", "subnet_ids", ["a", "b"]),
            ),
            [],
            id="AT211-unknown-zone",
        ),
        pytest.param(
            "AT211",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                k.resource("aws_db_subnet_group", values={"subnet_ids": UNKNOWN}),
            ),
            [],
            id="AT211-unknown-subnet-list",
        ),
        # AT218 load balancer AZs
        pytest.param(
            "AT218",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet(k, "b", "10.0.2.0/24", "eu-north-1b"),
                subnet_user(k, "aws_lb", "subnets", ["a", "b"]),
            ),
            [],
            id="AT218-pass",
        ),
        pytest.param(
            "AT218",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet_user(k, "aws_lb", "subnets", ["a"]),
            ),
            [(E, "At least two subnets in two different Availability Zones")],
            id="AT218-fail-alb-one-az",
        ),
        pytest.param(
            "AT218",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet_user(k, "aws_lb", "subnets", ["a"], load_balancer_type="network"),
            ),
            [],
            id="AT218-pass-nlb-one-az",
        ),
        pytest.param(
            "AT218",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet(k, "b", "10.0.2.0/24", "eu-north-1a"),
                subnet(k, "c", "10.0.3.0/24", "eu-north-1b"),
                subnet_user(k, "aws_lb", "subnets", ["a", "b", "c"], load_balancer_type="network"),
            ),
            [(E, "cannot be attached to multiple subnets in the same Availability Zone")],
            id="AT218-fail-same-az-twice",
        ),
        pytest.param(
            "AT218",
            lambda k: k.document(
                subnet(k, "a", "10.0.1.0/24", "eu-north-1a"),
                subnet_user(k, "aws_lb", "subnets", ["a"], load_balancer_type=UNKNOWN),
            ),
            [],
            id="AT218-unknown-type",
        ),
        # AT212 parameter group family
        pytest.param(
            "AT212",
            lambda k: db(k, engine="postgres", engine_version="16.4"),
            [],
            id="AT212-pass",
        ),
        pytest.param(
            "AT212",
            lambda k: db(k, engine="postgres", engine_version="17.2"),
            [(E, "family postgres16, but postgres 17.2 needs family postgres17")],
            id="AT212-fail-postgres",
        ),
        pytest.param(
            "AT212",
            lambda k: db(
                k,
                "aws_rds_cluster",
                "aws_rds_cluster_parameter_group",
                "aurora-mysql5.7",
                "db_cluster_parameter_group_name",
                engine="aurora-mysql",
                engine_version="8.0.mysql_aurora.3.05.2",
            ),
            [(E, "needs family aurora-mysql8.0")],
            id="AT212-fail-aurora-mysql",
        ),
        pytest.param(
            "AT212",
            lambda k: db(k, family="mysql8.0", engine="mysql", engine_version="8.0.35"),
            [],
            id="AT212-pass-mysql",
        ),
        pytest.param(
            "AT212",
            lambda k: db(k, engine="postgres", engine_version=UNKNOWN),
            [],
            id="AT212-unknown-version",
        ),
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
        # AT214 S3 notifications
        pytest.param(
            "AT214",
            lambda k: notification(
                k, queue_policy=json.dumps({"Version": "2012-10-17", "Statement": [S3_SEND]})
            ),
            [],
            id="AT214-pass-queue-policy",
        ),
        pytest.param(
            "AT214",
            lambda k: notification(
                k,
                k.resource(
                    "aws_sqs_queue_policy",
                    values={"queue_url": UNKNOWN, "policy": json.dumps({"Statement": [S3_SEND]})},
                    references={"queue_url": "aws_sqs_queue.q"},
                ),
            ),
            [],
            id="AT214-pass-separate-policy",
        ),
        pytest.param(
            "AT214",
            notification,
            [(E, "Unable to validate the following destination configurations")],
            id="AT214-fail-queue-without-policy",
        ),
        pytest.param(
            "AT214",
            lambda k: notification(
                k,
                k.resource(
                    "aws_sns_topic_policy",
                    values={
                        "arn": UNKNOWN,
                        "policy": json.dumps(
                            {
                                "Statement": [
                                    {
                                        **S3_SEND,
                                        "Principal": {"AWS": "arn:aws:iam::1:root"},
                                        "Action": "sns:Publish",
                                    }
                                ]
                            }
                        ),
                    },
                    references={"arn": "aws_sns_topic.t"},
                ),
                key="topic",
                target="aws_sns_topic.t",
            ),
            [(E, "does not allow the s3.amazonaws.com service principal sns:Publish")],
            id="AT214-fail-topic-policy-for-account-only",
        ),
        pytest.param(
            "AT214",
            lambda k: notification(k, key="lambda_function", target="aws_lambda_function.f"),
            [(E, "no aws_lambda_permission lets s3.amazonaws.com invoke it")],
            id="AT214-fail-lambda-without-permission",
        ),
        pytest.param(
            "AT214",
            lambda k: notification(
                k,
                k.resource(
                    "aws_lambda_permission",
                    values={"function_name": UNKNOWN, "principal": "s3.amazonaws.com"},
                    references={"function_name": "aws_lambda_function.f"},
                ),
                key="lambda_function",
                target="aws_lambda_function.f",
            ),
            [],
            id="AT214-pass-lambda-permission",
        ),
        pytest.param(
            "AT214",
            lambda k: notification(
                k,
                k.resource(
                    "aws_sqs_queue_policy",
                    values={"queue_url": UNKNOWN, "policy": UNKNOWN},
                    references={"queue_url": "aws_sqs_queue.q"},
                ),
            ),
            [],
            id="AT214-unknown-policy",
        ),
        # AT215 target group without listener
        pytest.param(
            "AT215",
            lambda k: service_and_group(k, listener(k)),
            [],
            id="AT215-pass",
        ),
        pytest.param(
            "AT215",
            lambda k: service_and_group(k, listener(k, forward=True)),
            [],
            id="AT215-pass-weighted-forward",
        ),
        pytest.param(
            "AT215",
            lambda k: service_and_group(k, group_actions=("create",)),
            [(E, "does not have an associated load balancer")],
            id="AT215-fail-new-group-in-plan",
        ),
        pytest.param(
            "AT215",
            lambda k: service_and_group(k, listener(k, target="aws_lb_target_group.other")),
            [(W, "no aws_lb_listener or aws_lb_listener_rule in this configuration forwards")],
            id="AT215-warn-config",
        ),
        pytest.param(
            "AT215",
            lambda k: service_and_group(
                k,
                k.resource(
                    "aws_lb_listener_rule",
                    values={"action": [{"type": "forward", "target_group_arn": UNKNOWN}]},
                ),
            ),
            [],
            id="AT215-unknown-rule-target",
        ),
        # AT216 aliases with the default certificate
        pytest.param(
            "AT216",
            lambda k: distribution(
                k,
                aliases=["cdn.example.com"],
                certificate={"acm_certificate_arn": UNKNOWN, "ssl_support_method": "sni-only"},
            ),
            [],
            id="AT216-pass",
        ),
        pytest.param(
            "AT216",
            lambda k: distribution(
                k,
                aliases=["cdn.example.com"],
                certificate={"cloudfront_default_certificate": True},
            ),
            [(E, "you must attach a trusted certificate")],
            id="AT216-fail",
        ),
        pytest.param(
            "AT216",
            lambda k: distribution(
                k, aliases=[], certificate={"cloudfront_default_certificate": True}
            ),
            [],
            id="AT216-pass-no-aliases",
        ),
        pytest.param(
            "AT216",
            lambda k: distribution(
                k, aliases=UNKNOWN, certificate={"cloudfront_default_certificate": True}
            ),
            [],
            id="AT216-unknown-aliases",
        ),
        # AT217 Lambda@Edge versions
        pytest.param("AT217", lambda k: edge(k, f"{EDGE_ARN}:7"), [], id="AT217-pass-literal"),
        pytest.param(
            "AT217",
            lambda k: edge(k, f"{EDGE_ARN}:$LATEST"),
            [(E, "names no function version")],
            id="AT217-fail-latest",
        ),
        pytest.param(
            "AT217",
            lambda k: edge(k, f"{EDGE_ARN}:live"),
            [(E, "names alias live")],
            id="AT217-fail-alias",
        ),
        pytest.param(
            "AT217",
            lambda k: edge(k, UNKNOWN, template="${aws_lambda_function.edge.arn}"),
            [(E, "aws_lambda_function.edge.arn is the unqualified function ARN")],
            id="AT217-fail-unqualified-reference",
        ),
        pytest.param(
            "AT217",
            lambda k: edge(k, UNKNOWN, template="${aws_lambda_function.edge.qualified_arn}"),
            [(E, "ends in $LATEST because the function does not set publish = true")],
            id="AT217-fail-unpublished",
        ),
        pytest.param(
            "AT217",
            lambda k: edge(
                k, UNKNOWN, template="${aws_lambda_function.edge.qualified_arn}", publish=True
            ),
            [],
            id="AT217-pass-published",
        ),
        pytest.param(
            "AT217",
            lambda k: edge(
                k,
                UNKNOWN,
                template="${aws_lambda_function.edge.qualified_arn}",
                publish=True,
                region="eu-north-1",
            ),
            [(E, "Lambda@Edge functions must be in us-east-1")],
            id="AT217-fail-region",
        ),
        pytest.param(
            "AT217",
            lambda k: edge(k, UNKNOWN, template="${var.edge_arn}"),
            [],
            id="AT217-unknown",
        ),
        # PLAN100 create-before-destroy with a fixed name
        pytest.param(
            "PLAN100",
            lambda k: replaced(
                k, "aws_iam_role", actions=("create", "delete"), before="app", after="app"
            ),
            [(E, "EntityAlreadyExists: Role with name app already exists")],
            id="PLAN100-fail-role",
        ),
        pytest.param(
            "PLAN100",
            lambda k: replaced(
                k,
                "aws_lb_target_group",
                actions=("create", "delete"),
                before="tg-1",
                after="tg-2",
            ),
            [],
            id="PLAN100-pass-new-name",
        ),
        pytest.param(
            "PLAN100",
            lambda k: replaced(
                k, "aws_iam_role", actions=("delete", "create"), before="app", after="app"
            ),
            [],
            id="PLAN100-pass-destroy-first",
        ),
        pytest.param(
            "PLAN100",
            lambda k: replaced(
                k,
                "aws_db_parameter_group",
                actions=("create", "delete"),
                before="pg",
                after=UNKNOWN,
            ),
            [],
            id="PLAN100-unknown-name",
        ),
        pytest.param(
            "PLAN100",
            lambda k: replaced(
                k,
                "aws_iam_role",
                actions=("create", "delete"),
                before="a",
                after="a",
                kind="config",
            ),
            [],
            id="PLAN100-pass-config-not-checked",
        ),
        # PLAN101 destroy-before-create of something in use
        pytest.param(
            "PLAN101",
            lambda k: replaced(
                k,
                "aws_db_parameter_group",
                actions=("delete", "create"),
                before="pg",
                after="pg",
                users=[
                    k.resource(
                        "aws_db_instance",
                        "db",
                        values={},
                        actions=("update",),
                        references={"parameter_group_name": "aws_db_parameter_group.x"},
                    )
                ],
            ),
            [(E, "InvalidDBParameterGroupState")],
            id="PLAN101-fail-parameter-group",
        ),
        pytest.param(
            "PLAN101",
            lambda k: replaced(
                k,
                "aws_security_group",
                actions=("delete", "create"),
                before="sg",
                after="sg",
                users=[
                    k.resource(
                        "aws_lb",
                        "alb",
                        values={},
                        actions=("update",),
                        references={"security_groups": "aws_security_group.x"},
                    )
                ],
            ),
            [(E, "DependencyViolation")],
            id="PLAN101-fail-security-group",
        ),
        pytest.param(
            "PLAN101",
            lambda k: replaced(
                k,
                "aws_acm_certificate",
                "domain_name",
                actions=("delete", "create"),
                before="a.example.com",
                after="b.example.com",
                users=[
                    k.resource(
                        "aws_acm_certificate_validation",
                        "v",
                        values={},
                        actions=("delete", "create"),
                        references={"certificate_arn": "aws_acm_certificate.x"},
                    ),
                    k.resource(
                        "aws_lb_listener",
                        "https",
                        values={},
                        actions=("update",),
                        references={"certificate_arn": "aws_acm_certificate_validation.v"},
                    ),
                ],
            ),
            [(E, "aws_lb_listener.https still uses it")],
            id="PLAN101-fail-certificate-through-validation",
        ),
        pytest.param(
            "PLAN101",
            lambda k: replaced(
                k,
                "aws_security_group",
                actions=("create", "delete"),
                before=UNKNOWN,
                after=UNKNOWN,
                users=[
                    k.resource(
                        "aws_lb",
                        "alb",
                        values={},
                        actions=("update",),
                        references={"security_groups": "aws_security_group.x"},
                    )
                ],
            ),
            [],
            id="PLAN101-pass-create-before-destroy",
        ),
        pytest.param(
            "PLAN101",
            lambda k: replaced(
                k,
                "aws_security_group",
                actions=("delete", "create"),
                before="sg",
                after="sg",
                users=[
                    k.resource(
                        "aws_ssm_parameter",
                        "p",
                        values={},
                        actions=("update",),
                        references={"value": "aws_security_group.x"},
                    ),
                    k.resource(
                        "aws_lb",
                        "alb",
                        values={},
                        actions=("delete", "create"),
                        references={"security_groups": "aws_security_group.x"},
                    ),
                ],
            ),
            [],
            id="PLAN101-pass-no-blocking-user",
        ),
        pytest.param(
            "PLAN101",
            lambda k: replaced(
                k,
                "aws_security_group",
                actions=("delete", "create"),
                before=UNKNOWN,
                after=UNKNOWN,
                users=[
                    k.resource(
                        "aws_instance",
                        "vm",
                        values={"vpc_security_group_ids": UNKNOWN},
                        actions=("update",),
                    )
                ],
            ),
            [],
            id="PLAN101-unknown-link",
        ),
    ],
)
def test_relation_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
