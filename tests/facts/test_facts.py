"""Each shared fact has one definition, and every reader agrees with it."""

from __future__ import annotations

import dataclasses

import pytest

from facts.aws import FARGATE_MEMORY_BY_CPU, SUPPORTED_REGIONS
from facts.project import DEFAULT_GITHUB_REPOSITORY, drift_issue_marker, run_url
from infra.config import ENVIRONMENTS, ConfigError, load_settings, validate_environment
from policies.model import Document, Resource
from policies.registry import REGISTRY, help_uri_base
from policies.rules import all_rules

all_rules()  # registers the rule pack

# Every combination the table allows, plus its neighbours that it does not.
ALLOWED = [(cpu, memory) for cpu, sizes in FARGATE_MEMORY_BY_CPU.items() for memory in sizes]
REFUSED = [
    (256, 4096),
    (512, 512),
    (4096, 31744),
    (8192, 17408),  # 8 vCPU goes in 4 GB steps
    (16384, 40960),  # 16 vCPU goes in 8 GB steps
    (16384, 131072),
    (300, 1024),
]


def _at012(cpu: int, memory: int) -> list[str]:
    task = Resource(
        address="aws_ecs_task_definition.t",
        type="aws_ecs_task_definition",
        name="t",
        values={
            "requires_compatibilities": ["FARGATE"],
            "network_mode": "awsvpc",
            "cpu": str(cpu),
            "memory": str(memory),
        },
        stack="s",
        environment="dev",
        file="cdk.tf.json",
    )
    document = Document(kind="config", stack="s", environment="dev", file="f", resources=(task,))
    return [v.message for v in REGISTRY["AT012"].check(document)]


def _infra_accepts(cpu: int, memory: int) -> bool:
    try:
        validate_environment(
            dataclasses.replace(
                ENVIRONMENTS["dev"],
                service=dataclasses.replace(ENVIRONMENTS["dev"].service, cpu=cpu, memory=memory),
            )
        )
    except ConfigError:
        return False
    return True


@pytest.mark.parametrize(("cpu", "memory"), ALLOWED + REFUSED)
def test_infra_and_the_policy_pack_accept_the_same_fargate_sizes(cpu: int, memory: int) -> None:
    allowed = (cpu, memory) in ALLOWED
    assert _infra_accepts(cpu, memory) is allowed
    assert (_at012(cpu, memory) == []) is allowed


def test_the_table_matches_the_ecs_guide_at_its_edges() -> None:
    assert FARGATE_MEMORY_BY_CPU[256] == (512, 1024, 2048)
    assert (
        FARGATE_MEMORY_BY_CPU[8192][0] == 16 * 1024 and FARGATE_MEMORY_BY_CPU[8192][-1] == 60 * 1024
    )
    assert FARGATE_MEMORY_BY_CPU[16384][-1] == 120 * 1024


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
def test_every_supported_region_is_accepted_by_the_stacks(region: str) -> None:
    assert {env.region for env in load_settings({"CATALOG_REGION": region}).environments} == {
        region
    }


def test_the_default_repository_is_used_by_infra_and_the_rule_docs() -> None:
    assert load_settings({}).github_repository == DEFAULT_GITHUB_REPOSITORY
    assert f"/{DEFAULT_GITHUB_REPOSITORY}/" in help_uri_base({})


def test_run_url_and_markers() -> None:
    environ = {"GITHUB_SERVER_URL": "https://ghe.example/", "GITHUB_REPOSITORY": "o/r"}
    assert run_url(environ) is None  # not inside a run
    assert run_url(environ | {"GITHUB_RUN_ID": "9"}) == "https://ghe.example/o/r/actions/runs/9"
    assert drift_issue_marker("prod") == "<!-- catalog-api-drift:prod -->"
