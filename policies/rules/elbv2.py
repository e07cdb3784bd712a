"""Elastic Load Balancing: load balancers, target groups and listeners AWS rejects, including
access logs to a bucket ELB cannot write to and subnets in too few AZs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policies.model import UNKNOWN, Document, Severity, Violation
from policies.registry import rule
from policies.toolkit.links import Unresolved, linked_resource, resources_linked_to, subnet_zones
from policies.toolkit.rows import Row, less_than, register, required
from policies.toolkit.values import blocks, first_block, flag, text

LOAD_BALANCER = "aws_lb"
BUCKET = "aws_s3_bucket"
BUCKET_ENCRYPTION = "aws_s3_bucket_server_side_encryption_configuration"
KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})


@rule(
    id="AT011",
    title="ALB access logs go to a bucket encrypted with SSE-KMS",
    severity=Severity.ERROR,
    service="elbv2",
    failure_class="cross-resource",
    source="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
    resource_types=(LOAD_BALANCER, BUCKET, BUCKET_ENCRYPTION),
)
def access_logs_to_kms_bucket(document: Document) -> Iterator[Violation]:
    for load_balancer in document.of_type(LOAD_BALANCER):
        access_logs = first_block(load_balancer.values, "access_logs")
        if access_logs is None or flag(access_logs.get("enabled")) is not True:
            continue  # the provider's default is enabled = false
        bucket = linked_resource(
            document,
            load_balancer,
            path="access_logs.bucket",
            target_types=(BUCKET,),
            name_attribute="bucket",
        )
        if bucket is None:
            continue
        try:
            configurations = resources_linked_to(
                document,
                bucket,
                source_type=BUCKET_ENCRYPTION,
                path="bucket",
                name_attribute="bucket",
            )
        except Unresolved:
            continue
        for configuration in configurations:
            for _, encryption_rule in blocks(configuration.values, "rule"):
                default = first_block(encryption_rule, "apply_server_side_encryption_by_default")
                algorithm = text(default.get("sse_algorithm")) if default else None
                if algorithm in KMS_ALGORITHMS:
                    yield Violation(
                        address=load_balancer.address,
                        resource=load_balancer,
                        message=(
                            f"access_logs go to {bucket.address}, which "
                            f"{configuration.address} encrypts with {algorithm}; ELB can only "
                            "write to SSE-S3 buckets and the apply fails "
                            "(InvalidConfigurationRequest: Access Denied for bucket); use "
                            'sse_algorithm = "AES256" for the log bucket'
                        ),
                    )


SUBNET = "aws_subnet"


@rule(
    id="AT218",
    service="elbv2",
    failure_class="cross-resource",
    source="https://github.com/kasmtech/terraform/issues/5",
    title="Load balancer subnets in one AZ (ALB) or two subnets in the same AZ",
    severity=Severity.ERROR,
    resource_types=("aws_lb", "aws_alb", SUBNET),
)
def load_balancer_subnet_zones(document: Document) -> Iterator[Violation]:
    for balancer in document.of_type("aws_lb", "aws_alb"):
        kind = balancer.values.get("load_balancer_type")
        if kind is UNKNOWN:
            continue
        kind = kind or "application"
        zones = subnet_zones(document, balancer, "subnets")
        if not zones:
            continue
        repeated = sorted({z for z in zones if zones.count(z) > 1})
        if repeated:
            yield Violation(
                address=balancer.address,
                resource=balancer,
                message=(
                    f"subnets has more than one subnet in {', '.join(repeated)}; ELB rejects "
                    "it (InvalidConfigurationRequest: A load balancer cannot be attached to "
                    "multiple subnets in the same Availability Zone)"
                ),
            )
        elif kind == "application" and len(set(zones)) < 2:
            yield Violation(
                address=balancer.address,
                resource=balancer,
                message=(
                    f"an Application Load Balancer needs subnets in at least two AZs, these are "
                    f"all in {zones[0]}; ELB rejects it (ValidationError: At least two subnets "
                    "in two different Availability Zones must be specified)"
                ),
            )


TARGET_GROUP = "aws_lb_target_group"
LISTENER = "aws_lb_listener"
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
)
