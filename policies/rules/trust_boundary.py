"""Trust boundary: what a synthesized stack may ask Terraform to do while it only *plans*.

Pull-request stacks are planned with a real AWS role (the plan role), so anything that runs
code, reaches the network or reads secret material during ``terraform init``/``plan`` is a
way for a PR author to act with that role before anyone reviewed the change. These rules are
errors in every environment, and they fail closed: a block whose details are unknown still
counts, because its mere presence is what matters.

They judge configurations only: they must hold before Terraform runs, so the PR plan workflow
and the deploy's check-config step apply them to the synthesized JSON. A plan JSON is what a
plan that already ran left behind; judging it again would only repeat the config's verdict
(and flag every third-party plan that uses another provider).

Most rules read the normalized model (data sources, provisioners, providers); a few need the
raw JSON the model leaves out (``Document.raw_config``: required_providers, module calls,
ephemeral and check blocks, function calls inside ``${...}``), which only configs carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import Document, Resource, Severity, Violation, as_blocks
from policies.registry import rule

# Data sources of Terraform's own utility providers that run a program or fetch a URL (and,
# for terraform_remote_state, read another state through whatever backend the stack names).
OUTSIDE_DATA_SOURCES = {
    "external": "runs a local program and reads its output",
    "http": "sends an HTTP request to any URL, and can carry data out in it",
    "terraform_remote_state": "reads another Terraform state through a backend the stack chooses",
}

# AWS provider data sources that return secret material or run code when read, found from the
# provider schema (`terraform providers schema -json`, AWS provider 5.100; attributes marked
# sensitive) and its docs (https://registry.terraform.io/providers/hashicorp/aws/latest/docs).
SECRET_OR_CODE_DATA_SOURCES: Mapping[str, str] = {
    "aws_secretsmanager_secret_version": "returns the secret value (secret_string/secret_binary)",
    "aws_secretsmanager_random_password": "generates a password that ends up in plan output",
    "aws_ssm_parameter": "returns the parameter value, decrypted by default",
    "aws_ssm_parameters_by_path": "returns every parameter value under a path, decrypted",
    "aws_kms_secrets": "decrypts ciphertext with KMS and returns the plaintext",
    "aws_kms_secret": "decrypts ciphertext with KMS (removed data source, still refused)",
    "aws_lambda_invocation": "invokes a Lambda function: runs code during plan",
    "aws_api_gateway_api_key": "returns the API key value",
    "aws_api_gateway_api_keys": "returns API key values (include_values)",
    "aws_cognito_user_pool_client": "returns the client secret",
    "aws_ecr_authorization_token": "returns a registry password",
    "aws_ecrpublic_authorization_token": "returns a registry password",
    "aws_codeartifact_authorization_token": "returns a repository token",
    "aws_eks_cluster_auth": "returns a Kubernetes bearer token",
    "aws_elasticache_user": "returns the user's passwords",
    "aws_glue_connection": "returns connection properties, passwords included",
    "aws_dms_certificate": "returns the certificate wallet",
    "aws_redshift_cluster_credentials": "returns temporary database credentials",
    "aws_redshiftserverless_credentials": "returns temporary database credentials",
    "aws_s3_object": "returns the object's body",
    "aws_s3_bucket_object": "returns the object's body",
    "aws_dynamodb_table_item": "returns a table item",
    "aws_cloudcontrolapi_resource": "reads any resource type's properties",
}
# Attribute-level: these read secrets only when asked to.
SECRET_WHEN_SET: Mapping[str, tuple[str, ...]] = {
    "aws_instance": ("get_password_data", "get_user_data"),
}

# Providers a stack may use: the AWS provider from the public registry, and Terraform's
# built-in provider (terraform_data, terraform_remote_state). Keys are local names; values the
# source addresses that name may resolve to.
ALLOWED_PROVIDERS: Mapping[str, frozenset[str]] = {
    "aws": frozenset({"aws", "hashicorp/aws", "registry.terraform.io/hashicorp/aws"}),
    "terraform": frozenset({"terraform.io/builtin/terraform"}),
}

# Top-level blocks the pack cannot see into: module calls fetch and run code from elsewhere,
# ephemeral resources read secrets without a trace in state, check blocks hold their own data
# sources.
UNINSPECTED_BLOCKS = {
    "module": "module calls load configuration the policy check never sees",
    "ephemeral": "ephemeral resources read secrets during plan",
    "check": "check blocks carry their own scoped data sources",
}

# Built-in functions that read files from the machine running Terraform: the CI runner, whose
# environment (/proc/self/environ) holds the role's session credentials.
_FILE_FUNCTION = re.compile(
    r"\b(file|filebase64|fileexists|fileset|filemd5|filesha1|filesha256|filesha512|"
    r"templatefile)\s*\("
)


def _everything(document: Document) -> Iterator[Resource]:
    return iter(document.resources)


@rule(
    id="SEC010",
    title="Data source runs a program or reaches outside AWS (external, http, remote state)",
    severity=Severity.ERROR,
    service="terraform",
    failure_class="posture",
    source="https://registry.terraform.io/providers/hashicorp/external/latest/docs/data-sources/external",
    resource_types=tuple(OUTSIDE_DATA_SOURCES),
    applies_to=("config",),
)
def outside_data_sources(document: Document) -> Iterator[Violation]:
    for resource in _everything(document):
        if resource.mode == "data" and resource.type in OUTSIDE_DATA_SOURCES:
            yield Violation(
                address=resource.address,
                resource=resource,
                message=(
                    f"data source '{resource.type}' {OUTSIDE_DATA_SOURCES[resource.type]}; "
                    "it runs during plan with the plan role's credentials, before review"
                ),
            )


@rule(
    id="SEC011",
    title="Provisioner (local-exec, remote-exec, file) on a resource",
    severity=Severity.ERROR,
    service="terraform",
    failure_class="posture",
    source="https://developer.hashicorp.com/terraform/language/resources/provisioners/syntax",
    resource_types=("*",),
    applies_to=("config",),
)
def provisioners(document: Document) -> Iterator[Violation]:
    for resource in _everything(document):
        for block in _provisioner_blocks(resource.values.get("provisioner")):
            kinds = [str(kind) for kind in block] if isinstance(block, Mapping) else []
            # An unreadable block is still a provisioner: fail closed.
            for kind in kinds or ["(unreadable)"]:
                yield Violation(
                    address=resource.address,
                    resource=resource,
                    message=(
                        f"'{kind}' provisioner: provisioners run commands on the CI runner or "
                        "a host; the stack must not carry any"
                    ),
                )


def _provisioner_blocks(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | Mapping):
        blocks = as_blocks(value)
        # HCL-style JSON nests a list per type: {"local-exec": [{...}]} or [{"local-exec": {}}].
        return blocks or [value]
    return [value]  # UNKNOWN or a scalar: still a provisioner block


@rule(
    id="SEC012",
    title="Provider outside the allowlist (aws and Terraform's built-in provider only)",
    severity=Severity.ERROR,
    service="terraform",
    failure_class="posture",
    source="https://developer.hashicorp.com/terraform/language/providers/requirements",
    resource_types=("*",),
    applies_to=("config",),
)
def provider_allowlist(document: Document) -> Iterator[Violation]:
    seen: set[str] = set()

    def refuse(name: str, address: str, why: str, resource: Resource | None = None) -> Violation:
        seen.add(address)
        return Violation(
            address=address,
            resource=resource,
            message=(
                f"{why}; only {', '.join(sorted(ALLOWED_PROVIDERS))} are allowed: any other "
                "provider is a program Terraform downloads and runs during init and plan"
            ),
        )

    for raw in document.raw_config:
        for local_name, spec in _required_providers(raw):
            # A bare string is the legacy version-only form: the source is the local name.
            source = spec.get("source", local_name) if isinstance(spec, Mapping) else local_name
            allowed = ALLOWED_PROVIDERS.get(local_name, frozenset())
            if not isinstance(source, str) or source.lower() not in allowed:
                yield refuse(
                    local_name,
                    f"terraform.required_providers.{local_name}",
                    f"provider '{local_name}' with source '{source}'",
                )
    for provider in document.providers:
        if provider.name not in ALLOWED_PROVIDERS:
            yield refuse(provider.name, provider.address, f"provider '{provider.name}'")
    for resource in _everything(document):
        name = (resource.provider or resource.type).split(".", 1)[0].split("_", 1)[0]
        if name not in ALLOWED_PROVIDERS and resource.address not in seen:
            yield refuse(name, resource.address, f"'{resource.type}' uses provider '{name}'")


def _required_providers(raw: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for block in as_blocks(raw.get("terraform")):
        if not isinstance(block, Mapping):
            continue
        for providers in as_blocks(block.get("required_providers")):
            if isinstance(providers, Mapping):
                yield from providers.items()


@rule(
    id="SEC013",
    title="AWS data source that reads secret material or runs code",
    severity=Severity.ERROR,
    service="aws",
    failure_class="posture",
    source="https://registry.terraform.io/providers/hashicorp/aws/latest/docs",
    resource_types=(*SECRET_OR_CODE_DATA_SOURCES, *SECRET_WHEN_SET),
    applies_to=("config",),
)
def secret_or_code_data_sources(document: Document) -> Iterator[Violation]:
    for resource in _everything(document):
        if resource.mode != "data":
            continue
        why = SECRET_OR_CODE_DATA_SOURCES.get(resource.type)
        if why is None:
            # Anything but absent or false counts: an unknown flag may be true (fail closed).
            flags = [
                flag
                for flag in SECRET_WHEN_SET.get(resource.type, ())
                if resource.values.get(flag) not in (None, False)
            ]
            if not flags:
                continue
            why = f"reads secrets when {' / '.join(flags)} is set"
        yield Violation(
            address=resource.address,
            resource=resource,
            message=(
                f"data source '{resource.type}' {why}; it is read during plan with the plan "
                "role, and its result lands in the plan output and state"
            ),
        )


@rule(
    id="SEC014",
    title="Module call, ephemeral resource or check block the policy check cannot inspect",
    severity=Severity.ERROR,
    service="terraform",
    failure_class="posture",
    source="https://developer.hashicorp.com/terraform/language/modules/sources",
    resource_types=tuple(UNINSPECTED_BLOCKS),
    applies_to=("config",),
)
def uninspected_blocks(document: Document) -> Iterator[Violation]:
    for raw in document.raw_config:
        for key, why in UNINSPECTED_BLOCKS.items():
            for block in as_blocks(raw.get(key)):
                names = list(block) if isinstance(block, Mapping) else ["(unreadable)"]
                for name in names:
                    yield Violation(address=f"{key}.{name}", message=f"{key} '{name}': {why}")


@rule(
    id="SEC015",
    title="Expression reads files from the machine running Terraform",
    severity=Severity.ERROR,
    service="terraform",
    failure_class="posture",
    source="https://developer.hashicorp.com/terraform/language/functions/file",
    resource_types=("*",),
    applies_to=("config",),
)
def file_functions(document: Document) -> Iterator[Violation]:
    for raw in document.raw_config:
        for path, function in _file_function_calls(raw, ()):
            yield Violation(
                address=".".join(path) or "(root)",
                message=(
                    f"{function}() reads a file on the CI runner during plan (for example "
                    "/proc/self/environ, which holds the role's credentials) and can put it in "
                    "the plan output; pass the content in the stack instead"
                ),
            )


def _file_function_calls(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        if "${" in value:
            for match in _FILE_FUNCTION.finditer(value):
                yield path, match.group(1)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _file_function_calls(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _file_function_calls(item, (*path, str(index)))


# Provider and backend arguments that send the role's signed requests somewhere other than AWS,
# or weaken how AWS is reached. Reviewed code never needs them; tests add their moto endpoints
# as Terraform override files at run time, outside the synthesized stack.
REDIRECTING_PROVIDER_ARGUMENTS = (
    "endpoints",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "custom_ca_bundle",
    "insecure",
    "ec2_metadata_service_endpoint",
    "sts_region",
)
REDIRECTING_BACKEND_ARGUMENTS = (
    "endpoint",
    "endpoints",
    "sts_endpoint",
    "iam_endpoint",
    "dynamodb_endpoint",
    "http_proxy",
    "https_proxy",
    "custom_ca_bundle",
    "insecure",
)


@rule(
    id="SEC016",
    title="Provider or backend sends requests to a custom endpoint, or the backend is not S3",
    severity=Severity.ERROR,
    service="terraform",
    failure_class="posture",
    source="https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/custom-service-endpoints",
    resource_types=("provider.aws", "terraform.backend"),
    applies_to=("config",),
)
def redirected_requests(document: Document) -> Iterator[Violation]:
    for provider in document.providers:
        for argument in REDIRECTING_PROVIDER_ARGUMENTS:
            if provider.config.get(argument) is not None:
                yield Violation(
                    address=provider.address,
                    message=(
                        f"provider '{provider.key}' sets {argument}: the role's requests (and "
                        "what they return) would go through a host the stack chooses"
                    ),
                )
    for raw in document.raw_config:
        for block in as_blocks(raw.get("terraform")):
            if isinstance(block, Mapping) and block.get("cloud") is not None:
                yield Violation(
                    address="terraform.cloud",
                    message=(
                        "terraform.cloud runs plans and keeps state in HCP Terraform, outside "
                        "the bootstrap's S3 backend"
                    ),
                )
    backend = document.backend
    if backend is None:
        return
    if backend.type == "local" and _plain_file_name(backend.config.get("path", "x")):
        return  # the bootstrap stack before its state moves to S3 (docs/bootstrap.md)
    if backend.type != "s3":
        yield Violation(
            address=backend.address,
            message=(
                f"backend '{backend.type}': the state lives in the S3 backend the bootstrap "
                "created (or, for the bootstrap itself, a local file beside the stack); any "
                "other backend reads or writes state somewhere unreviewed"
            ),
        )
        return
    for argument in REDIRECTING_BACKEND_ARGUMENTS:
        if backend.config.get(argument) is not None:
            yield Violation(
                address=backend.address,
                message=(
                    f"S3 backend sets {argument}: state requests signed with the role's "
                    "credentials would go to a host the stack chooses"
                ),
            )


def _plain_file_name(path: Any) -> bool:
    """A file in the stack's own directory: no directory part, nothing unknown."""
    return isinstance(path, str) and re.fullmatch(r"[\w.-]+", path) is not None and ".." not in path
