"""EC2 Auto Scaling groups: sizes AWS rejects."""

from __future__ import annotations

from typing import Any

from policies.toolkit.rows import Row, custom, ordered, register

ASG = "aws_autoscaling_group"
_ASG: dict[str, Any] = {
    "name": "catalog-api-workers",
    "vpc_zone_identifier": ["subnet-0a1b2c3d4e5f60718"],
    "launch_template": [{"id": "lt-0a1b2c3d4e5f60718", "version": "$Latest"}],
}


register(
    Row(
        id="AT115",
        title="Auto Scaling group outside min_size <= desired_capacity <= max_size",
        service="autoscaling",
        failure_class="value-combination",
        resource_types=(ASG,),
        predicate=custom(ordered("min_size", "desired_capacity", "max_size")),
        error=(
            "ValidationError: Desired capacity:3 must be between the specified min size:1 and "
            "max size:1"
        ),
        source="https://github.com/hashicorp/terraform/issues/16944",
        extra_sources=("https://github.com/traveloka/terraform-aws-autoscaling/pull/56",),
        why=(
            "An Auto Scaling group needs `min_size <= desired_capacity <= max_size` (and "
            "`min_size <= max_size`). The provider requires the sizes but does not compare "
            "them; the API rejects the group at create or update. The request to catch this "
            "before apply was filed against Terraform and moved to the provider in 2017."
        ),
        fix="Order the sizes min <= desired <= max (omit desired_capacity to let scaling decide).",
        failing={**_ASG, "min_size": 1, "max_size": 1, "desired_capacity": 3},
        passing={**_ASG, "min_size": 1, "max_size": 3, "desired_capacity": 3},
        more_failing=({**_ASG, "min_size": 2, "max_size": 1},),
        more_passing=({**_ASG, "min_size": 1, "max_size": 3},),
    ),
)
