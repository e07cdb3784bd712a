"""Plan-only: replacements AWS refuses half-way, which only the plan's action order shows.

- create-before-destroy with a fixed name: the new object is created while the old one still
  holds the name (PLAN100);
- destroy-before-create (Terraform's default) of an object another resource still uses: AWS
  refuses the delete because the user is only switched to the new object afterwards (PLAN101).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from policies.model import Document, Resource, Severity, Violation
from policies.registry import rule
from policies.toolkit.values import text

# type -> (name attribute, the error AWS answers CreateX with while the old object exists)
UNIQUE_NAMES: dict[str, tuple[str, str]] = {
    "aws_iam_role": ("name", "EntityAlreadyExists: Role with name {name} already exists"),
    "aws_iam_policy": ("name", "EntityAlreadyExists: A policy called {name} already exists"),
    "aws_iam_user": ("name", "EntityAlreadyExists: User with name {name} already exists"),
    "aws_iam_instance_profile": (
        "name",
        "EntityAlreadyExists: Instance Profile {name} already exists",
    ),
    "aws_lb_target_group": (
        "name",
        "DuplicateTargetGroupName: A target group with the same name '{name}' exists, but "
        "with different settings",
    ),
    "aws_lb": (
        "name",
        "DuplicateLoadBalancerName: A load balancer with the same name '{name}' exists, but "
        "with different settings",
    ),
    "aws_security_group": (
        "name",
        "InvalidGroup.Duplicate: The security group '{name}' already exists for VPC",
    ),
    "aws_db_parameter_group": (
        "name",
        "DBParameterGroupAlreadyExists: Parameter group {name} already exists",
    ),
    "aws_rds_cluster_parameter_group": (
        "name",
        "DBParameterGroupAlreadyExists: Parameter group {name} already exists",
    ),
    "aws_db_subnet_group": (
        "name",
        "DBSubnetGroupAlreadyExists: The DB subnet group '{name}' already exists",
    ),
    "aws_db_instance": (
        "identifier",
        "DBInstanceAlreadyExists: DB instance already exists",
    ),
    "aws_rds_cluster": (
        "cluster_identifier",
        "DBClusterAlreadyExistsFault: DB Cluster already exists",
    ),
    "aws_launch_template": (
        "name",
        "InvalidLaunchTemplateName.AlreadyExistsException: Launch template name already in use",
    ),
    "aws_lambda_function": (
        "function_name",
        "ResourceConflictException: Function already exist: {name}",
    ),
    "aws_cloudwatch_log_group": (
        "name",
        "ResourceAlreadyExistsException: The specified log group already exists",
    ),
    "aws_ecr_repository": (
        "name",
        "RepositoryAlreadyExistsException: The repository with name '{name}' already exists",
    ),
    "aws_secretsmanager_secret": (
        "name",
        "ResourceExistsException: The operation failed because the secret {name} already exists",
    ),
    "aws_kms_alias": (
        "name",
        "AlreadyExistsException: An alias with the name {name} already exists",
    ),
    "aws_dynamodb_table": ("name", "ResourceInUseException: Table already exists: {name}"),
    "aws_elasticache_subnet_group": (
        "name",
        "CacheSubnetGroupAlreadyExists: Cache subnet group {name} already exists",
    ),
    "aws_elasticache_parameter_group": (
        "name",
        "CacheParameterGroupAlreadyExists: Parameter group {name} already exists",
    ),
    "aws_key_pair": ("key_name", "InvalidKeyPair.Duplicate: The keypair already exists"),
}


@rule(
    id="PLAN100",
    service="aws",
    failure_class="plan-time",
    source="https://github.com/hashicorp/terraform/issues/11047",
    title="Create-before-destroy replacement keeps a fixed unique name",
    severity=Severity.ERROR,
    resource_types=tuple(sorted(UNIQUE_NAMES)),
    applies_to=("plan",),
)
def replacement_name_collision(document: Document) -> Iterator[Violation]:
    for resource in document.of_type(*UNIQUE_NAMES):
        if resource.actions != ("create", "delete") or resource.before is None:
            continue
        attribute, error = UNIQUE_NAMES[resource.type]
        name = text(resource.values.get(attribute))
        if name is None or text(resource.before.get(attribute)) != name:
            continue
        yield Violation(
            address=resource.address,
            resource=resource,
            message=(
                f"this plan replaces {resource.address} create-before-destroy, but its "
                f"{attribute} stays {name!r}: the new object is created while the old one "
                f"still holds the name, and AWS refuses ({error.format(name=name)}); use "
                f"{attribute}_prefix (or a generated suffix), or drop create_before_destroy"
            ),
        )


# type -> (attributes through which another resource uses it, the error deleting it gives)
IN_USE: dict[str, tuple[frozenset[str], str]] = {
    "aws_security_group": (
        frozenset(
            {
                "vpc_security_group_ids",
                "security_groups",
                "security_group_ids",
                "source_security_group_id",
                "referenced_security_group_id",
            }
        ),
        "DependencyViolation: resource sg-... has a dependent object",
    ),
    "aws_db_parameter_group": (
        frozenset({"parameter_group_name", "db_parameter_group_name"}),
        "InvalidDBParameterGroupState: One or more database instances are still members of "
        "this parameter group, so the group cannot be deleted",
    ),
    "aws_rds_cluster_parameter_group": (
        frozenset({"db_cluster_parameter_group_name"}),
        "InvalidDBParameterGroupState: One or more clusters are still members of this "
        "parameter group, so the group cannot be deleted",
    ),
    "aws_db_subnet_group": (
        frozenset({"db_subnet_group_name"}),
        "InvalidDBSubnetGroupStateFault: Cannot delete the subnet group because at least one "
        "database instance is still using it",
    ),
    "aws_acm_certificate": (
        frozenset({"certificate_arn", "acm_certificate_arn"}),
        "ResourceInUseException: Certificate ... in use",
    ),
    "aws_lb_target_group": (
        frozenset({"target_group_arn", "target_group_arns", "arn"}),
        "ResourceInUse: Target group ... is currently in use by a listener or a rule",
    ),
    "aws_elasticache_subnet_group": (
        frozenset({"subnet_group_name"}),
        "CacheSubnetGroupInUse: Cache subnet group is currently in use by a cache cluster",
    ),
    "aws_elasticache_parameter_group": (
        frozenset({"parameter_group_name"}),
        "InvalidCacheParameterGroupState: One or more cache clusters are still members of "
        "this parameter group",
    ),
}
# Resources that only wait for another and pass its ARN on: a user of one uses the other.
PASS_THROUGH = {"aws_acm_certificate_validation": "certificate_arn"}
_INDEX = re.compile(r"\[[^\]]*\]")


def _config_address(address: str) -> str:
    return _INDEX.sub("", address)


def _last_attribute(path: str) -> str:
    parts = [part for part in path.split(".") if not part.isdigit()]
    return parts[-1] if parts else path


@rule(
    id="PLAN101",
    service="aws",
    failure_class="plan-time",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/27476",
    title="Destroy-before-create replacement of an object another resource still uses",
    severity=Severity.ERROR,
    resource_types=tuple(sorted(IN_USE)),
    applies_to=("plan",),
)
def replacement_in_use(document: Document) -> Iterator[Violation]:
    replaced = {
        _config_address(resource.address): resource
        for resource in document.of_type(*IN_USE)
        if resource.actions == ("delete", "create")
    }
    if not replaced:
        return
    # A pass-through resource (certificate validation) stands for what it references.
    alias: dict[str, str] = {}
    for resource_type, attribute in PASS_THROUGH.items():
        for resource in document.of_type(resource_type):
            target = resource.reference(attribute)
            if target is not None:
                alias[_config_address(resource.address)] = target
    users: dict[str, list[Resource]] = {}
    for user in document.resources:
        if user.mode != "managed" or "delete" in user.actions or user.type in PASS_THROUGH:
            continue
        for path, referenced in user.references.items():
            target = alias.get(referenced, referenced)
            used = replaced.get(target)
            if used is None or _last_attribute(path) not in IN_USE[used.type][0]:
                continue
            found = users.setdefault(target, [])
            if user not in found:
                found.append(user)
    for target, found in users.items():
        used = replaced[target]
        names = ", ".join(u.address for u in found[:3]) + (" ..." if len(found) > 3 else "")
        yield Violation(
            address=used.address,
            resource=used,
            message=(
                f"this plan replaces {used.address} destroy-before-create while {names} still "
                f"uses it (and is not replaced); AWS refuses the delete "
                f"({IN_USE[used.type][1]}) and the apply stops half-way; add lifecycle "
                "create_before_destroy = true with a name_prefix so users switch first"
            ),
        )
