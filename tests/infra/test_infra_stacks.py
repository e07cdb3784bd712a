"""What every environment stack synthesizes, and how the environments differ.

Each assertion reads the synthesized Terraform JSON, so reintroducing a broken form (for
example ``launch_type`` next to a capacity provider strategy) makes a test fail.
"""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra.config import ENVIRONMENTS, StateBackendConfig
from tests.infra.synth_json import (
    ENGINE_VERSIONS,
    ENV_NAMES,
    block,
    blocks,
    container_definitions,
    only,
    policy_statements,
    resources,
    stack_name,
    walk,
)

Stack = dict[str, Any]
PASSWORD_LITERAL = re.compile(r"""password["']?\s*[:=]\s*["']?[^\s:"'$]""", re.IGNORECASE)
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


def test_one_stack_per_environment(synthesized_stacks: dict[str, Stack]) -> None:
    assert {stack_name(env) for env in ENV_NAMES} <= set(synthesized_stacks)


# --- state backend -------------------------------------------------------------------------


def test_backend_is_encrypted_s3_with_native_lock_file(env_stack: tuple[str, Stack]) -> None:
    env, stack = env_stack
    terraform = stack["terraform"]
    assert set(terraform["backend"]) == {"s3"}
    s3 = terraform["backend"]["s3"]
    assert s3.get("encrypt") is True
    assert s3.get("use_lockfile") is True
    assert s3["key"] == f"catalog-api/{env}/terraform.tfstate"
    assert s3["bucket"] == "catalog-api-terraform-state"
    assert s3["region"] == "eu-north-1"
    assert "dynamodb_table" not in s3
    assert terraform["required_version"] == ">= 1.10"
    assert "aws_dynamodb_table" not in stack.get("resource", {})


def test_backend_takes_bucket_region_and_kms_key_from_settings(tmp_path: Path) -> None:
    """The CATALOG_STATE_* overrides reach the backend block (no AWS bindings needed)."""
    from cdktf import TerraformStack, Testing

    from infra.backend import configure_state_backend

    # Testing.app() alone would leave a cdktf.outdir.* behind in /tmp.
    stack = TerraformStack(Testing.app(outdir=str(tmp_path)), "backend-only")
    state = StateBackendConfig(
        bucket="acme-tf-state", region="eu-central-1", kms_key_id="alias/terraform-state"
    )
    configure_state_backend(stack, config=ENVIRONMENTS["staging"], state=state)
    terraform = json.loads(Testing.synth(stack))["terraform"]
    assert terraform["backend"] == {
        "s3": {
            "bucket": "acme-tf-state",
            "key": "catalog-api/staging/terraform.tfstate",
            "region": "eu-central-1",
            "encrypt": True,
            "kms_key_id": "alias/terraform-state",
            "use_lockfile": True,
        }
    }
    assert terraform["required_version"] == ">= 1.10"


# --- provider ------------------------------------------------------------------------------


def test_every_provider_sets_default_tags(env_stack: tuple[str, Stack]) -> None:
    env, stack = env_stack
    providers = stack["provider"]["aws"]
    assert {p.get("region") for p in providers} == {"eu-north-1", "us-east-1"}
    for provider in providers:
        assert block(provider["default_tags"])["tags"] == {
            "Project": "catalog-api",
            "Environment": env,
            "ManagedBy": "cdktf",
            "Owner": "platform-team",
        }


# --- network -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "az_count", "nat_count"), [("dev", 2, 1), ("staging", 2, 1), ("prod", 3, 3)]
)
def test_subnets_and_nat_gateways_per_environment(
    synthesized_stacks: dict[str, Stack], env: str, az_count: int, nat_count: int
) -> None:
    stack = synthesized_stacks[stack_name(env)]
    subnets = resources(stack, "aws_subnet")
    public = [s for s in subnets if s["tags"]["Tier"] == "public"]
    private = [s for s in subnets if s["tags"]["Tier"] == "private"]
    assert len(public) == len(private) == az_count
    assert len({s["availability_zone"] for s in private}) == az_count
    assert len(resources(stack, "aws_nat_gateway")) == nat_count
    assert len(resources(stack, "aws_eip")) == nat_count
    nat_routes = {
        r["nat_gateway_id"] for r in resources(stack, "aws_route") if "nat_gateway_id" in r
    }
    assert len(nat_routes) == nat_count
    vpc = ipaddress.ip_network(only(stack, "aws_vpc")["cidr_block"])
    cidrs = [ipaddress.ip_network(s["cidr_block"]) for s in subnets]
    assert all(c.subnet_of(vpc) for c in cidrs)
    assert not any(a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1 :])
    assert len(resources(stack, "aws_internet_gateway")) == 1


