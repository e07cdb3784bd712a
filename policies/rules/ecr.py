"""ECR repositories and lifecycle policies AWS rejects."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from policies.toolkit.rows import Block, Row, custom, matches, pattern, register
from policies.toolkit.values import read

REPOSITORY = "aws_ecr_repository"


_ECR_NAME = pattern(
    r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*",
    "must be lowercase letters and digits, separated by single '.', '_', '-' or '/'",
)


def _ecr_name(value: str) -> str | None:
    if not 2 <= len(value) <= 256:
        return f"is {len(value)} characters; ECR allows 2-256"
    return _ECR_NAME(value)


register(
    Row(
        id="AT128",
        title="ECR repository name AWS rejects (uppercase, bad separators)",
        service="ecr",
        failure_class="invalid-value",
        resource_types=(REPOSITORY,),
        predicate=matches("name", _ecr_name),
        error=(
            "InvalidParameterException: Invalid parameter at 'repositoryName' failed to satisfy "
            "constraint: 'must satisfy regular expression "
            "'(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''"
        ),
        source="https://github.com/jenkins-x/jx/issues/1344",
        extra_sources=(
            "https://github.com/terraform-aws-modules/terraform-aws-ecr/pull/67",
            "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html",
        ),
        why=(
            "ECR repository names are lowercase letters and digits joined by single `.`, `_`, "
            "`-` or `/`, 2-256 characters. The provider passes the name through, so a name "
            "derived from a mixed-case project or GitHub repository fails at create."
        ),
        fix="Lowercase the name and use single separators (catalog-api/worker).",
        failing={"name": "Catalog-API"},
        passing={"name": "catalog-api"},
        more_failing=({"name": "catalog--api"},),
        more_passing=({"name": "team/catalog-api.worker_v2"},),
    ),
)
ECR_LIFECYCLE = "aws_ecr_lifecycle_policy"


# -- ECR lifecycle policy ----------------------------------------------------------------------


def _ecr_policy_problem(block: Block) -> str | None:
    raw = read(block, "policy")
    if not isinstance(raw, str) or "${" in raw:
        return None
    try:
        policy = json.loads(raw)
    except ValueError:
        return None  # the provider validates the JSON syntax
    rules = policy.get("rules") if isinstance(policy, Mapping) else None
    if not isinstance(rules, list):
        return None
    any_priority: int | None = None
    priorities: list[int] = []
    for rule in rules:
        if not isinstance(rule, Mapping):
            return None
        priority = rule.get("rulePriority")
        selection = rule.get("selection")
        if not isinstance(selection, Mapping):
            continue
        status = selection.get("tagStatus")
        count_type = selection.get("countType")
        name = f"rule {priority}"
        if status == "tagged" and not (
            selection.get("tagPrefixList") or selection.get("tagPatternList")
        ):
            return f"{name} selects tagStatus tagged without tagPrefixList or tagPatternList"
        if status in ("untagged", "any") and (
            "tagPrefixList" in selection or "tagPatternList" in selection
        ):
            return f"{name} lists tag prefixes or patterns with tagStatus {status}"
        if count_type == "sinceImagePushed" and "countUnit" not in selection:
            return f"{name} uses countType sinceImagePushed without countUnit"
        if count_type == "imageCountMoreThan" and "countUnit" in selection:
            return f"{name} sets countUnit with countType imageCountMoreThan"
        if isinstance(priority, int) and not isinstance(priority, bool):
            priorities.append(priority)
            if status == "any":
                any_priority = priority
    duplicated = sorted({p for p in priorities if priorities.count(p) > 1})
    if duplicated:
        return f"uses rulePriority {duplicated[0]} for more than one rule"
    if any_priority is not None and any_priority != max(priorities):
        return (
            f"rule {any_priority} with tagStatus any does not have the highest rulePriority "
            f"({max(priorities)})"
        )
    return None


def _ecr_policy(*rules: Mapping[str, Any]) -> dict[str, Any]:
    return {"repository": "catalog-api", "policy": json.dumps({"rules": list(rules)})}


_ECR_KEEP_RELEASES = {
    "rulePriority": 1,
    "description": "keep the last 30 release images",
    "selection": {
        "tagStatus": "tagged",
        "tagPrefixList": ["v"],
        "countType": "imageCountMoreThan",
        "countNumber": 30,
    },
    "action": {"type": "expire"},
}


register(
    Row(
        id="AT304",
        title="ECR lifecycle policy rule that ECR's policy schema rejects",
        service="ecr",
        failure_class="invalid-value",
        resource_types=(ECR_LIFECYCLE,),
        predicate=custom(_ecr_policy_problem),
        error=(
            "InvalidParameterException: Invalid parameter at 'LifecyclePolicyText' failed to "
            "satisfy constraint: 'Lifecycle policy validation failure: ...'"
        ),
        source="https://github.com/cloudposse/terraform-aws-ecr/issues/158",
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html",
            "https://github.com/cloud-custodian/cloud-custodian/issues/5597",
        ),
        why=(
            "ECR validates a lifecycle policy against its own rules when it is put: "
            "`tagStatus: tagged` needs `tagPrefixList` or `tagPatternList` (and only it may "
            "have them), `sinceImagePushed` needs `countUnit` while `imageCountMoreThan` must "
            "not have one, every `rulePriority` is unique, and the `tagStatus: any` rule must "
            "have the highest priority. The provider only checks that the policy is JSON."
        ),
        fix=(
            "Follow ECR's lifecycle policy rules: a tag list for tagged rules, countUnit only "
            "with sinceImagePushed, unique priorities, the 'any' rule last."
        ),
        failing=_ecr_policy(
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "tagged",
                    "countType": "imageCountMoreThan",
                    "countNumber": 30,
                },
                "action": {"type": "expire"},
            }
        ),
        passing=_ecr_policy(_ECR_KEEP_RELEASES),
        more_failing=(
            _ecr_policy(
                {
                    "rulePriority": 1,
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "imageCountMoreThan",
                        "countUnit": "days",
                        "countNumber": 5,
                    },
                    "action": {"type": "expire"},
                }
            ),
            _ecr_policy(
                {
                    "rulePriority": 1,
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": 100,
                    },
                    "action": {"type": "expire"},
                },
                {**_ECR_KEEP_RELEASES, "rulePriority": 2},
            ),
        ),
        more_passing=(
            _ecr_policy(
                _ECR_KEEP_RELEASES,
                {
                    "rulePriority": 2,
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": 7,
                    },
                    "action": {"type": "expire"},
                },
            ),
        ),
    ),
)
