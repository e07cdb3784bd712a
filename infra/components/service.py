"""ECS Fargate service on FARGATE/FARGATE_SPOT capacity providers, behind the ALB."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.appautoscaling_policy import (
    AppautoscalingPolicy,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
)
from cdktf_cdktf_provider_aws.appautoscaling_target import AppautoscalingTarget
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.ecs_cluster import EcsCluster, EcsClusterSetting
from cdktf_cdktf_provider_aws.ecs_cluster_capacity_providers import (
    EcsClusterCapacityProviders,
    EcsClusterCapacityProvidersDefaultCapacityProviderStrategy,
)
from cdktf_cdktf_provider_aws.ecs_service import (
    EcsService,
    EcsServiceCapacityProviderStrategy,
    EcsServiceDeploymentCircuitBreaker,
    EcsServiceLoadBalancer,
    EcsServiceNetworkConfiguration,
)
from cdktf_cdktf_provider_aws.ecs_task_definition import (
    EcsTaskDefinition,
    EcsTaskDefinitionRuntimePlatform,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import (
    VpcSecurityGroupIngressRule,
)
from constructs import Construct

from infra.components.iam import Statement, policy_document, service_trust_policy
from infra.components.load_balancer import LoadBalancerTarget
from infra.config import AutoscalingConfig, CapacityProviderSplit, ServiceConfig

CONTAINER_NAME = "catalog-api"
ON_DEMAND = "FARGATE"
SPOT = "FARGATE_SPOT"


def capacity_strategy(split: CapacityProviderSplit) -> list[EcsServiceCapacityProviderStrategy]:
    """The split as a strategy; a provider with neither base nor weight is left out."""
    strategy = []
    if split.on_demand_base or split.on_demand_weight:
        strategy.append(
            EcsServiceCapacityProviderStrategy(
                capacity_provider=ON_DEMAND,
                base=split.on_demand_base,
                weight=split.on_demand_weight,
            )
        )
    if split.spot_weight:
        strategy.append(
            EcsServiceCapacityProviderStrategy(capacity_provider=SPOT, weight=split.spot_weight)
        )
    return strategy


@dataclass(frozen=True, kw_only=True)
class ServiceSecrets:
    """The secrets a task reads, and the keys that decrypt them."""

    database_secret_arn: str  # RDS-managed master user secret, injected at task start
    database_secret_key_arn: str
    runtime_secret_arns: Sequence[str]  # read by the application itself
    runtime_secret_key_arn: str


def container_definition(
    *,
    image: str,
    port: int,
    environment: Mapping[str, str],
    database_secret_arn: str,
    log_group_name: str,
    region: str,
) -> dict[str, Any]:
    """The one container of the task, as ECS's container definition JSON."""
    return {
        "name": CONTAINER_NAME,
        "image": image,
        "essential": True,
        "readonlyRootFilesystem": True,
        "portMappings": [{"containerPort": port, "protocol": "tcp"}],
        "environment": [
            {"name": key, "value": value} for key, value in sorted(environment.items())
        ],
        # ECS reads the RDS-managed secret at task start; the value never passes
        # through Terraform.
        "secrets": [
            {"name": "DB_USERNAME", "valueFrom": f"{database_secret_arn}:username::"},
            {"name": "DB_PASSWORD", "valueFrom": f"{database_secret_arn}:password::"},
        ],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group_name,
                "awslogs-region": region,
                "awslogs-stream-prefix": CONTAINER_NAME,
            },
        },
    }


def _decrypt_via_secrets_manager(*, key_arn: str, region: str) -> Statement:
    return {
        "Sid": "DecryptSecrets",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": key_arn,
        "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
    }


