"""Cross-resource rules on the real synthesized prod stack, loaded by the real loader.

The unit tables build references by hand; here the links come from CDKTF tokens such as
``${aws_ecs_cluster.service_cluster_B81F1F5D.name}``, so a rule that resolves nothing would
pass the clean stack and fail these mutations.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policies.loader import load_file
from policies.registry import REGISTRY
from policies.rules import all_rules

all_rules()  # registers the rule pack

STACK = "catalog-api-prod"
CROSS_RESOURCE_RULES = ("AT004", "AT010", "AT011", "AT015", "AT016")


def _only(resources: dict[str, Any], resource_type: str) -> dict[str, Any]:
    (body,) = resources[resource_type].values()
    return body


def detach_spot(stack: dict[str, Any]) -> None:
    _only(stack["resource"], "aws_ecs_cluster_capacity_providers")["capacity_providers"] = [
        "FARGATE"
    ]


def kms_log_bucket(stack: dict[str, Any]) -> None:
    sse = _only(stack["resource"], "aws_s3_bucket_server_side_encryption_configuration")
    sse["rule"][0]["apply_server_side_encryption_by_default"] = {"sse_algorithm": "aws:kms"}


def certificate_outside_us_east_1(stack: dict[str, Any]) -> None:
    for provider in stack["provider"]["aws"]:
        if provider.get("alias") == "us_east_1":
            provider["region"] = "eu-west-1"


def acls_disabled_on_log_bucket(stack: dict[str, Any]) -> None:
    controls = _only(stack["resource"], "aws_s3_bucket_ownership_controls")
    controls["rule"] = {"object_ownership": "BucketOwnerEnforced"}


def instance_target_group(stack: dict[str, Any]) -> None:
    _only(stack["resource"], "aws_lb_target_group")["target_type"] = "instance"


def _findings(tmp_path: Path, stack: dict[str, Any]) -> dict[str, list[str]]:
    path = tmp_path / "stacks" / STACK / "cdk.tf.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stack))
    document = load_file(path)
    return {
        rule_id: [v.message for v in REGISTRY[rule_id].check(document)]
        for rule_id in CROSS_RESOURCE_RULES
    }


def test_clean_prod_stack_resolves_links_and_passes(synthesized_stacks, tmp_path):
    assert _findings(tmp_path, copy.deepcopy(synthesized_stacks[STACK])) == {
        rule_id: [] for rule_id in CROSS_RESOURCE_RULES
    }


@pytest.mark.parametrize(
    ("mutate", "rule_id", "fragment"),
    [
        (detach_spot, "AT004", "names 'FARGATE_SPOT'"),
        (kms_log_bucket, "AT011", "encrypts with aws:kms"),
        (certificate_outside_us_east_1, "AT010", "ACM certificate in eu-west-1"),
        (acls_disabled_on_log_bucket, "AT015", "BucketOwnerEnforced (ACLs disabled)"),
        (instance_target_group, "AT016", "whose target_type is instance"),
    ],
    ids=["AT004", "AT011", "AT010", "AT015", "AT016"],
)
def test_mutated_prod_stack_is_caught(
    synthesized_stacks, tmp_path, mutate: Callable[[dict[str, Any]], None], rule_id, fragment
):
    stack = copy.deepcopy(synthesized_stacks[STACK])
    mutate(stack)
    findings = _findings(tmp_path, stack)
    assert len(findings[rule_id]) == 1 and fragment in findings[rule_id][0], findings
    assert all(not messages for other, messages in findings.items() if other != rule_id)
