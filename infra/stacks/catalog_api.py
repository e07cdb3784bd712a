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
from infra.components.service import Service, ServiceSecrets
from infra.components.storage import LogStorage
from infra.config import PROJECT, EnvironmentConfig, StateBackendConfig

CLOUDFRONT_ORIGIN_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
RUNTIME_SECRET_PURPOSES = ("app-config",)


class CatalogApiStack(TerraformStack):
    """Providers and lookups, keys, network, logs, data, load balancer, service, CDN, outputs."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: EnvironmentConfig,
        state: StateBackendConfig,
    ) -> None:
        super().__init__(scope, id)
        self.config = config
        self._add_providers(state=state)
        self._look_up_account_and_edges()
        self.logs_key = self._encryption_key(
            "logs-key",
            purpose="logs",
            description="CloudWatch log groups",
            policy=cloudwatch_logs_key_policy(region=config.region, account_id=self.account_id),
        )
        self.network = Network(
            self,
            "network",
            name=config.stack_name,
            config=config.network,
            availability_zones=config.availability_zones,
            log_kms_key_arn=self.logs_key.key.arn,
            account_id=self.account_id,
        )
        self.logs = LogStorage(
            self,
            "storage",
            name=config.stack_name,
            account_id=self.account_id,
            elb_account_arn=DataAwsElbServiceAccount(self, "elb-account").arn,
            expiration_days=config.log_bucket_expiration_days,
            force_destroy=not config.is_production,
        )
        self._add_data_layer()
        self._add_load_balancer()
        self._add_service()
        self.database.allow_from("from-service", security_group_id=self.service.security_group.id)
        self.load_balancer.allow_to(
            "to-service",
            security_group_id=self.service.security_group.id,
            port=config.service.container_port,
        )
        self._add_cdn()
        self._add_outputs()

    def _add_providers(self, *, state: StateBackendConfig) -> None:
        config = self.config
        default_tags = [AwsProviderDefaultTags(tags=config.tags)]
        self.provider = AwsProvider(self, "aws", region=config.region, default_tags=default_tags)
        # CloudFront accepts viewer certificates from us-east-1 only.
        self.us_east_1 = AwsProvider(
            self, "aws-us-east-1", alias="us_east_1", region="us-east-1", default_tags=default_tags
        )
        configure_state_backend(self, config=config, state=state)

    def _look_up_account_and_edges(self) -> None:
        config = self.config
        self.account_id = DataAwsCallerIdentity(self, "caller").account_id
        # Every role of this stack carries the boundary the apply role is required to set.
        Aspects.of(self).add(
            PermissionsBoundaryAspect(
                permissions_boundary_arn(account_id=self.account_id, environment=config.name)
            )
        )
        self.zone_id = DataAwsRoute53Zone(
            self, "zone", name=config.dns.hosted_zone_name, private_zone=False
        ).zone_id
        self.cloudfront_prefix_list = DataAwsEc2ManagedPrefixList(
            self, "cloudfront-origin-facing", name=CLOUDFRONT_ORIGIN_PREFIX_LIST
        )

    def _encryption_key(
        self, id: str, *, purpose: str, description: str, policy: str
    ) -> EncryptionKey:
        name = self.config.stack_name
        return EncryptionKey(
            self,
            id,
            alias=f"{name}-{purpose}",
            description=f"{name} {description}",
            deletion_window_days=self.config.kms_deletion_window_days,
            policy=policy,
        )

    def _add_data_layer(self) -> None:
        """The Aurora cluster and the application secrets, each with its own key."""
        config = self.config
        self.database_key = self._encryption_key(
            "database-key",
            purpose="database",
            description="Aurora storage and master user secret",
            policy=account_key_policy(account_id=self.account_id),
        )
        self.secrets_key = self._encryption_key(
            "secrets-key",
            purpose="secrets",
            description="application secrets",
            policy=account_key_policy(account_id=self.account_id),
        )
        self.secrets = Secrets(
            self,
            "secrets",
            project=PROJECT,
            environment=config.name,
            purposes=RUNTIME_SECRET_PURPOSES,
            recovery_window_days=config.secret_recovery_window_days,
            kms_key_arn=self.secrets_key.key.arn,
        )
        self.database = Database(
            self,
            "database",
            name=config.stack_name,
            config=config.database,
            vpc_id=self.network.vpc.id,
            subnets=self.network.private_subnets,
            kms_key_arn=self.database_key.key.arn,
            region=config.region,
            account_id=self.account_id,
        )

    def _add_load_balancer(self) -> None:
        config = self.config
        self.load_balancer = LoadBalancer(
            self,
            "load-balancer",
            name=config.stack_name,
            vpc_id=self.network.vpc.id,
            subnets=self.network.public_subnets,
            cloudfront_prefix_list_id=self.cloudfront_prefix_list.id,
            target_port=config.service.container_port,
            origin_domain_name=config.dns.origin_domain_name,
            zone_id=self.zone_id,
            log_bucket=self.logs.bucket.bucket,
            log_prefix=self.logs.alb_log_prefix,
            log_bucket_ready=self.logs.policy,
            deletion_protection=config.is_production,
        )

    def _add_service(self) -> None:
        config = self.config
        database = self.database
        self.service = Service(
            self,
            "service",
            name=config.stack_name,
            config=config.service,
            region=config.region,
            account_id=self.account_id,
            vpc_id=self.network.vpc.id,
            subnets=self.network.private_subnets,
            log_kms_key_arn=self.logs_key.key.arn,
            environment={
                "APP_ENV": config.name,
                "PORT": str(config.service.container_port),
                "DB_HOST": database.cluster.endpoint,
                "DB_PORT": str(database.port),
                "DB_NAME": database.database_name,
                "APP_CONFIG_SECRET_ARN": self.secrets.secrets["app-config"].arn,
            },
            secrets=ServiceSecrets(
                database_secret_arn=database.cluster.master_user_secret.get(0).secret_arn,
                database_secret_key_arn=self.database_key.key.arn,
                runtime_secret_arns=[secret.arn for secret in self.secrets.secrets.values()],
                runtime_secret_key_arn=self.secrets_key.key.arn,
            ),
            load_balancer=self.load_balancer.target,
        )

    def _add_cdn(self) -> None:
        config = self.config
        self.cdn = Cdn(
            self,
            "cdn",
            name=config.stack_name,
            domain_name=config.dns.domain_name,
            origin_domain_name=self.load_balancer.origin_domain_name,
            zone_id=self.zone_id,
            price_class=config.cloudfront_price_class,
            log_bucket_domain_name=self.logs.bucket.bucket_domain_name,
            log_prefix=self.logs.cloudfront_log_prefix,
            us_east_1=self.us_east_1,
        )

    def _add_outputs(self) -> None:
        outputs = {
            "alb_dns_name": self.load_balancer.load_balancer.dns_name,
            "cloudfront_distribution_url": self.cdn.distribution_url,
            "site_url": f"https://{self.config.dns.domain_name}",
            "db_cluster_endpoint": self.database.cluster.endpoint,
            "ecs_cluster_name": self.service.cluster.name,
            "ecs_service_name": self.service.service.name,
            "log_bucket_name": self.logs.bucket.bucket,
        }
        for output_id, value in outputs.items():
            TerraformOutput(self, output_id, value=value)
