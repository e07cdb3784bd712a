"""EKS node groups AWS rejects."""

from __future__ import annotations

from typing import Any

from policies.toolkit.rows import Row, custom, exclusive, ordered, register

NODE_GROUP = "aws_eks_node_group"
_NODE_GROUP: dict[str, Any] = {
    "cluster_name": "catalog-api",
    "node_group_name": "default",
    "node_role_arn": "arn:aws:iam::123456789012:role/catalog-api-nodes",
    "subnet_ids": ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"],
}


register(
    Row(
        id="AT114",
        title="EKS node group scaling_config outside min_size <= desired_size <= max_size",
        service="eks",
        failure_class="value-combination",
        resource_types=(NODE_GROUP,),
        scope=("scaling_config",),
        predicate=custom(ordered("min_size", "desired_size", "max_size")),
        error="InvalidParameterException: Minimum capacity 3 can't be greater than desired size 2",
        source="https://github.com/wandb/terraform-aws-wandb/issues/201",
        extra_sources=(
            "https://github.com/sassoftware/viya4-iac-aws/issues/298",
            "https://github.com/ministryofjustice/cloud-platform-infrastructure/pull/4595",
        ),
        why=(
            "EKS requires `min_size <= desired_size <= max_size` in a managed node group's "
            "`scaling_config`. The provider checks each number's lower bound only; EKS rejects "
            "the node group at create or update (`minSize can't be greater than desiredSize`, "
            "`desiredSize can't be greater than maxSize`)."
        ),
        fix="Order the three sizes min <= desired <= max.",
        failing={
            **_NODE_GROUP,
            "scaling_config": [{"min_size": 3, "desired_size": 2, "max_size": 5}],
        },
        passing={
            **_NODE_GROUP,
            "scaling_config": [{"min_size": 2, "desired_size": 2, "max_size": 5}],
        },
        more_failing=(
            {**_NODE_GROUP, "scaling_config": [{"min_size": 1, "desired_size": 6, "max_size": 5}]},
        ),
    ),
)

_SCALED_NODE_GROUP: dict[str, Any] = {
    "cluster_name": "catalog",
    "node_group_name": "general",
    "node_role_arn": "arn:aws:iam::123456789012:role/catalog-eks-nodes",
    "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
    "scaling_config": [{"min_size": 1, "max_size": 3, "desired_size": 2}],
}
_LAUNCH_TEMPLATE = [{"id": "lt-0123456789abcdef0", "version": "3"}]

register(
    Row(
        id="AT313",
        title="EKS node group sets disk_size together with a launch template",
        service="eks",
        failure_class="value-combination",
        resource_types=(NODE_GROUP,),
        predicate=exclusive("disk_size", "launch_template"),
        error="InvalidParameterException: Disk size must be specified within the launch template.",
        source="https://github.com/crossplane-contrib/provider-upjet-aws/issues/866",
        extra_sources=(
            "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html",
            "https://github.com/terraform-aws-modules/terraform-aws-eks/pull/1239",
        ),
        why=(
            "With a launch template, EKS takes the node's disk from the template's block device "
            "mappings; the CreateNodegroup API reference says a node group that also sets "
            "`diskSize` fails. The provider accepts both arguments and the create fails at apply."
        ),
        fix=(
            "Set the volume size in the launch template's block_device_mappings and drop disk_size."
        ),
        failing={**_SCALED_NODE_GROUP, "disk_size": 50, "launch_template": _LAUNCH_TEMPLATE},
        passing={**_SCALED_NODE_GROUP, "launch_template": _LAUNCH_TEMPLATE},
        more_passing=({**_SCALED_NODE_GROUP, "disk_size": 50},),
    ),
    Row(
        id="AT314",
        title="EKS node group sets remote_access together with a launch template",
        service="eks",
        failure_class="value-combination",
        resource_types=(NODE_GROUP,),
        predicate=exclusive("remote_access", "launch_template"),
        error=(
            "InvalidParameterException: Remote access configuration cannot be specified with a "
            "launch template."
        ),
        source="https://github.com/terraform-aws-modules/terraform-aws-eks/issues/2219",
        extra_sources=(
            "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html",
            "https://github.com/hashicorp/terraform-provider-aws/pull/35917",
        ),
        why=(
            "`remote_access` (SSH key and source security groups) only works with the launch "
            "template EKS creates itself; with your own launch template the key and security "
            "groups go into the template. The provider documents the conflict but does not "
            "enforce it, and CreateNodegroup fails at apply."
        ),
        fix=(
            "Put key_name and the security groups in the launch template, or prefer SSM Session "
            "Manager to SSH."
        ),
        failing={
            **_SCALED_NODE_GROUP,
            "launch_template": _LAUNCH_TEMPLATE,
            "remote_access": [{"ec2_ssh_key": "catalog-admin"}],
        },
        passing={**_SCALED_NODE_GROUP, "launch_template": _LAUNCH_TEMPLATE},
        more_passing=({**_SCALED_NODE_GROUP, "remote_access": [{"ec2_ssh_key": "catalog-admin"}]},),
    ),
)
