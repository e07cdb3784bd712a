"""ECS and Fargate rules: AT003, AT004 (cross-resource), AT012 sizes, AT013 network mode."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity

E, W = Severity.ERROR, Severity.WARNING
SERVICE, CLUSTER, CCP = "aws_ecs_service", "aws_ecs_cluster", "aws_ecs_cluster_capacity_providers"
TASK = "aws_ecs_task_definition"
SPOT = [{"capacity_provider": "FARGATE_SPOT", "weight": 1}]


def task(**values):
    return {"requires_compatibilities": ["FARGATE"], "network_mode": "awsvpc", **values}


def cluster_with_providers(k, providers, *, service_values=None, by_reference=True):
    """A service, its cluster and the cluster's capacity provider attachment."""
    refs = {"cluster": "aws_ecs_cluster.main"} if by_reference else {}
    ccp_refs = {"cluster_name": "aws_ecs_cluster.main"} if by_reference else {}
    return k.document(
        k.resource(
            SERVICE,
            "api",
            values={"cluster": UNKNOWN if by_reference else "catalog", **(service_values or {})},
            references=refs,
        ),
        k.resource(CLUSTER, "main", values={"name": "catalog"}),
        k.resource(
            CCP,
            "main",
            values={
                "cluster_name": UNKNOWN if by_reference else "catalog",
                "capacity_providers": providers,
            },
            references=ccp_refs,
        ),
    )


def load_balanced(k, *, network_mode, target_type):
    """A service behind a target group, running a task definition, all linked by reference."""
    group = {"port": 3000} if target_type is None else {"port": 3000, "target_type": target_type}
    return k.document(
        k.resource(
            SERVICE,
            "api",
            values={
                "task_definition": UNKNOWN,
                "load_balancer": [{"target_group_arn": UNKNOWN, "container_port": 3000}],
            },
            references={
                "task_definition": "aws_ecs_task_definition.api",
                "load_balancer.0.target_group_arn": "aws_lb_target_group.api",
            },
        ),
        k.resource(TASK, "api", values={"network_mode": network_mode}),
        k.resource("aws_lb_target_group", "api", values=group),
    )


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "AT003",
            lambda k: k.document(k.resource(SERVICE, values={"capacity_provider_strategy": SPOT})),
            [],
            id="AT003-pass-strategy-only",
        ),
        pytest.param(
            "AT003",
            lambda k: k.document(
                k.resource(
                    SERVICE, values={"launch_type": "FARGATE", "capacity_provider_strategy": SPOT}
                )
            ),
            [(E, "capacity_provider_strategy and launch_type (FARGATE) are mutually exclusive")],
            id="AT003-fail-both",
        ),
        pytest.param(
            "AT003",
            lambda k: k.document(
                k.resource(SERVICE, values={"launch_type": "", "capacity_provider_strategy": SPOT}),
                kind="plan",
            ),
            [],
            id="AT003-pass-plan-empty-launch-type",
        ),
        pytest.param(
            "AT003",
            lambda k: k.document(
                k.resource(
                    SERVICE, values={"launch_type": UNKNOWN, "capacity_provider_strategy": SPOT}
                )
            ),
            [],
            id="AT003-unknown",
        ),
        pytest.param(
            "AT004",
            lambda k: cluster_with_providers(
                k, ["FARGATE", "FARGATE_SPOT"], service_values={"capacity_provider_strategy": SPOT}
            ),
            [],
            id="AT004-pass-attached",
        ),
        pytest.param(
            "AT004",
            lambda k: cluster_with_providers(
                k, ["FARGATE"], service_values={"capacity_provider_strategy": SPOT}
            ),
            [(E, "names 'FARGATE_SPOT', which aws_ecs_cluster_capacity_providers.main does not")],
            id="AT004-fail-not-attached-by-reference",
        ),
        pytest.param(
            "AT004",
            lambda k: cluster_with_providers(
                k,
                ["FARGATE"],
                service_values={"capacity_provider_strategy": SPOT},
                by_reference=False,
            ),
            [(E, "(attached: FARGATE)")],
            id="AT004-fail-not-attached-by-literal-name",
        ),
        pytest.param(
            "AT004",
            lambda k: cluster_with_providers(
                k, [UNKNOWN], service_values={"capacity_provider_strategy": SPOT}
            ),
            [],
            id="AT004-unknown-attached-providers",
        ),
        pytest.param(
            "AT004",
            lambda k: k.document(
                k.resource(
                    SERVICE, values={"cluster": UNKNOWN, "capacity_provider_strategy": SPOT}
                ),
                k.resource(CLUSTER, "main", values={"name": "catalog"}),
                k.resource(
                    CCP, "main", values={"cluster_name": "catalog", "capacity_providers": []}
                ),
            ),
            [],
            id="AT004-unknown-cluster-link",
        ),
        pytest.param(
            "AT012",
            lambda k: k.document(k.resource(TASK, values=task(cpu="1024", memory="2048"))),
            [],
            id="AT012-pass",
        ),
        pytest.param(
            "AT012",
            lambda k: k.document(k.resource(TASK, values=task(cpu="1 vCPU", memory="3 GB"))),
            [],
            id="AT012-pass-unit-strings",
        ),
        pytest.param(
            "AT012",
            lambda k: k.document(k.resource(TASK, values=task(cpu="256", memory="4096"))),
            [(E, "Fargate offers no cpu 256 / memory 4096 task")],
            id="AT012-fail-combination",
        ),
        pytest.param(
            "AT012",
            lambda k: k.document(k.resource(TASK, values=task(cpu="300", memory="1024"))),
            [(E, "cpu 300 is not a Fargate size")],
            id="AT012-fail-cpu",
        ),
        pytest.param(
            "AT012",
            lambda k: k.document(k.resource(TASK, values=task(memory="1024"))),
            [(E, "needs task-level cpu")],
            id="AT012-fail-missing-cpu",
        ),
        pytest.param(
            "AT012",
            lambda k: k.document(
                k.resource(TASK, values={"requires_compatibilities": ["EC2"], "cpu": "300"})
            ),
            [],
            id="AT012-pass-ec2-task-not-checked",
        ),
        pytest.param(
            "AT012",
            lambda k: k.document(k.resource(TASK, values=task(cpu=UNKNOWN, memory="512"))),
            [],
            id="AT012-unknown",
        ),
        pytest.param(
            "AT013",
            lambda k: k.document(k.resource(TASK, values=task(cpu="256", memory="512"))),
            [],
            id="AT013-pass",
        ),
        pytest.param(
            "AT013",
            lambda k: k.document(
                k.resource(TASK, values=task(network_mode="bridge", cpu="256", memory="512"))
            ),
            [(E, "Fargate only supports network mode 'awsvpc'")],
            id="AT013-fail-bridge",
        ),
        pytest.param(
            "AT013",
            lambda k: k.document(
                k.resource(TASK, values={"requires_compatibilities": ["FARGATE"], "cpu": "256"})
            ),
            [(E, "no network_mode (ECS default bridge)")],
            id="AT013-fail-absent-in-config",
        ),
        pytest.param(
            "AT013",
            lambda k: k.document(k.resource(TASK, values=task(network_mode=UNKNOWN))),
            [],
            id="AT013-unknown",
        ),
        pytest.param(
            "AT016",
            lambda k: load_balanced(k, network_mode="awsvpc", target_type="ip"),
            [],
            id="AT016-pass-awsvpc-ip",
        ),
        pytest.param(
            "AT016",
            lambda k: load_balanced(k, network_mode="awsvpc", target_type=None),
            [(E, "whose target_type is instance; ECS rejects the service")],
            id="AT016-fail-awsvpc-default-instance",
        ),
        pytest.param(
            "AT016",
            lambda k: load_balanced(k, network_mode="bridge", target_type="ip"),
            [
                (
                    E,
                    'in the task definition); set target_type = "instance"',
                )
            ],
            id="AT016-fail-bridge-ip",
        ),
        pytest.param(
            "AT016",
            lambda k: load_balanced(k, network_mode="awsvpc", target_type=UNKNOWN),
            [],
            id="AT016-unknown-target-type",
        ),
        pytest.param(
            "AT016",
            lambda k: load_balanced(k, network_mode=UNKNOWN, target_type="instance"),
            [],
            id="AT016-unknown-network-mode",
        ),
    ],
)
def test_ecs_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)


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


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
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
    ],
)
def test_relation_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)


