"""Secrets written as literals in the configuration: they end up in git, synth output and state.

Only config documents are checked: in a plan, a generated password (random_password) is just as
known as a literal one, so "literal" cannot be told apart there.
Messages name the attribute, never the value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import Document, Resource, Severity, Violation
from policies.registry import rule
from policies.toolkit.values import text

# Attributes whose every literal value is a secret.
SECRET_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws_rds_cluster": ("master_password", "master_password_wo"),
    "aws_db_instance": ("password", "password_wo"),
    "aws_secretsmanager_secret_version": ("secret_string", "secret_string_wo", "secret_binary"),
    "aws_iam_user_login_profile": ("password",),
    "aws_elasticache_replication_group": ("auth_token",),
    "aws_docdb_cluster": ("master_password",),
}
CREDENTIAL_KEYS = ("access_key", "secret_key", "token", "sse_customer_key")

_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL", re.I
)
# Names that mention a secret but hold a pointer to it, not the secret itself.
_POINTER_NAME = re.compile(
    r"_(ARN|ID|NAME|FILE|PATH|REGION|ENDPOINT|URI|URL|HOST|HEADER|PARAMETER|TTL|EXPIRY|LENGTH)$",
    re.I,
)
_SECRET_VALUE = (
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"),  # URL with user:password
    re.compile(r"\b(ghp|gho|ghs|github_pat)_[A-Za-z0-9_]{20,}"),
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    re.compile(r"\bsk_live_[A-Za-z0-9]{16,}"),
)


def looks_secret(name: str, value: Any) -> bool:
    """Is ``name = value`` a literal secret? Tokens, ARNs, numbers and flags are not."""
    literal = text(value)
    if literal is None or "${" in literal:
        return False
    if any(pattern.search(literal) for pattern in _SECRET_VALUE):
        return True
    if not _SECRET_NAME.search(name) or _POINTER_NAME.search(name):
        return False
    if literal.startswith("arn:") or literal.lower() in ("true", "false"):
        return False
    return len(literal) >= 8 and not literal.isdigit()


def _container_environment(resource: Resource) -> Iterator[tuple[str, str, Any]]:
    """(container, variable, value) from a literal container_definitions JSON string."""
    raw = text(resource.values.get("container_definitions"))
    if raw is None:
        return
    try:
        containers = json.loads(raw)
    except ValueError:
        return
    if not isinstance(containers, list):
        return
    for container in containers:
        if not isinstance(container, Mapping):
            continue
        name = str(container.get("name", "?"))
        for variable in container.get("environment") or []:
            if isinstance(variable, Mapping) and isinstance(variable.get("name"), str):
                yield name, variable["name"], variable.get("value")


def _violation(address: str, resource: Resource | None, message: str) -> Violation:
    return Violation(address=address, resource=resource, message=message)


@rule(
    id="SEC002",
    title="Plaintext secret in the configuration",
    severity=Severity.ERROR,
    service="aws",
    failure_class="posture",
    source="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html",
    resource_types=(
        *SECRET_ATTRIBUTES,
        "aws_ssm_parameter",
        "aws_ecs_task_definition",
        "aws_lambda_function",
        "provider.aws",
        "terraform.backend.s3",
    ),
    applies_to=("config",),
)
def plaintext_secrets(document: Document) -> Iterator[Violation]:
    for resource in document.of_type(*SECRET_ATTRIBUTES):
        for attribute in SECRET_ATTRIBUTES[resource.type]:
            if text(resource.values.get(attribute)) is not None:
                yield _violation(
                    resource.address,
                    resource,
                    f"a literal {attribute} is set; it is stored in git, the synthesized JSON "
                    "and the state; use manage_master_user_password, a generated value or a "
                    "reference to Secrets Manager instead",
                )
    for parameter in document.of_type("aws_ssm_parameter"):
        if text(parameter.values.get("type")) == "SecureString":
            for attribute in ("value", "value_wo"):
                if text(parameter.values.get(attribute)) is not None:
                    yield _violation(
                        parameter.address,
                        parameter,
                        f"a literal {attribute} is set on a SecureString parameter; it is "
                        "stored in git and the synthesized JSON; write the value out of band",
                    )
    for task in document.of_type("aws_ecs_task_definition"):
        for container, variable, value in _container_environment(task):
            if looks_secret(variable, value):
                yield _violation(
                    task.address,
                    task,
                    f"container '{container}' environment variable {variable} holds a literal "
                    "value that looks like a secret; move it to the container's secrets "
                    "(valueFrom a Secrets Manager ARN)",
                )
    for function in document.of_type("aws_lambda_function"):
        environment = function.values.get("environment")
        variables = environment[0] if isinstance(environment, list) and environment else environment
        variables = variables.get("variables") if isinstance(variables, Mapping) else None
        if isinstance(variables, Mapping):
            for variable, value in variables.items():
                if looks_secret(variable, value):
                    yield _violation(
                        function.address,
                        function,
                        f"environment variable {variable} holds a literal value that looks like "
                        "a secret; read it from Secrets Manager at runtime",
                    )
    for provider in document.providers:
        for key in CREDENTIAL_KEYS:
            if text(provider.config.get(key)) is not None:
                yield _violation(
                    f"provider.{provider.key}",
                    None,
                    f"provider {provider.key} has a literal {key}; use OIDC, a profile or "
                    "environment credentials",
                )
    if document.backend is not None:
        for key in CREDENTIAL_KEYS:
            if text(document.backend.config.get(key)) is not None:
                yield _violation(
                    document.backend.address,
                    None,
                    f"the {document.backend.type} backend has a literal {key}; use OIDC, a "
                    "profile or environment credentials",
                )
