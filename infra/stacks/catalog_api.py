"""One environment of the product catalog API: composes the components, nothing more."""

from __future__ import annotations

from cdktf import Aspects, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_ec2_managed_prefix_list import DataAwsEc2ManagedPrefixList
from cdktf_cdktf_provider_aws.data_aws_elb_service_account import DataAwsElbServiceAccount
from cdktf_cdktf_provider_aws.data_aws_route53_zone import DataAwsRoute53Zone
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

from infra.backend import configure_state_backend
from infra.components.cdn import Cdn
from infra.components.database import Database
from infra.components.encryption import (
    EncryptionKey,
    account_key_policy,
    cloudwatch_logs_key_policy,
)
from infra.components.iam import PermissionsBoundaryAspect, permissions_boundary_arn
from infra.components.load_balancer import LoadBalancer
from infra.components.network import Network
from infra.components.secrets import Secrets
from infra.components.service import Service
from infra.components.storage import LogStorage
from infra.config import PROJECT, EnvironmentConfig, StateBackendConfig

CLOUDFRONT_ORIGIN_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
RUNTIME_SECRET_PURPOSES = ("app-config",)


class CatalogApiStack(TerraformStack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: EnvironmentConfig,
        state: StateBackendConfig,
    ) -> None:
        super().__init__(scope, id)
        name = config.stack_name
        default_tags = [AwsProviderDefaultTags(tags=config.tags)]
        AwsProvider(self, "aws", region=config.region, default_tags=default_tags)
        # CloudFront accepts viewer certificates from us-east-1 only.
        us_east_1 = AwsProvider(
            self, "aws-us-east-1", alias="us_east_1", region="us-east-1", default_tags=default_tags
        )
        configure_state_backend(self, config=config, state=state)

        account_id = DataAwsCallerIdentity(self, "caller").account_id
        # Every role of this stack carries the boundary the apply role is required to set.
        Aspects.of(self).add(
            PermissionsBoundaryAspect(
                permissions_boundary_arn(account_id=account_id, environment=config.name)
            )
        )
        zone_id = DataAwsRoute53Zone(
            self, "zone", name=config.hosted_zone_name, private_zone=False
        ).zone_id
        cloudfront_prefix_list = DataAwsEc2ManagedPrefixList(
            self, "cloudfront-origin-facing", name=CLOUDFRONT_ORIGIN_PREFIX_LIST
        )

        logs_key = EncryptionKey(
            self,
            "logs-key",
            alias=f"{name}-logs",
            description=f"{name} CloudWatch log groups",
            deletion_window_days=config.kms_deletion_window_days,
            policy=cloudwatch_logs_key_policy(region=config.region, account_id=account_id),
        )
        network = Network(
            self,
            "network",
            name=name,
            cidr=config.vpc_cidr,
            availability_zones=config.availability_zones,
            nat_gateway_per_az=config.nat_gateway_per_az,
            flow_log_retention_days=config.flow_log_retention_days,
            log_kms_key_arn=logs_key.key.arn,
            account_id=account_id,
        )
        logs = LogStorage(
            self,
            "storage",
            name=name,
            account_id=account_id,
            elb_account_arn=DataAwsElbServiceAccount(self, "elb-account").arn,
            expiration_days=config.log_bucket_expiration_days,
            force_destroy=not config.is_production,
        )
        database_key = EncryptionKey(
            self,
            "database-key",
            alias=f"{name}-database",
            description=f"{name} Aurora storage and master user secret",
            deletion_window_days=config.kms_deletion_window_days,
            policy=account_key_policy(account_id=account_id),
        )
        secrets_key = EncryptionKey(
            self,
            "secrets-key",
            alias=f"{name}-secrets",
            description=f"{name} application secrets",
            deletion_window_days=config.kms_deletion_window_days,
            policy=account_key_policy(account_id=account_id),
        )
        secrets = Secrets(
            self,
            "secrets",
            project=PROJECT,
            environment=config.name,
            purposes=RUNTIME_SECRET_PURPOSES,
            recovery_window_days=config.secret_recovery_window_days,
            kms_key_arn=secrets_key.key.arn,
        )
        database = Database(
            self,
            "database",
            name=name,
            vpc_id=network.vpc.id,
            subnets=network.private_subnets,
            engine_version=config.db_engine_version,
            instance_class=config.db_instance_class,
            instance_count=config.db_instance_count,
            backup_retention_days=config.db_backup_retention_days,
            deletion_protection=config.db_deletion_protection,
            skip_final_snapshot=config.db_skip_final_snapshot,
            kms_key_arn=database_key.key.arn,
            region=config.region,
            account_id=account_id,
        )
        load_balancer = LoadBalancer(
            self,
            "load-balancer",
            name=name,
            vpc_id=network.vpc.id,
            subnets=network.public_subnets,
            cloudfront_prefix_list_id=cloudfront_prefix_list.id,
            target_port=config.container_port,
            origin_domain_name=config.origin_domain_name,
            zone_id=zone_id,
            log_bucket=logs.bucket.bucket,
            log_prefix=logs.alb_log_prefix,
            log_bucket_ready=logs.policy,
            deletion_protection=config.is_production,
        )
        service = Service(
            self,
            "service",
            name=name,
            region=config.region,
            account_id=account_id,
            vpc_id=network.vpc.id,
            subnets=network.private_subnets,
            image=config.container_image,
            container_port=config.container_port,
            cpu=config.task_cpu,
            memory=config.task_memory,
            desired_count=config.desired_count,
            autoscaling_min=config.autoscaling_min,
            autoscaling_max=config.autoscaling_max,
            autoscaling_cpu_target=config.autoscaling_cpu_target,
            capacity=config.capacity,
            log_retention_days=config.app_log_retention_days,
            log_kms_key_arn=logs_key.key.arn,
            environment={
                "APP_ENV": config.name,
                "PORT": str(config.container_port),
                "DB_HOST": database.cluster.endpoint,
                "DB_PORT": str(database.port),
                "DB_NAME": database.database_name,
                "APP_CONFIG_SECRET_ARN": secrets.secrets["app-config"].arn,
            },
            database_secret_arn=database.cluster.master_user_secret.get(0).secret_arn,
            database_secret_key_arn=database_key.key.arn,
            runtime_secret_arns=[secret.arn for secret in secrets.secrets.values()],
            runtime_secret_key_arn=secrets_key.key.arn,
            load_balancer_security_group_id=load_balancer.security_group.id,
            target_group_arn=load_balancer.target_group.arn,
            listener=load_balancer.listener,
        )
        database.allow_from("from-service", security_group_id=service.security_group.id)
        load_balancer.allow_to(
            "to-service", security_group_id=service.security_group.id, port=config.container_port
        )
        cdn = Cdn(
            self,
            "cdn",
            name=name,
            domain_name=config.domain_name,
            origin_domain_name=load_balancer.origin_domain_name,
            zone_id=zone_id,
            price_class=config.cloudfront_price_class,
            log_bucket_domain_name=logs.bucket.bucket_domain_name,
            log_prefix=logs.cloudfront_log_prefix,
            us_east_1=us_east_1,
        )

        outputs = {
            "alb_dns_name": load_balancer.load_balancer.dns_name,
            "cloudfront_distribution_url": cdn.distribution_url,
            "site_url": f"https://{config.domain_name}",
            "db_cluster_endpoint": database.cluster.endpoint,
            "ecs_cluster_name": service.cluster.name,
            "ecs_service_name": service.service.name,
            "log_bucket_name": logs.bucket.bucket,
        }
        for output_id, value in outputs.items():
            TerraformOutput(self, output_id, value=value)
