"""Internet-facing ALB that only CloudFront can reach, forwarding HTTPS to the ECS tasks."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_aws.lb import Lb, LbAccessLogs
from cdktf_cdktf_provider_aws.lb_listener import LbListener, LbListenerDefaultAction
from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroup, LbTargetGroupHealthCheck
from cdktf_cdktf_provider_aws.route53_record import Route53Record, Route53RecordAlias
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import (
    VpcSecurityGroupIngressRule,
)
from constructs import Construct

from infra.components.certificate import DnsValidatedCertificate

HTTPS_PORT = 443
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
HEALTH_CHECK_PATH = "/health"


@dataclass(frozen=True, kw_only=True)
class LoadBalancerTarget:
    """What a service behind the ALB needs from it."""

    security_group_id: str  # the ALB's, admitted by the service's security group
    target_group_arn: str
    listener: ITerraformDependable  # a target group is usable once a listener forwards to it


class LoadBalancer(Construct):
    """Security group, ALB, target group, origin certificate and name, HTTPS listener."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        vpc_id: str,
        subnets: list[Subnet],
        cloudfront_prefix_list_id: str,
        target_port: int,
        origin_domain_name: str,
        zone_id: str,
        log_bucket: str,
        log_prefix: str,
        log_bucket_ready: ITerraformDependable,
        deletion_protection: bool,
    ) -> None:
        super().__init__(scope, id)
        self._add_security_group(
            name=name, vpc_id=vpc_id, cloudfront_prefix_list_id=cloudfront_prefix_list_id
        )
        self.load_balancer = Lb(
            self,
            "alb",
            name=name,  # ALB names are limited to 32 characters
            load_balancer_type="application",
            internal=False,
            security_groups=[self.security_group.id],
            subnets=[subnet.id for subnet in subnets],
            drop_invalid_header_fields=True,
            enable_deletion_protection=deletion_protection,
            access_logs=LbAccessLogs(bucket=log_bucket, prefix=log_prefix, enabled=True),
            # ELB checks write access when logging is enabled: the bucket policy must exist.
            depends_on=[log_bucket_ready],
        )
        self._add_target_group(name=name, vpc_id=vpc_id, target_port=target_port)
        self._add_https_origin(origin_domain_name=origin_domain_name, zone_id=zone_id)
        self.target = LoadBalancerTarget(
            security_group_id=self.security_group.id,
            target_group_arn=self.target_group.arn,
            listener=self.listener,
        )

    def _add_security_group(
        self, *, name: str, vpc_id: str, cloudfront_prefix_list_id: str
    ) -> None:
        self.security_group = SecurityGroup(
            self,
            "security-group",
            name=f"{name}-alb",
            description=f"{name} ALB: HTTPS from CloudFront only",
            vpc_id=vpc_id,
            tags={"Name": f"{name}-alb"},
        )
        VpcSecurityGroupIngressRule(
            self,
            "https-from-cloudfront",
            security_group_id=self.security_group.id,
            prefix_list_id=cloudfront_prefix_list_id,
            ip_protocol="tcp",
            from_port=HTTPS_PORT,
            to_port=HTTPS_PORT,
            description="HTTPS from CloudFront origin-facing servers",
        )

    def _add_target_group(self, *, name: str, vpc_id: str, target_port: int) -> None:
        self.target_group = LbTargetGroup(
            self,
            "target-group",
            name=name,
            port=target_port,
            protocol="HTTP",
            target_type="ip",  # Fargate tasks register by IP address
            vpc_id=vpc_id,
            deregistration_delay="30",
            health_check=LbTargetGroupHealthCheck(
                enabled=True,
                path=HEALTH_CHECK_PATH,
                matcher="200",
                interval=15,
                healthy_threshold=2,
                unhealthy_threshold=3,
            ),
        )

    def _add_https_origin(self, *, origin_domain_name: str, zone_id: str) -> None:
        # CloudFront checks the origin's certificate against the origin name, and nobody can
        # get one for *.elb.amazonaws.com: HTTPS to the origin needs a name we own.
        self.certificate = DnsValidatedCertificate(
            self, "origin-certificate", domain_name=origin_domain_name, zone_id=zone_id
        )
        self.origin_record = Route53Record(
            self,
            "origin-record",
            zone_id=zone_id,
            name=origin_domain_name,
            type="A",
            alias=Route53RecordAlias(
                name=self.load_balancer.dns_name,
                zone_id=self.load_balancer.zone_id,
                evaluate_target_health=True,
            ),
        )
        self.origin_domain_name = origin_domain_name
        self.listener = LbListener(
            self,
            "https-listener",
            load_balancer_arn=self.load_balancer.arn,
            port=HTTPS_PORT,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=self.certificate.validated_arn,
            default_action=[
                LbListenerDefaultAction(type="forward", target_group_arn=self.target_group.arn)
            ],
        )

    def allow_to(self, id: str, *, security_group_id: str, port: int) -> VpcSecurityGroupEgressRule:
        """Let the ALB reach one target security group on one port (its only egress)."""
        return VpcSecurityGroupEgressRule(
            self,
            id,
            security_group_id=self.security_group.id,
            referenced_security_group_id=security_group_id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description="Forward to the ECS tasks",
        )
