"""Aurora PostgreSQL cluster in the private subnets, reachable only from the ECS tasks."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.rds_cluster import RdsCluster
from cdktf_cdktf_provider_aws.rds_cluster_instance import RdsClusterInstance
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import (
    VpcSecurityGroupIngressRule,
)
from constructs import Construct

from infra.components.iam import policy_document, service_trust_policy
from infra.config import DatabaseConfig

ENGINE = "aurora-postgresql"
PORT = 5432
DATABASE_NAME = "catalog"
MASTER_USERNAME = "catalog_admin"
MONITORING_INTERVAL_SECONDS = 60
PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7  # the free tier


class Database(Construct):
    """Aurora PostgreSQL cluster, its instances, and the enhanced-monitoring role."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        config: DatabaseConfig,
        vpc_id: str,
        subnets: list[Subnet],
        kms_key_arn: str,
        region: str,
        account_id: str,
    ) -> None:
        super().__init__(scope, id)
        self.port = PORT
        self.database_name = DATABASE_NAME
        self.subnet_group = DbSubnetGroup(
            self, "subnet-group", name=name, subnet_ids=[subnet.id for subnet in subnets]
        )
        # No inline rules: clients are allowed in with allow_from(), which keeps the
        # database and service security groups free of a reference cycle.
        self.security_group = SecurityGroup(
            self,
            "security-group",
            name=f"{name}-database",
            description=f"{name} Aurora PostgreSQL",
            vpc_id=vpc_id,
            tags={"Name": f"{name}-database"},
        )
        self._add_cluster(name=name, config=config, kms_key_arn=kms_key_arn)
        self._add_monitoring_role(name=name, region=region, account_id=account_id)
        self._add_instances(name=name, config=config, kms_key_arn=kms_key_arn)

    def _add_cluster(self, *, name: str, config: DatabaseConfig, kms_key_arn: str) -> None:
        self.cluster = RdsCluster(
            self,
            "cluster",
            cluster_identifier=name,
            engine=ENGINE,
            engine_version=config.engine_version,
            database_name=DATABASE_NAME,
            master_username=MASTER_USERNAME,
            # RDS creates and rotates the password in Secrets Manager: it never exists in
            # code, synthesized JSON or Terraform state.
            manage_master_user_password=True,
            master_user_secret_kms_key_id=kms_key_arn,
            storage_encrypted=True,
            kms_key_id=kms_key_arn,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            port=PORT,
            backup_retention_period=config.backup_retention_days,
            preferred_backup_window="02:00-03:00",
            preferred_maintenance_window="sun:03:30-sun:04:30",
            copy_tags_to_snapshot=True,
            deletion_protection=config.deletion_protection,
            skip_final_snapshot=config.skip_final_snapshot,
            # Terraform refuses to destroy a cluster that keeps a final snapshot unless the
            # snapshot has a name.
            final_snapshot_identifier=None if config.skip_final_snapshot else f"{name}-final",
            enabled_cloudwatch_logs_exports=["postgresql"],
            iam_database_authentication_enabled=True,
        )

    def _add_monitoring_role(self, *, name: str, region: str, account_id: str) -> None:
        self.monitoring_role = IamRole(
            self,
            "monitoring-role",
            name=f"{name}-rds-monitoring",
            assume_role_policy=service_trust_policy(
                service="monitoring.rds.amazonaws.com", account_id=account_id
            ),
        )
        # AmazonRDSEnhancedMonitoringRole, narrowed from every region and account to the one
        # log group RDS writes OS metrics to.
        metrics_group = f"arn:aws:logs:{region}:{account_id}:log-group:RDSOSMetrics"
        IamRolePolicy(
            self,
            "monitoring-role-policy",
            name="write-os-metrics",
            role=self.monitoring_role.id,
            policy=policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogGroup", "logs:PutRetentionPolicy"],
                        "Resource": metrics_group,
                    },
                    {
                        "Effect": "Allow",
                        "Action": [
                            "logs:CreateLogStream",
                            "logs:PutLogEvents",
                            "logs:DescribeLogStreams",
                            "logs:GetLogEvents",
                        ],
                        "Resource": f"{metrics_group}:log-stream:*",
                    },
                ]
            ),
        )

    def _add_instances(self, *, name: str, config: DatabaseConfig, kms_key_arn: str) -> None:
        self.instances = [
            RdsClusterInstance(
                self,
                f"instance-{i}",
                identifier=f"{name}-{i + 1}",
                cluster_identifier=self.cluster.id,
                engine=ENGINE,
                engine_version=config.engine_version,
                instance_class=config.instance_class,
                db_subnet_group_name=self.subnet_group.name,
                publicly_accessible=False,
                # The version is pinned in config and checked against the region's list;
                # automatic minor upgrades would show up as drift on every scheduled check.
                auto_minor_version_upgrade=False,
                monitoring_interval=MONITORING_INTERVAL_SECONDS,
                monitoring_role_arn=self.monitoring_role.arn,
                performance_insights_enabled=True,
                performance_insights_kms_key_id=kms_key_arn,
                performance_insights_retention_period=PERFORMANCE_INSIGHTS_RETENTION_DAYS,
            )
            for i in range(config.instance_count)
        ]

    def allow_from(self, id: str, *, security_group_id: str) -> VpcSecurityGroupIngressRule:
        """Admit PostgreSQL connections from one security group (and nothing else)."""
        return VpcSecurityGroupIngressRule(
            self,
            id,
            security_group_id=self.security_group.id,
            referenced_security_group_id=security_group_id,
            ip_protocol="tcp",
            from_port=PORT,
            to_port=PORT,
            description="PostgreSQL from the ECS tasks",
        )