# -- AT324: ECS network configuration --------------------------------------------------------


def ecs(k, mode, network, *, service_actions=()):
    service_values = {"name": "api", "task_definition": UNKNOWN}
    if network is not None:
        service_values["network_configuration"] = network
    task_values = {"family": "api"}
    if mode is not None:
        task_values["network_mode"] = mode
    return k.document(
        k.resource(
            "aws_ecs_service",
            values=service_values,
            references={"task_definition": "aws_ecs_task_definition.api"},
            actions=service_actions,
        ),
        k.resource("aws_ecs_task_definition", "api", values=task_values),
        kind="plan" if service_actions else "config",
    )


NETWORK = [{"subnets": ["subnet-1"], "security_groups": ["sg-1"]}]


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: ecs(k, "awsvpc", None),
            [(E, "must be provided when networkMode 'awsvpc'")],
            id="AT324-fail-awsvpc-without",
        ),
        pytest.param(
            lambda k: ecs(k, "bridge", NETWORK),
            [(E, "not valid for the given networkMode")],
            id="AT324-fail-bridge-with",
        ),
        pytest.param(
            lambda k: ecs(k, None, NETWORK), [(E, "network_mode bridge")], id="AT324-fail-default"
        ),
        pytest.param(lambda k: ecs(k, "awsvpc", NETWORK), [], id="AT324-pass-awsvpc"),
        pytest.param(lambda k: ecs(k, "host", []), [], id="AT324-pass-host"),
        pytest.param(
            lambda k: ecs(k, "awsvpc", None, service_actions=("no-op",)),
            [],
            id="AT324-pass-unchanged-in-plan",
        ),
        pytest.param(lambda k: ecs(k, UNKNOWN, NETWORK), [], id="AT324-unknown-mode"),
        pytest.param(lambda k: ecs(k, "awsvpc", UNKNOWN), [], id="AT324-unknown-network"),
    ],
)
def test_service_network_configuration(kit, build, expected):
    kit.expect("AT324", build(kit), expected)