class Service(Construct):
    """The ECS cluster and service: security group, roles, task definition, autoscaling."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        config: ServiceConfig,
        region: str,
        account_id: str,
        vpc_id: str,
        subnets: list[Subnet],
        log_kms_key_arn: str,
        environment: Mapping[str, str],
        secrets: ServiceSecrets,
        load_balancer: LoadBalancerTarget,
    ) -> None:
        super().__init__(scope, id)
        self._add_cluster(
            name=name, log_retention_days=config.log_retention_days, log_kms_key_arn=log_kms_key_arn
        )
        self._add_security_group(
            name=name,
            vpc_id=vpc_id,
            load_balancer_security_group_id=load_balancer.security_group_id,
            port=config.container_port,
        )
        self._add_execution_role(name=name, region=region, account_id=account_id, secrets=secrets)
        self._add_task_role(name=name, region=region, account_id=account_id, secrets=secrets)
        self._add_task_definition(
            name=name,
            config=config,
            container=container_definition(
                image=config.image,
                port=config.container_port,
                environment=environment,
                database_secret_arn=secrets.database_secret_arn,
                log_group_name=self.log_group.name,
                region=region,
            ),
        )
        self._add_service(name=name, config=config, subnets=subnets, load_balancer=load_balancer)
        self._add_autoscaling(name=name, autoscaling=config.autoscaling)

    def _add_cluster(self, *, name: str, log_retention_days: int, log_kms_key_arn: str) -> None:
        self.cluster = EcsCluster(
            self,
            "cluster",
            name=name,
            setting=[EcsClusterSetting(name="containerInsights", value="enabled")],
        )
        self.capacity_providers = EcsClusterCapacityProviders(
            self,
            "capacity-providers",
            cluster_name=self.cluster.name,
            capacity_providers=[ON_DEMAND, SPOT],
            default_capacity_provider_strategy=[
                EcsClusterCapacityProvidersDefaultCapacityProviderStrategy(
                    capacity_provider=ON_DEMAND, weight=1
                )
            ],
        )
        self.log_group = CloudwatchLogGroup(
            self,
            "log-group",
            name=f"/ecs/{name}",
            retention_in_days=log_retention_days,
            kms_key_id=log_kms_key_arn,
        )

    def _add_security_group(
        self, *, name: str, vpc_id: str, load_balancer_security_group_id: str, port: int
    ) -> None:
        self.security_group = SecurityGroup(
            self,
            "security-group",
            name=f"{name}-tasks",
            description=f"{name} ECS tasks",
            vpc_id=vpc_id,
            tags={"Name": f"{name}-tasks"},
        )
        VpcSecurityGroupIngressRule(
            self,
            "from-load-balancer",
            security_group_id=self.security_group.id,
            referenced_security_group_id=load_balancer_security_group_id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description="Application port from the ALB",
        )
        # Image pulls, Secrets Manager, CloudWatch Logs: all AWS APIs over HTTPS via NAT.
        VpcSecurityGroupEgressRule(
            self,
            "https-out",
            security_group_id=self.security_group.id,
            cidr_ipv4="0.0.0.0/0",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="HTTPS to AWS APIs and the image registry",
        )

    def _add_execution_role(
        self, *, name: str, region: str, account_id: str, secrets: ServiceSecrets
    ) -> None:
        self.execution_role = IamRole(
            self,
            "execution-role",
            name=f"{name}-execution",
            assume_role_policy=service_trust_policy(
                service="ecs-tasks.amazonaws.com", account_id=account_id
            ),
        )
        # Written out instead of AmazonECSTaskExecutionRolePolicy, which allows every log
        # group and every ECR repository in the account.
        IamRolePolicy(
            self,
            "execution-role-policy",
            name="start-tasks",
            role=self.execution_role.id,
            policy=policy_document(
                [
                    {
                        "Sid": "WriteLogs",
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"{self.log_group.arn}:*",
                    },
                    {
                        "Sid": "InjectDatabaseSecret",
                        "Effect": "Allow",
                        "Action": "secretsmanager:GetSecretValue",
                        "Resource": secrets.database_secret_arn,
                    },
                    _decrypt_via_secrets_manager(
                        key_arn=secrets.database_secret_key_arn, region=region
                    ),
                ]
            ),
        )

    def _add_task_role(
        self, *, name: str, region: str, account_id: str, secrets: ServiceSecrets
    ) -> None:
        self.task_role = IamRole(
            self,
            "task-role",
            name=f"{name}-task",
            assume_role_policy=service_trust_policy(
                service="ecs-tasks.amazonaws.com", account_id=account_id
            ),
        )
        IamRolePolicy(
            self,
            "task-role-policy",
            name="read-runtime-secrets",
            role=self.task_role.id,
            policy=policy_document(
                [
                    {
                        "Sid": "ReadRuntimeSecrets",
                        "Effect": "Allow",
                        "Action": "secretsmanager:GetSecretValue",
                        "Resource": list(secrets.runtime_secret_arns),
                    },
                    _decrypt_via_secrets_manager(
                        key_arn=secrets.runtime_secret_key_arn, region=region
                    ),
                ]
            ),
        )

    def _add_task_definition(
        self, *, name: str, config: ServiceConfig, container: dict[str, Any]
    ) -> None:
        self.task_definition = EcsTaskDefinition(
            self,
            "task-definition",
            family=name,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(config.cpu),
            memory=str(config.memory),
            # FARGATE_SPOT runs x86_64 only.
            runtime_platform=EcsTaskDefinitionRuntimePlatform(
                operating_system_family="LINUX", cpu_architecture="X86_64"
            ),
            execution_role_arn=self.execution_role.arn,
            task_role_arn=self.task_role.arn,
            container_definitions=json.dumps([container]),
        )

    def _add_service(
        self,
        *,
        name: str,
        config: ServiceConfig,
        subnets: list[Subnet],
        load_balancer: LoadBalancerTarget,
    ) -> None:
        self.service = EcsService(
            self,
            "service",
            name=name,
            cluster=self.cluster.arn,
            task_definition=self.task_definition.arn,
            desired_count=config.desired_count,
            # Never launch_type: AWS rejects it together with a capacity provider strategy.
            capacity_provider_strategy=capacity_strategy(config.capacity),
            network_configuration=EcsServiceNetworkConfiguration(
                subnets=[subnet.id for subnet in subnets],
                security_groups=[self.security_group.id],
                assign_public_ip=False,
            ),
            load_balancer=[
                EcsServiceLoadBalancer(
                    target_group_arn=load_balancer.target_group_arn,
                    container_name=CONTAINER_NAME,
                    container_port=config.container_port,
                )
            ],
            deployment_circuit_breaker=EcsServiceDeploymentCircuitBreaker(
                enable=True, rollback=True
            ),
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            health_check_grace_period_seconds=60,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            # Autoscaling owns the task count; without this every plan would undo it and
            # every drift check would report it.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["desired_count"]),
            # The target group must belong to a listener, and the cluster must have the
            # capacity providers, before a service can use them.
            depends_on=[load_balancer.listener, self.capacity_providers],
        )

    def _add_autoscaling(self, *, name: str, autoscaling: AutoscalingConfig) -> None:
        self.autoscaling_target = AppautoscalingTarget(
            self,
            "autoscaling-target",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=f"service/{self.cluster.name}/{self.service.name}",
            min_capacity=autoscaling.min_count,
            max_capacity=autoscaling.max_count,
        )
        self.autoscaling_policy = AppautoscalingPolicy(
            self,
            "cpu-scaling",
            name=f"{name}-cpu",
            policy_type="TargetTrackingScaling",
            service_namespace=self.autoscaling_target.service_namespace,
            scalable_dimension=self.autoscaling_target.scalable_dimension,
            resource_id=self.autoscaling_target.resource_id,
            target_tracking_scaling_policy_configuration=AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration(
                target_value=autoscaling.cpu_target,
                predefined_metric_specification=AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification(
                    predefined_metric_type="ECSServiceAverageCPUUtilization"
                ),
                scale_in_cooldown=120,
                scale_out_cooldown=60,
            ),
        )