def test_public_subnets_route_to_internet_gateway(dev: Stack) -> None:
    routes = resources(dev, "aws_route")
    igw = [r for r in routes if "gateway_id" in r]
    assert len(igw) == 1
    assert igw[0]["destination_cidr_block"] == "0.0.0.0/0"
    assert igw[0]["gateway_id"].startswith("${aws_internet_gateway.")


def test_flow_logs_go_to_cloudwatch_with_retention(env_stack: tuple[str, Stack]) -> None:
    env, stack = env_stack
    flow_log = only(stack, "aws_flow_log")
    assert flow_log["traffic_type"] == "ALL"
    assert flow_log["log_destination_type"] == "cloud-watch-logs"
    groups = [g for g in resources(stack, "aws_cloudwatch_log_group") if "/flow-logs" in g["name"]]
    assert len(groups) == 1
    assert groups[0]["retention_in_days"] == ENVIRONMENTS[env].network.flow_log_retention_days


def test_flow_log_retention_per_environment(synthesized_stacks: dict[str, Stack]) -> None:
    days = {
        env: next(
            g["retention_in_days"]
            for g in resources(synthesized_stacks[stack_name(env)], "aws_cloudwatch_log_group")
            if "/flow-logs" in g["name"]
        )
        for env in ENV_NAMES
    }
    assert days == {"dev": 14, "staging": 30, "prod": 365}


def test_default_security_group_allows_nothing(env_stack: tuple[str, Stack]) -> None:
    _, stack = env_stack
    default = only(stack, "aws_default_security_group")
    assert not default.get("ingress")
    assert not default.get("egress")


def test_log_groups_are_encrypted_with_a_key_cloudwatch_logs_may_use(
    env_stack: tuple[str, Stack],
) -> None:
    _, stack = env_stack
    keys = stack["resource"]["aws_kms_key"]
    (logs_key_id,) = [k for k, key in keys.items() if "CloudWatch" in key["description"]]
    for group in resources(stack, "aws_cloudwatch_log_group"):
        assert group["kms_key_id"] == f"${{aws_kms_key.{logs_key_id}.arn}}", group["name"]
    statements = policy_statements(keys[logs_key_id]["policy"])
    (logs,) = [s for s in statements if "Service" in s["Principal"]]
    assert logs["Principal"]["Service"] == "logs.eu-north-1.amazonaws.com"
    assert "kms:EncryptionContext:aws:logs:arn" in logs["Condition"]["ArnLike"]


def test_every_kms_key_rotates_and_has_an_explicit_policy(env_stack: tuple[str, Stack]) -> None:
    env, stack = env_stack
    keys = resources(stack, "aws_kms_key")
    assert len(keys) == 3  # database, secrets, logs
    for key in keys:
        assert key["enable_key_rotation"] is True
        assert key["deletion_window_in_days"] == ENVIRONMENTS[env].kms_deletion_window_days
        account = policy_statements(key["policy"])[0]
        assert account["Principal"]["AWS"].endswith(":root")


# --- database ------------------------------------------------------------------------------


def test_database_password_is_managed_by_rds_and_never_synthesized(
    env_stack: tuple[str, Stack],
) -> None:
    _, stack = env_stack
    cluster = only(stack, "aws_rds_cluster")
    assert cluster["manage_master_user_password"] is True
    for path, value in walk(stack):
        key = path.rsplit(".", 1)[-1].lower()
        assert key not in {"master_password", "master_password_wo", "password"}, path
        if isinstance(value, str):
            # A literal after "password:" / "password=" (references like ${...} are fine).
            assert not PASSWORD_LITERAL.search(value), path
    assert "aws_secretsmanager_secret_version" not in stack["resource"]


def test_database_engine_and_encryption(env_stack: tuple[str, Stack]) -> None:
    env, stack = env_stack
    cluster = only(stack, "aws_rds_cluster")
    assert cluster["engine"] == "aurora-postgresql"
    assert cluster["engine_version"] == ENVIRONMENTS[env].database.engine_version
    assert cluster["engine_version"].startswith("16.")
    assert cluster["storage_encrypted"] is True
    assert cluster["kms_key_id"].startswith("${aws_kms_key.")
    for instance in resources(stack, "aws_rds_cluster_instance"):
        assert instance["engine_version"] == cluster["engine_version"]
        assert instance["publicly_accessible"] is False


