"""ECS services: launch type and capacity provider settings the ECS API rejects at apply time."""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import Document, Severity, Violation, is_known
from policies.registry import rule
from policies.rules._helpers import (
    Unresolved,
    blocks,
    linked_resource,
    resources_linked_to,
    text,
)

SERVICE = "aws_ecs_service"
CLUSTER = "aws_ecs_cluster"
CLUSTER_PROVIDERS = "aws_ecs_cluster_capacity_providers"


@rule(
    id="AT003",
    title="ECS service sets both launch_type and capacity_provider_strategy",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(SERVICE,),
)
def launch_type_with_strategy(document: Document) -> Iterator[Violation]:
    for service in document.of_type(SERVICE):
        launch_type = text(service.values.get("launch_type"))
        if launch_type is None or not any(
            True for _ in blocks(service.values, "capacity_provider_strategy")
        ):
            continue
        yield Violation(
            address=service.address,
            resource=service,
            message=(
                f"capacity_provider_strategy and launch_type ({launch_type}) are mutually "
                "exclusive; ECS rejects the service (InvalidParameterException: Specifying both "
                "a launch type and capacity provider strategy is not supported); remove "
                "launch_type"
            ),
        )


@rule(
    id="AT004",
    title="ECS service capacity provider is not attached to its cluster",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=(SERVICE, CLUSTER, CLUSTER_PROVIDERS),
)
def strategy_provider_not_attached(document: Document) -> Iterator[Violation]:
    for service in document.of_type(SERVICE):
        strategy = [
            name
            for _, entry in blocks(service.values, "capacity_provider_strategy")
            if (name := text(entry.get("capacity_provider"))) is not None
        ]
        if not strategy:
            continue
        cluster = linked_resource(
            document, service, path="cluster", target_types=(CLUSTER,), name_attribute="name"
        )
        if cluster is None:
            continue
        try:
            attachments = resources_linked_to(
                document,
                cluster,
                source_type=CLUSTER_PROVIDERS,
                path="cluster_name",
                name_attribute="name",
            )
        except Unresolved:
            continue
        if not attachments:
            continue  # providers may be attached outside this configuration: cannot tell
        attached: set[str] = set()
        for attachment in attachments:
            providers = attachment.values.get("capacity_providers")
            if not is_known(providers) or not isinstance(providers, list):
                break
            attached.update(p for p in providers if isinstance(p, str))
        else:
            for name in strategy:
                if name not in attached:
                    yield Violation(
                        address=service.address,
                        resource=service,
                        message=(
                            f"capacity_provider_strategy names '{name}', which "
                            f"{attachments[0].address} does not attach to {cluster.address} "
                            f"(attached: {', '.join(sorted(attached)) or 'none'}); ECS rejects "
                            "the service (InvalidParameterException: The specified capacity "
                            "provider strategy cannot contain a capacity provider that is not "
                            "associated with the cluster)"
                        ),
                    )
