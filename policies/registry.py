"""The rule registry: each rule module registers its pure check functions with ``@rule``.

Every rule states, besides its ID, title, severity and resource types (its category follows
from the ID prefix, see ``CATEGORIES``):

- ``service``: the AWS service it is about, as the lowercase prefix AWS uses in IAM actions
  (``"lambda"``, ``"s3"``, ``"elasticloadbalancing"`` is spelled ``"elbv2"`` here for
  brevity, see ``SERVICES``); ``"terraform"`` for the backend and Terraform itself, ``"aws"``
  for a rule that spans several services (names, tags);
- ``failure_class``: what kind of failure it predicts, one of ``FAILURE_CLASSES``:
    value-combination  arguments of ONE resource that AWS rejects together
                       (storage type vs iops, health check interval vs timeout)
    invalid-value      one value the provider schema accepts as a string but AWS rejects
                       (reserved Lambda environment keys, cron syntax, name patterns)
    offering           an engine / version / instance class / region AWS does not offer
                       (needs a data file under policies/data with its source and date)
    policy-document    a malformed IAM / KMS / resource policy document
    cross-resource     a relation between two resources of one configuration
    plan-time          something only a plan shows (replacements, deletions)
    posture            security and operations hygiene, not an apply failure (SEC, OPS)
- ``source``: one URL citing the real error or the AWS fact (an issue thread, an API
  reference page); the rule's doc cites it too, with the error text.

``@rule`` requires them as keyword arguments, and the catalog test
(tests/policies/rules/test_catalog.py) fails for a rule that leaves any of them empty.

Rules whose shape repeats (exclusive argument pairs, bounds, enum/regex values) are rows of a
table instead of functions: see ``policies/toolkit/rows.py``; each row calls ``rule()`` too.

This module imports no rule: ``policies.rules`` imports the rule modules, which register
here, and hands the registered rules over (``policies.rules.all_rules``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from facts.project import DEFAULT_GITHUB_REPOSITORY
from policies.model import Document, Severity, Violation

DOCS_DIR = Path(__file__).parent / "docs"
_REPOSITORY = re.compile(r"^[\w.-]+/[\w.-]+$")
_SERVER = re.compile(r"^https://[\w.:-]+$")  # GitHub or GitHub Enterprise Server


def help_uri_base(environ: Mapping[str, str]) -> str:
    """Where the rule docs are on GitHub: this repository when CI says which one it is.

    SARIF help links and ``--list-rules`` point there, so in GitHub Actions (which sets
    GITHUB_REPOSITORY) they open the docs of the repository being checked, not a placeholder.
    """
    repository = DEFAULT_GITHUB_REPOSITORY
    for key in ("CATALOG_GITHUB_REPOSITORY", "GITHUB_REPOSITORY"):
        if _REPOSITORY.fullmatch(environ.get(key, "")):
            repository = environ[key]
            break
    server = environ.get("GITHUB_SERVER_URL", "").rstrip("/")
    server = server if _SERVER.fullmatch(server) else "https://github.com"
    return f"{server}/{repository}/blob/main/policies/docs"


HELP_URI_BASE = help_uri_base(os.environ)

_RULE_ID = re.compile(r"^(AT|SEC|OPS|PLAN)\d{3}$")
# The ID prefix decides the category.
CATEGORIES = {"AT": "apply-time", "SEC": "security", "OPS": "operations", "PLAN": "plan"}

Check = Callable[[Document], Iterable[Violation]]

FAILURE_CLASSES = (
    "value-combination",
    "invalid-value",
    "offering",
    "policy-document",
    "cross-resource",
    "plan-time",
    "posture",
)
# Known services; a new one is fine, add it here so docs/policies.md groups it by name.
SERVICES = {
    "apigateway": "API Gateway",
    "autoscaling": "EC2 Auto Scaling",
    "aws": "Several services",
    "cloudfront": "CloudFront",
    "cloudwatch": "CloudWatch",
    "dynamodb": "DynamoDB",
    "ec2": "EC2 / EBS / VPC",
    "ecr": "ECR",
    "ecs": "ECS",
    "eks": "EKS",
    "elasticache": "ElastiCache",
    "elbv2": "Elastic Load Balancing",
    "events": "EventBridge",
    "iam": "IAM",
    "kinesis": "Kinesis",
    "kms": "KMS",
    "lambda": "Lambda",
    "logs": "CloudWatch Logs",
    "rds": "RDS / Aurora",
    "route53": "Route 53",
    "s3": "S3",
    "scheduler": "EventBridge Scheduler",
    "secretsmanager": "Secrets Manager",
    "sns": "SNS",
    "sqs": "SQS",
    "ssm": "Systems Manager",
    "terraform": "Terraform / backend",
}


@dataclass(frozen=True, kw_only=True)
class Rule:
    id: str
    title: str
    severity: Severity
    resource_types: tuple[str, ...]
    applies_to: frozenset[str]  # {"config"}, {"plan"} or both
    check: Check
    service: str  # see the module docstring and SERVICES
    failure_class: str  # one of FAILURE_CLASSES
    source: str  # URL of the real error text or AWS fact

    @property
    def category(self) -> str:
        """apply-time, security, operations or plan: what the ID prefix says."""
        match = _RULE_ID.match(self.id)
        return CATEGORIES[match.group(1)] if match else "other"

    @property
    def doc_path(self) -> Path:
        return DOCS_DIR / f"{self.id}.md"

    @property
    def help_uri(self) -> str:
        return f"{HELP_URI_BASE}/{self.id}.md"

    def applies(self, document: Document) -> bool:
        return document.kind in self.applies_to


REGISTRY: dict[str, Rule] = {}


def rule(
    *,
    id: str,
    title: str,
    severity: Severity,
    resource_types: Iterable[str],
    service: str,
    failure_class: str,
    source: str,
    applies_to: Iterable[str] = ("config", "plan"),
) -> Callable[[Check], Check]:
    """Register ``check`` as a rule. IDs are stable: never reuse or renumber one.

    ``service``, ``failure_class`` and ``source`` are described in the module docstring.
    """
    if not _RULE_ID.match(id):
        raise ValueError(f"rule id {id!r} does not match {_RULE_ID.pattern}")
    if failure_class not in FAILURE_CLASSES:
        raise ValueError(f"rule {id}: failure_class {failure_class!r} not in {FAILURE_CLASSES}")

    def register(check: Check) -> Check:
        if id in REGISTRY:
            raise ValueError(f"duplicate rule id {id}")
        REGISTRY[id] = Rule(
            id=id,
            title=title,
            severity=severity,
            resource_types=tuple(resource_types),
            applies_to=frozenset(applies_to),
            check=check,
            service=service,
            failure_class=failure_class,
            source=source,
        )
        return check

    return register
