"""Table rows for networking, messaging and platform services: ELB, VPC security groups,
Route 53, KMS, CloudWatch, EventBridge, EventBridge Scheduler, ECR, ElastiCache.

Each row is one rule (see ``policies/rules/tables.py``); every failing example here passes
``terraform validate`` and ``terraform plan`` with the AWS provider and fails when AWS sees it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from policies.rules._helpers import flag
from policies.rules.tables import (
    Block,
    Row,
    custom,
    exclusive,
    less_than,
    matches,
    pattern,
    read,
    register,
    required,
)

TARGET_GROUP = "aws_lb_target_group"
LISTENER = "aws_lb_listener"
SECURITY_GROUP = "aws_security_group"
RECORD = "aws_route53_record"
KEY = "aws_kms_key"
ALARM = "aws_cloudwatch_metric_alarm"
EVENT_RULE = "aws_cloudwatch_event_rule"
SCHEDULE = "aws_scheduler_schedule"
REPOSITORY = "aws_ecr_repository"
REPLICATION_GROUP = "aws_elasticache_replication_group"
METRIC_FILTER = "aws_cloudwatch_log_metric_filter"
SUBSCRIPTION = "aws_sns_topic_subscription"
HTTP_API = "aws_apigatewayv2_api"

# -- schedule expressions (EventBridge rules and Scheduler) --------------------------------

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_AT = re.compile(r"^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$")
_NUMBERS = re.compile(r"\d+")


def _cron_problem(fields: list[str]) -> str | None:
    if len(fields) != 6:
        return (
            f"has {len(fields)} cron fields; AWS cron takes 6 "
            "(minutes hours day-of-month month day-of-week year)"
        )
    minutes, hours, day_of_month, _month, day_of_week, _year = fields
    if (day_of_month == "?") == (day_of_week == "?"):
        return "must use '?' in exactly one of day-of-month and day-of-week"
    if any(int(n) > 59 for n in _NUMBERS.findall(minutes)):
        return "has a minutes value above 59"
    if any(int(n) > 23 for n in _NUMBERS.findall(hours)):
        return "has an hours value above 23"
    return None


def _schedule_problem(expression: str, *, allow_at: bool) -> str | None:
    if allow_at and _AT.match(expression):
        return None
    if rate := _RATE.match(expression):
        value, unit = int(rate[1]), rate[2]
        if value == 0:
            return f"'{expression}' has a rate of 0"
        if (value == 1) == unit.endswith("s"):
            wanted = unit.rstrip("s") if value == 1 else unit + "s"
            return f"'{expression}' must say '{value} {wanted}' (singular for 1, plural above)"
        return None
    if cron := _CRON.match(expression):
        problem = _cron_problem(cron[1].split())
        return f"'{expression}' {problem}" if problem else None
    kinds = "at(...), rate(...) or cron(...)" if allow_at else "rate(...) or cron(...)"
    return f"'{expression}' is not {kinds}"


def _event_rule_schedule(value: str) -> str | None:
    return _schedule_problem(value, allow_at=False)


def _scheduler_schedule(value: str) -> str | None:
    return _schedule_problem(value, allow_at=True)


# -- other checks ----------------------------------------------------------------------------


def _non_ascii(value: str) -> str | None:
    bad = sorted({c for c in value if ord(c) > 0x7E or ord(c) < 0x20})
    if not bad:
        return None
    return "contains characters beyond ASCII (" + " ".join(f"U+{ord(c):04X}" for c in bad[:3]) + ")"


def _txt_too_long(block: Block) -> str | None:
    if read(block, "type") not in ("TXT", "SPF"):
        return None
    records = read(block, "records")
    if not isinstance(records, list):
        return None
    for record in records:
        if not isinstance(record, str) or "${" in record:
            continue
        # The provider quotes the whole value; '""' inside it separates character strings.
        longest = max(len(part) for part in record.split('""'))
        if longest > 255:
            return f"has a TXT character string of {longest} characters (Route 53 allows 255)"
    return None


def _rotation_on_asymmetric_key(block: Block) -> str | None:
    spec = read(block, "customer_master_key_spec", "SYMMETRIC_DEFAULT")
    if flag(read(block, "enable_key_rotation", False)) is not True or not isinstance(spec, str):
        return None
    if spec == "SYMMETRIC_DEFAULT":
        return None
    return f"enables automatic rotation on a {spec} key (only symmetric encryption keys rotate)"


_ECR_NAME = pattern(
    r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*",
    "must be lowercase letters and digits, separated by single '.', '_', '-' or '/'",
)


def _ecr_name(value: str) -> str | None:
    if not 2 <= len(value) <= 256:
        return f"is {len(value)} characters; ECR allows 2-256"
    return _ECR_NAME(value)


def _subscription_redrive_receive_count(block: Block) -> str | None:
    raw = read(block, "redrive_policy")
    if not isinstance(raw, str):
        return None
    try:
        policy = json.loads(raw)
    except ValueError:
        return None  # invalid JSON is the provider's to reject
    if isinstance(policy, dict) and "maxReceiveCount" in policy:
        return "redrive_policy sets maxReceiveCount, which only SQS queue redrive policies have"
    return None


def _credentials_with_any_origin(block: Block) -> str | None:
    origins = read(block, "allow_origins")
    if flag(read(block, "allow_credentials", False)) is not True or not isinstance(origins, list):
        return None
    return "allows credentials for allow_origins '*'" if "*" in origins else None


_HTTP_API: dict[str, Any] = {"name": "catalog-api", "protocol_type": "HTTP"}
_METRIC_FILTER: dict[str, Any] = {
    "name": "catalog-api-errors",
    "log_group_name": "/ecs/catalog-api",
    "pattern": '{ $.level = "error" }',
}
_SUBSCRIPTION: dict[str, Any] = {
    "topic_arn": "arn:aws:sns:eu-north-1:123456789012:catalog-events",
    "protocol": "sqs",
    "endpoint": "arn:aws:sqs:eu-north-1:123456789012:catalog-events",
}
_TARGET_GROUP: dict[str, Any] = {
    "name": "catalog-api",
    "port": 3000,
    "protocol": "HTTP",
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "target_type": "ip",
}
_LISTENER: dict[str, Any] = {
    "load_balancer_arn": (
        "arn:aws:elasticloadbalancing:eu-north-1:123456789012:loadbalancer/app/catalog-api/50dc6c495c0c9188"
    ),
    "port": 443,
    "protocol": "HTTPS",
    "default_action": [
        {
            "type": "fixed-response",
            "fixed_response": [{"content_type": "text/plain", "status_code": "404"}],
        }
    ],
}
_ALARM: dict[str, Any] = {
    "alarm_name": "catalog-api-5xx",
    "comparison_operator": "GreaterThanThreshold",
    "metric_name": "HTTPCode_Target_5XX_Count",
    "namespace": "AWS/ApplicationELB",
    "period": 60,
    "statistic": "Sum",
    "threshold": 10,
}
_SCHEDULE: dict[str, Any] = {
    "name": "catalog-api-nightly",
    "flexible_time_window": [{"mode": "OFF"}],
    "target": [
        {
            "arn": "arn:aws:sqs:eu-north-1:123456789012:catalog-api-jobs",
            "role_arn": "arn:aws:iam::123456789012:role/catalog-api-scheduler",
        }
    ],
}
_REPLICATION_GROUP: dict[str, Any] = {
    "replication_group_id": "catalog-api",
    "description": "catalog API cache",
    "engine": "redis",
    "node_type": "cache.t4g.micro",
    "num_cache_clusters": 2,
    "automatic_failover_enabled": True,
}
_TXT_KEY = "v=DKIM1; k=rsa; p=" + "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" * 7

register(
    Row(
        id="AT120",
        title="Target group health check timeout not below its interval",
        service="elbv2",
        failure_class="value-combination",
        resource_types=(TARGET_GROUP,),
        scope=("health_check",),
        predicate=less_than("timeout", "interval", interval=30),
        error="ValidationError: Health check interval must be greater than the timeout.",
        source="https://github.com/terraform-linters/tflint-ruleset-aws/issues/404",
        extra_sources=(
            "https://github.com/hashicorp/terraform-provider-aws/issues/2366",
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
        ),
        why=(
            "A target group's health check `timeout` must be shorter than its `interval` "
            "(default 30 s). The provider checks each range (interval 5-300, timeout 2-120) but "
            "not the pair, so `interval = 5` with a timeout of 5 or more fails when the target "
            "group is created or modified. An absent timeout is not judged: its default depends "
            "on the protocol and target type."
        ),
        fix="Set timeout below interval (e.g. interval = 10, timeout = 5).",
        failing={
            **_TARGET_GROUP,
            "health_check": [{"path": "/healthz", "interval": 5, "timeout": 5}],
        },
        passing={
            **_TARGET_GROUP,
            "health_check": [{"path": "/healthz", "interval": 10, "timeout": 5}],
        },
        more_failing=({**_TARGET_GROUP, "health_check": [{"path": "/healthz", "timeout": 60}]},),
    ),
    Row(
        id="AT121",
        title="HTTPS listener without a certificate",
        service="elbv2",
        failure_class="value-combination",
        resource_types=(LISTENER,),
        predicate=required("certificate_arn", when={"protocol": {"HTTPS"}}),
        error="ValidationError: A certificate must be specified for HTTPS listeners",
        source="https://github.com/cn-terraform/terraform-aws-nexus/issues/42",
        extra_sources=(
            "https://github.com/pulumi/pulumi-awsx/issues/1242",
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html",
        ),
        why=(
            "An HTTPS listener needs a default certificate in `certificate_arn` (more may be "
            "added with `aws_lb_listener_certificate`, but not the default one). The provider "
            "accepts the listener without it; Elastic Load Balancing rejects it at create. A "
            "`certificate_arn` that refers to another resource counts as set."
        ),
        fix="Set certificate_arn to a validated ACM certificate in the load balancer's region.",
        failing=_LISTENER,
        passing={
            **_LISTENER,
            "certificate_arn": (
                "arn:aws:acm:eu-north-1:123456789012:certificate/"
                "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
            ),
        },
    ),
    Row(
        id="AT122",
        title="Security group description with characters beyond ASCII",
        service="ec2",
        failure_class="invalid-value",
        resource_types=(SECURITY_GROUP,),
        predicate=matches("description", _non_ascii),
        error=(
            "InvalidParameterValue: Value (...) for parameter GroupDescription is invalid. "
            "Character sets beyond ASCII are not supported."
        ),
        source="https://github.com/psd401/aistudio/pull/1049",
        extra_sources=(
            "https://github.com/psd401/aistudio/pull/1149",
            "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
        ),
        why=(
            "A security group's description is ASCII only. An em dash, an arrow or an accented "
            "letter passes the provider (it checks the length) and EC2 rejects the group at "
            "create. Changing the description later replaces the group."
        ),
        fix="Write the description in ASCII (-, ->, ue for ü).",
        failing={
            "name": "catalog-api-db",
            "description": "Zugriff f\u00fcr die API \u2013 Datenbank",
        },
        passing={"name": "catalog-api-db", "description": "Zugriff fuer die API - Datenbank"},
    ),
    Row(
        id="AT123",
        title="Route 53 TXT record string longer than 255 characters",
        service="route53",
        failure_class="invalid-value",
        resource_types=(RECORD,),
        predicate=custom(_txt_too_long),
        error=(
            "InvalidChangeBatch: [Invalid Resource Record: 'FATAL problem: "
            "CharacterStringTooLong (Value is too long) encountered with ...']"
        ),
        source="https://github.com/hashicorp/terraform-provider-aws/issues/46922",
        extra_sources=(
            "https://github.com/boto/boto3/issues/1462",
            "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#TXTFormat",
        ),
        why=(
            "Each character string in a TXT (or SPF) record holds at most 255 characters; a "
            "longer value, typically a 2048-bit DKIM key, must be split into several strings. "
            "The provider wraps each `records` element in quotes and passes it through, so "
            "plan succeeds and Route 53 rejects the change batch at apply (the provider issue "
            "asks for exactly this plan-time check)."
        ),
        fix=(
            'Split the value: "first-255-characters\\"\\"rest" (the provider joins the parts '
            "as separate strings)."
        ),
        failing={
            "zone_id": "Z0123456789ABCDEFGHIJ",
            "name": "sel1._domainkey.catalog.example.com",
            "type": "TXT",
            "ttl": 300,
            "records": [_TXT_KEY],
        },
        passing={
            "zone_id": "Z0123456789ABCDEFGHIJ",
            "name": "sel1._domainkey.catalog.example.com",
            "type": "TXT",
            "ttl": 300,
            "records": [_TXT_KEY[:250] + '""' + _TXT_KEY[250:]],
        },
    ),
    Row(
        id="AT124",
        title="KMS automatic rotation enabled on an asymmetric or HMAC key",
        service="kms",
        failure_class="value-combination",
        resource_types=(KEY,),
        predicate=custom(_rotation_on_asymmetric_key),
        error="creating KMS Key: key rotation: UnsupportedOperationException",
        source="https://github.com/terraform-aws-modules/terraform-aws-kms/issues/20",
        extra_sources=("https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",),
        why=(
            "Only symmetric encryption keys rotate automatically; asymmetric (RSA, ECC) and "
            "HMAC keys do not. The provider creates the key and then fails enabling rotation, "
            "leaving a key in the account that the failed apply does not record cleanly."
        ),
        fix=(
            "Remove enable_key_rotation for SIGN_VERIFY / asymmetric / HMAC keys (rotate them "
            "by replacing the key)."
        ),
        failing={
            "description": "catalog API token signing",
            "key_usage": "SIGN_VERIFY",
            "customer_master_key_spec": "ECC_NIST_P256",
            "enable_key_rotation": True,
        },
        passing={
            "description": "catalog API token signing",
            "key_usage": "SIGN_VERIFY",
            "customer_master_key_spec": "ECC_NIST_P256",
        },
        more_passing=({"description": "catalog API data", "enable_key_rotation": True},),
    ),
    Row(
        id="AT125",
        title="CloudWatch alarm datapoints_to_alarm above evaluation_periods",
        service="cloudwatch",
        failure_class="value-combination",
        resource_types=(ALARM,),
        predicate=less_than("datapoints_to_alarm", "evaluation_periods", or_equal=True),
        error="ValidationError: DatapointsToAlarm must be less than or equal to EvaluationPeriods",
        source="https://github.com/hashicorp/terraform/issues/24070",
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation",
        ),
        why=(
            'An "M out of N" alarm fires when M (`datapoints_to_alarm`) of the last N '
            "(`evaluation_periods`) data points breach, so M cannot exceed N. The provider "
            "checks each value's minimum only; CloudWatch rejects the alarm."
        ),
        fix="Set datapoints_to_alarm <= evaluation_periods.",
        failing={**_ALARM, "evaluation_periods": 1, "datapoints_to_alarm": 3},
        passing={**_ALARM, "evaluation_periods": 5, "datapoints_to_alarm": 3},
    ),
    Row(
        id="AT126",
        title="EventBridge rule schedule_expression AWS does not parse",
        service="events",
        failure_class="invalid-value",
        resource_types=(EVENT_RULE,),
        predicate=matches("schedule_expression", _event_rule_schedule),
        error="ValidationException: Parameter ScheduleExpression is not valid.",
        source="https://github.com/cds-snc/notification-terraform/pull/344",
        extra_sources=(
            "https://github.com/winglang/wing/issues/7115",
            "https://github.com/aws/aws-cdk/issues/32753",
            "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html",
        ),
        why=(
            "EventBridge cron has six fields (minutes hours day-of-month month day-of-week "
            "year), not Unix cron's five, and exactly one of day-of-month and day-of-week must "
            "be `?`; `rate()` wants a singular unit for 1 (`rate(1 minute)`) and a plural one "
            "above. The provider checks only the length, so a Unix-style `cron(0 12 * * *)` "
            "fails when the rule is created."
        ),
        fix=(
            "Use six cron fields with one '?' (cron(0 12 * * ? *)), or rate(1 minute) / rate(5 "
            "minutes)."
        ),
        failing={"name": "catalog-api-nightly", "schedule_expression": "cron(0 12 * * *)"},
        passing={"name": "catalog-api-nightly", "schedule_expression": "cron(0 12 * * ? *)"},
        more_failing=(
            {"name": "catalog-api-poll", "schedule_expression": "rate(1 minutes)"},
            {"name": "catalog-api-poll", "schedule_expression": "cron(*/60 * * * ? *)"},
            {"name": "catalog-api-poll", "schedule_expression": "cron(0 12 * * MON *)"},
        ),
        more_passing=(
            {"name": "catalog-api-poll", "schedule_expression": "rate(5 minutes)"},
            {"name": "catalog-api-poll", "schedule_expression": "cron(0/15 8-18 ? * MON-FRI *)"},
        ),
    ),
    Row(
        id="AT127",
        title="EventBridge Scheduler schedule_expression AWS does not parse",
        service="scheduler",
        failure_class="invalid-value",
        resource_types=(SCHEDULE,),
        predicate=matches("schedule_expression", _scheduler_schedule),
        error="ValidationException: Invalid Schedule Expression",
        source="https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html",
        extra_sources=("https://github.com/localstack/localstack/pull/12191",),
        why=(
            "EventBridge Scheduler takes `at(yyyy-mm-ddThh:mm:ss)`, `rate(value unit)` or a "
            "six-field `cron(...)` with the same rules as EventBridge rules (see AT126). The "
            "provider checks only that the string is not empty. The exact API message was not "
            "found in a public thread; the syntax is from the Scheduler user guide."
        ),
        fix="Use at(...), rate(1 hour) / rate(2 hours), or cron(0 3 * * ? *).",
        failing={**_SCHEDULE, "schedule_expression": "cron(0 3 * * *)"},
        passing={**_SCHEDULE, "schedule_expression": "cron(0 3 * * ? *)"},
        more_passing=({**_SCHEDULE, "schedule_expression": "at(2027-01-01T03:00:00)"},),
        more_failing=({**_SCHEDULE, "schedule_expression": "rate(1 hours)"},),
    ),
    Row(
        id="AT128",
        title="ECR repository name AWS rejects (uppercase, bad separators)",
        service="ecr",
        failure_class="invalid-value",
        resource_types=(REPOSITORY,),
        predicate=matches("name", _ecr_name),
        error=(
            "InvalidParameterException: Invalid parameter at 'repositoryName' failed to satisfy "
            "constraint: 'must satisfy regular expression "
            "'(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''"
        ),
        source="https://github.com/jenkins-x/jx/issues/1344",
        extra_sources=(
            "https://github.com/terraform-aws-modules/terraform-aws-ecr/pull/67",
            "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html",
        ),
        why=(
            "ECR repository names are lowercase letters and digits joined by single `.`, `_`, "
            "`-` or `/`, 2-256 characters. The provider passes the name through, so a name "
            "derived from a mixed-case project or GitHub repository fails at create."
        ),
        fix="Lowercase the name and use single separators (catalog-api/worker).",
        failing={"name": "Catalog-API"},
        passing={"name": "catalog-api"},
        more_failing=({"name": "catalog--api"},),
        more_passing=({"name": "team/catalog-api.worker_v2"},),
    ),
    Row(
        id="AT129",
        title="ElastiCache AUTH token without in-transit encryption",
        service="elasticache",
        failure_class="value-combination",
        resource_types=(REPLICATION_GROUP,),
        predicate=custom(
            lambda block: (
                "sets auth_token without transit_encryption_enabled = true"
                if isinstance(read(block, "auth_token"), str)
                and flag(read(block, "transit_encryption_enabled", False)) is False
                else None
            )
        ),
        error=(
            "AUTH can only be enabled when creating clusters where in-transit encryption is enabled"
        ),
        source="https://docs.aws.amazon.com/AmazonElastiCache/latest/UserGuide/auth.html",
        extra_sources=("https://github.com/cloudposse/terraform-aws-elasticache-redis/issues/22",),
        why=(
            "Redis AUTH tokens travel in the clear unless TLS is on, so ElastiCache accepts "
            "`auth_token` only on a replication group with in-transit encryption. "
            "`transit_encryption_enabled` defaults to false and the provider does not tie the "
            "two together. The quoted sentence is the ElastiCache user guide's constraint; the "
            "API error wording was not found in a public thread. The finding never quotes the "
            "token."
        ),
        fix="Set transit_encryption_enabled = true (clients must then connect with TLS).",
        failing={**_REPLICATION_GROUP, "auth_token": "example-token-0123456789"},
        passing={
            **_REPLICATION_GROUP,
            "auth_token": "example-token-0123456789",
            "transit_encryption_enabled": True,
        },
    ),
    Row(
        id="AT131",
        title="CloudWatch Logs metric filter with both default_value and dimensions",
        service="logs",
        failure_class="value-combination",
        resource_types=(METRIC_FILTER,),
        scope=("metric_transformation",),
        predicate=exclusive("default_value", "dimensions"),
        error=(
            "InvalidParameterException: Invalid metric transformation: dimensions and default "
            "value are mutually exclusive properties"
        ),
        source=(
            "https://github.com/aws-solutions-library-samples/guidance-for-claude-code-with-amazon-bedrock/pull/632"
        ),
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricTransformation.html",
        ),
        why=(
            "A metric filter either emits a default value when nothing matches or publishes "
            "per-dimension metrics, never both. The provider accepts both in one "
            "`metric_transformation`; CloudWatch Logs rejects the filter."
        ),
        fix="Remove default_value (dimensioned metrics have no default) or the dimensions.",
        failing={
            **_METRIC_FILTER,
            "metric_transformation": [
                {
                    "name": "Errors",
                    "namespace": "CatalogApi",
                    "value": "1",
                    "default_value": "0",
                    "dimensions": {"Service": "$.service"},
                }
            ],
        },
        passing={
            **_METRIC_FILTER,
            "metric_transformation": [
                {
                    "name": "Errors",
                    "namespace": "CatalogApi",
                    "value": "1",
                    "dimensions": {"Service": "$.service"},
                }
            ],
        },
    ),
    Row(
        id="AT132",
        title="SNS subscription redrive policy with an SQS-only maxReceiveCount",
        service="sns",
        failure_class="invalid-value",
        resource_types=(SUBSCRIPTION,),
        predicate=custom(_subscription_redrive_receive_count),
        error=(
            "InvalidParameter: Invalid parameter: Attributes Reason: RedrivePolicy: invalid "
            "JSON. Attribute maxReceiveCount is unknown."
        ),
        source="https://github.com/cloudposse/terraform-aws-sns-topic/issues/48",
        extra_sources=(
            "https://github.com/ministryofjustice/cloud-platform-environments/pull/11520",
            "https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html",
        ),
        why=(
            "An SNS subscription's redrive policy names only the dead-letter queue "
            "(`deadLetterTargetArn`); SNS retries on its own schedule. Copying an SQS redrive "
            "policy with `maxReceiveCount` passes the provider's JSON check and SNS rejects "
            "the subscription."
        ),
        fix='Use {"deadLetterTargetArn": "<queue ARN>"} only; set retries in the delivery policy.',
        failing={
            **_SUBSCRIPTION,
            "redrive_policy": json.dumps(
                {
                    "deadLetterTargetArn": "arn:aws:sqs:eu-north-1:123456789012:catalog-events-dlq",
                    "maxReceiveCount": 5,
                }
            ),
        },
        passing={
            **_SUBSCRIPTION,
            "redrive_policy": json.dumps(
                {"deadLetterTargetArn": "arn:aws:sqs:eu-north-1:123456789012:catalog-events-dlq"}
            ),
        },
    ),
    Row(
        id="AT133",
        title="HTTP API CORS allows credentials for any origin",
        service="apigateway",
        failure_class="value-combination",
        resource_types=(HTTP_API,),
        scope=("cors_configuration",),
        predicate=custom(_credentials_with_any_origin),
        error=("BadRequestException: allow-credentials is not supported if 'allow-origin' is *"),
        source="https://github.com/aws/aws-cdk/issues/9076",
        extra_sources=(
            "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html",
        ),
        why=(
            "Browsers never send credentials to a wildcard origin, and API Gateway refuses the "
            "combination: with `allow_credentials = true` the origins must be listed. The "
            'provider accepts `allow_origins = ["*"]` with credentials, and the API fails at '
            "create or update."
        ),
        fix="List the allowed origins (https://app.example.com) or drop allow_credentials.",
        failing={
            **_HTTP_API,
            "cors_configuration": [{"allow_credentials": True, "allow_origins": ["*"]}],
        },
        passing={
            **_HTTP_API,
            "cors_configuration": [
                {"allow_credentials": True, "allow_origins": ["https://catalog.example.com"]}
            ],
        },
        more_passing=({**_HTTP_API, "cors_configuration": [{"allow_origins": ["*"]}]},),
    ),
)
