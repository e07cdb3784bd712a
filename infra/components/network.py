"""VPC, subnets across the configured AZs, NAT, flow logs and a locked default security group."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.eip import Eip
from cdktf_cdktf_provider_aws.flow_log import FlowLog
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.nat_gateway import NatGateway
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from constructs import Construct

from infra.addressing import subnet_cidrs
from infra.components.iam import policy_document, service_trust_policy
from infra.config import NetworkConfig


class Network(Construct):
    """VPC, public and private subnets per AZ, NAT, routes and VPC flow logs."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        config: NetworkConfig,
        availability_zones: tuple[str, ...],
        log_kms_key_arn: str,
        account_id: str,
    ) -> None:
        super().__init__(scope, id)
        self.vpc = Vpc(
            self,
            "vpc",
            cidr_block=config.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": name},
        )
        # Adopting the default group with no rules removes AWS's allow-all defaults.
        self.default_security_group = DefaultSecurityGroup(
            self, "default-security-group", vpc_id=self.vpc.id, tags={"Name": f"{name}-default"}
        )
        self.internet_gateway = InternetGateway(
            self, "internet-gateway", vpc_id=self.vpc.id, tags={"Name": name}
        )
        self._add_subnets(
            name=name, vpc_cidr=config.vpc_cidr, availability_zones=availability_zones
        )
        self._add_public_routes(name=name)
        nat_count = len(availability_zones) if config.nat_gateway_per_az else 1
        self._add_nat_gateways(name=name, nat_count=nat_count)
        self._add_private_routes(name=name, availability_zones=availability_zones)
        self._add_flow_logs(
            name=name,
            retention_days=config.flow_log_retention_days,
            log_kms_key_arn=log_kms_key_arn,
            account_id=account_id,
        )

    def _add_subnets(
        self, *, name: str, vpc_cidr: str, availability_zones: tuple[str, ...]
    ) -> None:
        public_cidrs, private_cidrs = subnet_cidrs(vpc_cidr, az_count=len(availability_zones))
        self.public_subnets = [
            Subnet(
                self,
                f"public-subnet-{i}",
                vpc_id=self.vpc.id,
                cidr_block=block,
                availability_zone=az,
                map_public_ip_on_launch=False,
                tags={"Name": f"{name}-public-{az}", "Tier": "public"},
            )
            for i, (az, block) in enumerate(zip(availability_zones, public_cidrs, strict=True))
        ]
        self.private_subnets = [
            Subnet(
                self,
                f"private-subnet-{i}",
                vpc_id=self.vpc.id,
                cidr_block=block,
                availability_zone=az,
                tags={"Name": f"{name}-private-{az}", "Tier": "private"},
            )
            for i, (az, block) in enumerate(zip(availability_zones, private_cidrs, strict=True))
        ]

    def _add_public_routes(self, *, name: str) -> None:
        self.public_route_table = RouteTable(
            self, "public-route-table", vpc_id=self.vpc.id, tags={"Name": f"{name}-public"}
        )
        Route(
            self,
            "public-default-route",
            route_table_id=self.public_route_table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=self.internet_gateway.id,
        )
        for i, subnet in enumerate(self.public_subnets):
            RouteTableAssociation(
                self,
                f"public-route-table-association-{i}",
                subnet_id=subnet.id,
                route_table_id=self.public_route_table.id,
            )

    def _add_nat_gateways(self, *, name: str, nat_count: int) -> None:
        self.nat_eips = [
            Eip(self, f"nat-eip-{i}", domain="vpc", tags={"Name": f"{name}-nat-{i}"})
            for i in range(nat_count)
        ]
        self.nat_gateways = [
            NatGateway(
                self,
                f"nat-gateway-{i}",
                allocation_id=self.nat_eips[i].id,
                subnet_id=self.public_subnets[i].id,
                depends_on=[self.internet_gateway],
                tags={"Name": f"{name}-nat-{i}"},
            )
            for i in range(nat_count)
        ]

    def _add_private_routes(self, *, name: str, availability_zones: tuple[str, ...]) -> None:
        # One private route table per AZ, so moving from one shared NAT to one per AZ only
        # changes routes, never subnet associations.
        nat_count = len(self.nat_gateways)
        self.private_route_tables = []
        for i, subnet in enumerate(self.private_subnets):
            table = RouteTable(
                self,
                f"private-route-table-{i}",
                vpc_id=self.vpc.id,
                tags={"Name": f"{name}-private-{availability_zones[i]}"},
            )
            Route(
                self,
                f"private-default-route-{i}",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=self.nat_gateways[i % nat_count].id,
            )
            RouteTableAssociation(
                self,
                f"private-route-table-association-{i}",
                subnet_id=subnet.id,
                route_table_id=table.id,
            )
            self.private_route_tables.append(table)

    def _add_flow_logs(
        self, *, name: str, retention_days: int, log_kms_key_arn: str, account_id: str
    ) -> None:
        self.flow_log_group = CloudwatchLogGroup(
            self,
            "flow-log-group",
            name=f"/vpc/{name}/flow-logs",
            retention_in_days=retention_days,
            kms_key_id=log_kms_key_arn,
        )
        self.flow_log_role = IamRole(
            self,
            "flow-log-role",
            name=f"{name}-vpc-flow-logs",
            assume_role_policy=service_trust_policy(
                service="vpc-flow-logs.amazonaws.com", account_id=account_id
            ),
        )
        IamRolePolicy(
            self,
            "flow-log-role-policy",
            name="write-flow-logs",
            role=self.flow_log_role.id,
            policy=policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "logs:CreateLogStream",
                            "logs:PutLogEvents",
                            "logs:DescribeLogStreams",
                        ],
                        "Resource": f"{self.flow_log_group.arn}:*",
                    }
                ]
            ),
        )
        self.flow_log = FlowLog(
            self,
            "flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn,
            iam_role_arn=self.flow_log_role.arn,
            max_aggregation_interval=60,
        )