def test_engine_version_is_available_in_the_region(env_stack: tuple[str, Stack]) -> None:
    _, stack = env_stack
    region = stack["provider"]["aws"][0]["region"]
    available = json.loads(ENGINE_VERSIONS.read_text(encoding="utf-8"))["regions"][region]
    assert only(stack, "aws_rds_cluster")["engine_version"] in available["aurora-postgresql"]


def test_database_instances_have_enhanced_monitoring_and_performance_insights(
    env_stack: tuple[str, Stack],
) -> None:
    _, stack = env_stack
    cluster_key = only(stack, "aws_rds_cluster")["kms_key_id"]
    for instance in resources(stack, "aws_rds_cluster_instance"):
        assert instance["monitoring_interval"] == 60
        assert instance["monitoring_role_arn"].startswith("${aws_iam_role.")
        assert instance["performance_insights_enabled"] is True
        assert instance["performance_insights_kms_key_id"] == cluster_key
        # Pinned version: automatic minor upgrades would show up as drift.
        assert instance["auto_minor_version_upgrade"] is False


def test_database_differences_per_environment(synthesized_stacks: dict[str, Stack]) -> None:
    def summary(env: str) -> dict[str, Any]:
        stack = synthesized_stacks[stack_name(env)]
        cluster = only(stack, "aws_rds_cluster")
        return {
            "instances": len(resources(stack, "aws_rds_cluster_instance")),
            "backup_days": cluster["backup_retention_period"],
            "deletion_protection": cluster["deletion_protection"],
            "skip_final_snapshot": cluster["skip_final_snapshot"],
            "final_snapshot": cluster.get("final_snapshot_identifier"),
        }

    assert summary("dev") == {
        "instances": 1,
        "backup_days": 1,
        "deletion_protection": False,
        "skip_final_snapshot": True,
        "final_snapshot": None,
    }
    assert summary("staging") == {
        "instances": 2,
        "backup_days": 7,
        "deletion_protection": False,
        "skip_final_snapshot": False,
        "final_snapshot": "catalog-api-staging-final",
    }
    assert summary("prod") == {
        "instances": 2,
        "backup_days": 30,
        "deletion_protection": True,
        "skip_final_snapshot": False,
        "final_snapshot": "catalog-api-prod-final",
    }


def test_database_is_private_and_reachable_only_from_the_tasks(
    env_stack: tuple[str, Stack],
) -> None:
    _, stack = env_stack
    subnet_group = only(stack, "aws_db_subnet_group")
    private_ids = {
        f"${{aws_subnet.{key}.id}}"
        for key, subnet in stack["resource"]["aws_subnet"].items()
        if subnet["tags"]["Tier"] == "private"
    }
    assert set(subnet_group["subnet_ids"]) == private_ids
    db_sg_key = next(
        key
        for key, sg in stack["resource"]["aws_security_group"].items()
        if sg["name"].endswith("-database")
    )
    tasks_sg_key = next(
        key
        for key, sg in stack["resource"]["aws_security_group"].items()
        if sg["name"].endswith("-tasks")
    )
    assert not stack["resource"]["aws_security_group"][db_sg_key].get("ingress")
    db_rules = [
        rule
        for rule in resources(stack, "aws_vpc_security_group_ingress_rule")
        if rule["security_group_id"] == f"${{aws_security_group.{db_sg_key}.id}}"
    ]
    assert len(db_rules) == 1
    assert (
        db_rules[0]["referenced_security_group_id"] == f"${{aws_security_group.{tasks_sg_key}.id}}"
    )
    assert (db_rules[0]["from_port"], db_rules[0]["to_port"], db_rules[0]["ip_protocol"]) == (
        5432,
        5432,
        "tcp",
    )
    assert "cidr_ipv4" not in db_rules[0]
    egress = resources(stack, "aws_vpc_security_group_egress_rule")
    assert not [r for r in egress if r["security_group_id"].endswith(f"{db_sg_key}.id}}")]


# --- service -------------------------------------------------------------------------------


def test_cluster_has_fargate_and_spot_capacity_providers(env_stack: tuple[str, Stack]) -> None:
    _, stack = env_stack
    providers = only(stack, "aws_ecs_cluster_capacity_providers")
    assert sorted(providers["capacity_providers"]) == ["FARGATE", "FARGATE_SPOT"]


def test_service_uses_capacity_providers_never_launch_type(env_stack: tuple[str, Stack]) -> None:
    _, stack = env_stack
    service = only(stack, "aws_ecs_service")
    assert "launch_type" not in service
    assert blocks(service["capacity_provider_strategy"])


def _strategy(stack: Stack) -> dict[str, tuple[int, int]]:
    service = only(stack, "aws_ecs_service")
    return {
        entry["capacity_provider"]: (entry.get("base", 0), entry["weight"])
        for entry in blocks(service["capacity_provider_strategy"])
    }


def test_dev_runs_entirely_on_spot(dev: Stack) -> None:
    assert _strategy(dev) == {"FARGATE_SPOT": (0, 1)}


def test_prod_has_on_demand_base_plus_spot_weight(prod: Stack) -> None:
    strategy = _strategy(prod)
    assert set(strategy) == {"FARGATE", "FARGATE_SPOT"}
    on_demand_base, _ = strategy["FARGATE"]
    _, spot_weight = strategy["FARGATE_SPOT"]
    assert on_demand_base >= 2
    assert spot_weight > 0


def test_service_deployment_and_network(env_stack: tuple[str, Stack]) -> None:
    _, stack = env_stack
    service = only(stack, "aws_ecs_service")
    breaker = block(service["deployment_circuit_breaker"])
    assert breaker == {"enable": True, "rollback": True}
    network = block(service["network_configuration"])
    assert network["assign_public_ip"] is False
    private_ids = {
        f"${{aws_subnet.{key}.id}}"
        for key, subnet in stack["resource"]["aws_subnet"].items()
        if subnet["tags"]["Tier"] == "private"
    }
    assert set(network["subnets"]) == private_ids
    target = block(service["load_balancer"])
    assert target["container_port"] == 3000
    assert "desired_count" in service["lifecycle"]["ignore_changes"]


def test_autoscaling_tracks_cpu(env_stack: tuple[str, Stack]) -> None:
    env, stack = env_stack
    config = ENVIRONMENTS[env]
    target = only(stack, "aws_appautoscaling_target")
    assert (target["min_capacity"], target["max_capacity"]) == (
        config.service.autoscaling.min_count,
        config.service.autoscaling.max_count,
    )
    assert target["scalable_dimension"] == "ecs:service:DesiredCount"
    policy = only(stack, "aws_appautoscaling_policy")
    tracking = block(policy["target_tracking_scaling_policy_configuration"])
    metric = block(tracking["predefined_metric_specification"])
    assert metric["predefined_metric_type"] == "ECSServiceAverageCPUUtilization"
    assert tracking["target_value"] == config.service.autoscaling.cpu_target


def test_task_definition_container(env_stack: tuple[str, Stack]) -> None:
    env, stack = env_stack
    task = only(stack, "aws_ecs_task_definition")
    assert task["requires_compatibilities"] == ["FARGATE"]
    assert task["network_mode"] == "awsvpc"
    assert (task["cpu"], task["memory"]) == (
        str(ENVIRONMENTS[env].service.cpu),
        str(ENVIRONMENTS[env].service.memory),
    )
    (container,) = container_definitions(stack)
    assert container["portMappings"] == [{"containerPort": 3000, "protocol": "tcp"}]
    logging = container["logConfiguration"]
    assert logging["logDriver"] == "awslogs"
    assert logging["options"]["awslogs-group"].startswith("${aws_cloudwatch_log_group.")
    secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    assert secrets["DB_PASSWORD"].startswith("${aws_rds_cluster.")
    assert secrets["DB_PASSWORD"].endswith(".master_user_secret[0].secret_arn}:password::")
    assert not [e for e in container["environment"] if "PASSWORD" in e["name"]]


def test_app_log_retention_per_environment(synthesized_stacks: dict[str, Stack]) -> None:
    days = {}
    for env in ENV_NAMES:
        stack = synthesized_stacks[stack_name(env)]
        (group,) = [
            g for g in resources(stack, "aws_cloudwatch_log_group") if g["name"].startswith("/ecs/")
        ]
        days[env] = group["retention_in_days"]
    assert days == {"dev": 14, "staging": 30, "prod": 365}


def test_roles_are_least_privilege(env_stack: tuple[str, Stack]) -> None:
    _, stack = env_stack
    assert "aws_iam_role_policy_attachment" not in stack["resource"]  # no broad managed policies
    for policy in resources(stack, "aws_iam_role_policy"):
        for statement in policy_statements(policy["policy"]):
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            assert not [a for a in actions if "*" in a], statement
            resources_ = (
                statement["Resource"]
                if isinstance(statement["Resource"], list)
                else [statement["Resource"]]
            )
            assert "*" not in resources_, statement
    for role in resources(stack, "aws_iam_role"):
        (trust,) = policy_statements(role["assume_role_policy"])
        assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]


def test_execution_role_reads_the_db_secret_and_task_role_the_runtime_secrets(
    env_stack: tuple[str, Stack],
) -> None:
    _, stack = env_stack
    roles = {key: role["name"] for key, role in stack["resource"]["aws_iam_role"].items()}
    grants = {}
    for policy in resources(stack, "aws_iam_role_policy"):
        role_name = roles[policy["role"].split(".")[1]]
        grants[role_name] = {
            action: statement["Resource"]
            for statement in policy_statements(policy["policy"])
            for action in ([statement["Action"]] if isinstance(statement["Action"], str) else [])
        }
    name = only(stack, "aws_ecs_service")["name"]
    execution, task = grants[f"{name}-execution"], grants[f"{name}-task"]
    assert execution["secretsmanager:GetSecretValue"].endswith(".master_user_secret[0].secret_arn}")
    assert all(
        a.startswith("${aws_secretsmanager_secret.") for a in task["secretsmanager:GetSecretValue"]
    )
    # Each role may decrypt with the one key protecting the secrets it reads.
    assert execution["kms:Decrypt"] == only(stack, "aws_rds_cluster")["kms_key_id"]
    assert task["kms:Decrypt"] == only(stack, "aws_secretsmanager_secret")["kms_key_id"]
    assert execution["kms:Decrypt"] != task["kms:Decrypt"]


# --- load balancer -------------------------------------------------------------------------


def test_alb_admits_only_cloudfront_origin_facing_prefix_list(env_stack: tuple[str, Stack]) -> None:
    _, stack = env_stack
    prefix_list = stack["data"]["aws_ec2_managed_prefix_list"]
    ((pl_key, pl),) = prefix_list.items()
    assert pl["name"] == "com.amazonaws.global.cloudfront.origin-facing"
    (alb_sg_key,) = [
        k
        for k, sg in stack["resource"]["aws_security_group"].items()
        if sg["name"].endswith("-alb")
    ]
    alb_ingress = [
        r
        for r in resources(stack, "aws_vpc_security_group_ingress_rule")
        if r["security_group_id"] == f"${{aws_security_group.{alb_sg_key}.id}}"
    ]
    assert len(alb_ingress) == 1
    assert alb_ingress[0]["prefix_list_id"] == f"${{data.aws_ec2_managed_prefix_list.{pl_key}.id}}"
    assert "cidr_ipv4" not in alb_ingress[0]
    assert not stack["resource"]["aws_security_group"][alb_sg_key].get("ingress")


def test_alb_target_group_listener_and_access_logs(env_stack: tuple[str, Stack]) -> None:
    _, stack = env_stack
    alb = only(stack, "aws_lb")
    assert alb["load_balancer_type"] == "application"
    assert len(alb["name"]) <= 32
    public_ids = {
        f"${{aws_subnet.{key}.id}}"
        for key, subnet in stack["resource"]["aws_subnet"].items()
        if subnet["tags"]["Tier"] == "public"
    }
    assert set(alb["subnets"]) == public_ids
    logs = block(alb["access_logs"])
    assert logs["enabled"] is True
    assert logs["bucket"].startswith("${aws_s3_bucket.")
    group = only(stack, "aws_lb_target_group")
    assert len(group["name"]) <= 32
    assert group["target_type"] == "ip"
    assert block(group["health_check"])["path"] == "/health"
    listener = only(stack, "aws_lb_listener")
    assert listener["protocol"] == "HTTPS"
    assert listener["certificate_arn"].startswith("${aws_acm_certificate_validation.")
    assert block(listener["default_action"])["type"] == "forward"


# --- CDN -----------------------------------------------------------------------------------


def test_cloudfront_uses_managed_policies_never_forwarded_values(
    env_stack: tuple[str, Stack],
) -> None:
    _, stack = env_stack
    distribution = only(stack, "aws_cloudfront_distribution")
    behaviors = [
        block(distribution["default_cache_behavior"]),
        *blocks(distribution.get("ordered_cache_behavior")),
    ]
    for behavior in behaviors:
        assert "forwarded_values" not in behavior
        assert behavior["viewer_protocol_policy"] == "redirect-to-https"
    default = behaviors[0]
    assert default["cache_policy_id"] == CACHING_DISABLED
    assert default["origin_request_policy_id"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    assert default["response_headers_policy_id"] == "67f7725c-6f97-4210-82d7-5512b31e9d03"


def test_cloudfront_tls_to_viewers_and_to_the_alb_origin(env_stack: tuple[str, Stack]) -> None:
    env, stack = env_stack
    distribution = only(stack, "aws_cloudfront_distribution")
    viewer = block(distribution["viewer_certificate"])
    assert viewer["minimum_protocol_version"].startswith("TLSv1.2")
    assert viewer["ssl_support_method"] == "sni-only"
    assert not viewer.get("cloudfront_default_certificate")  # it would force TLSv1
    assert distribution["aliases"] == [ENVIRONMENTS[env].dns.domain_name]
    origin = block(distribution["origin"])
    assert origin["domain_name"] == ENVIRONMENTS[env].dns.origin_domain_name
    custom = block(origin["custom_origin_config"])
    assert custom["origin_protocol_policy"] == "https-only"
    assert custom["origin_ssl_protocols"] == ["TLSv1.2"]
    # The CloudFront viewer certificate must live in us-east-1.
    validations = resources(stack, "aws_acm_certificate_validation")
    assert viewer["acm_certificate_arn"].startswith("${aws_acm_certificate_validation.")
    assert [v.get("provider") for v in validations].count("aws.us_east_1") == 1


# --- storage -------------------------------------------------------------------------------


def test_log_bucket_is_encrypted_private_and_accepts_log_delivery(
    env_stack: tuple[str, Stack],
) -> None:
    _, stack = env_stack
    encryption = only(stack, "aws_s3_bucket_server_side_encryption_configuration")
    default = block(block(encryption["rule"])["apply_server_side_encryption_by_default"])
    assert default["sse_algorithm"] == "AES256"  # ALB access logs reject SSE-KMS
    block_public = only(stack, "aws_s3_bucket_public_access_block")
    for flag in (
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ):
        assert block_public[flag] is True
    ownership = only(stack, "aws_s3_bucket_ownership_controls")
    assert block(ownership["rule"])["object_ownership"] == "BucketOwnerPreferred"
    statements = policy_statements(only(stack, "aws_s3_bucket_policy")["policy"])
    delivery = next(s for s in statements if s["Effect"] == "Allow")
    assert delivery["Principal"]["Service"] == "logdelivery.elasticloadbalancing.amazonaws.com"
    assert delivery["Action"] == "s3:PutObject"


def test_every_lifecycle_rule_has_a_filter(env_stack: tuple[str, Stack]) -> None:
    _, stack = env_stack
    configurations = resources(stack, "aws_s3_bucket_lifecycle_configuration")
    assert configurations
    for configuration in configurations:
        for rule in blocks(configuration["rule"]):
            assert blocks(rule.get("filter")), rule["id"]
            assert "prefix" not in rule  # the deprecated rule-level prefix


def test_log_expiry_per_environment(synthesized_stacks: dict[str, Stack]) -> None:
    days = {
        env: block(
            block(
                only(synthesized_stacks[stack_name(env)], "aws_s3_bucket_lifecycle_configuration")[
                    "rule"
                ]
            )["expiration"]
        )["days"]
        for env in ENV_NAMES
    }
    assert days == {"dev": 30, "staging": 90, "prod": 365}


# --- secrets -------------------------------------------------------------------------------


def test_secret_names_and_recovery_windows(synthesized_stacks: dict[str, Stack]) -> None:
    windows = {}
    for env in ENV_NAMES:
        for secret in resources(synthesized_stacks[stack_name(env)], "aws_secretsmanager_secret"):
            assert re.fullmatch(rf"catalog-api-[a-z0-9-]+-{env}", secret["name"]), secret["name"]
            windows.setdefault(env, set()).add(secret["recovery_window_in_days"])
    assert windows == {"dev": {0}, "staging": {7}, "prod": {30}}


def test_dev_secrets_can_be_recreated_at_once_and_prod_secrets_are_recoverable(
    dev: Stack, prod: Stack
) -> None:
    assert {s["recovery_window_in_days"] for s in resources(dev, "aws_secretsmanager_secret")} == {
        0
    }
    assert all(
        s["recovery_window_in_days"] >= 7 for s in resources(prod, "aws_secretsmanager_secret")
    )


# --- the remaining per-environment differences (docs/infra.md) -----------------------------


def test_sizing_and_protection_per_environment(synthesized_stacks: dict[str, Stack]) -> None:
    def summary(env: str) -> dict[str, Any]:
        stack = synthesized_stacks[stack_name(env)]
        task = only(stack, "aws_ecs_task_definition")
        scaling = only(stack, "aws_appautoscaling_target")
        tracking = block(
            only(stack, "aws_appautoscaling_policy")["target_tracking_scaling_policy_configuration"]
        )
        distribution = only(stack, "aws_cloudfront_distribution")
        return {
            "vpc_cidr": only(stack, "aws_vpc")["cidr_block"],
            "db_class": {i["instance_class"] for i in resources(stack, "aws_rds_cluster_instance")},
            "task_size": (task["cpu"], task["memory"]),
            "tasks": (
                scaling["min_capacity"],
                only(stack, "aws_ecs_service")["desired_count"],
                scaling["max_capacity"],
            ),
            "cpu_target": tracking["target_value"],
            "capacity": _strategy(stack),
            "kms_deletion_window": {
                k["deletion_window_in_days"] for k in resources(stack, "aws_kms_key")
            },
            "alb_deletion_protection": only(stack, "aws_lb")["enable_deletion_protection"],
            "log_bucket_force_destroy": only(stack, "aws_s3_bucket")["force_destroy"],
            "price_class": distribution["price_class"],
            "site": distribution["aliases"],
        }

    assert summary("dev") == {
        "vpc_cidr": "10.10.0.0/16",
        "db_class": {"db.t4g.medium"},
        "task_size": ("256", "512"),
        "tasks": (1, 1, 2),
        "cpu_target": 70,
        "capacity": {"FARGATE_SPOT": (0, 1)},
        "kms_deletion_window": {7},
        "alb_deletion_protection": False,
        "log_bucket_force_destroy": True,
        "price_class": "PriceClass_100",
        "site": ["dev.catalog.example.com"],
    }
    assert summary("staging") == {
        "vpc_cidr": "10.20.0.0/16",
        "db_class": {"db.t4g.medium"},
        "task_size": ("512", "1024"),
        "tasks": (2, 2, 4),
        "cpu_target": 70,
        "capacity": {"FARGATE": (1, 1), "FARGATE_SPOT": (0, 1)},
        "kms_deletion_window": {7},
        "alb_deletion_protection": False,
        "log_bucket_force_destroy": True,
        "price_class": "PriceClass_100",
        "site": ["staging.catalog.example.com"],
    }
    assert summary("prod") == {
        "vpc_cidr": "10.30.0.0/16",
        "db_class": {"db.r7g.large"},
        "task_size": ("1024", "2048"),
        "tasks": (3, 3, 12),
        "cpu_target": 60,
        "capacity": {"FARGATE": (2, 1), "FARGATE_SPOT": (0, 3)},
        "kms_deletion_window": {30},
        "alb_deletion_protection": True,
        "log_bucket_force_destroy": False,
        "price_class": "PriceClass_All",
        "site": ["catalog.example.com"],
    }


# --- outputs -------------------------------------------------------------------------------


def test_outputs(env_stack: tuple[str, Stack]) -> None:
    _, stack = env_stack
    outputs = {name: output["value"] for name, output in stack["output"].items()}
    assert {
        "alb_dns_name",
        "cloudfront_distribution_url",
        "db_cluster_endpoint",
        "ecs_cluster_name",
        "ecs_service_name",
        "log_bucket_name",
    } <= set(outputs)
    assert outputs["cloudfront_distribution_url"].startswith(
        "https://${aws_cloudfront_distribution."
    )
    assert outputs["db_cluster_endpoint"].startswith("${aws_rds_cluster.")
