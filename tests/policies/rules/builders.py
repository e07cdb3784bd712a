"""Resource builders that tests of several services share (subnets and VPCs, policy documents)."""

from __future__ import annotations

import json
from dataclasses import replace

from policies.model import UNKNOWN


def subnet(k, name, cidr, zone="eu-north-1a", vpc="aws_vpc.main"):
    return k.resource(
        "aws_subnet",
        name,
        values={"vpc_id": UNKNOWN, "cidr_block": cidr, "availability_zone": zone},
        references={"vpc_id": vpc},
    )


def vpc(k, cidr="10.0.0.0/16", name="main"):
    return k.resource("aws_vpc", name, values={"cidr_block": cidr})


def subnet_user(k, type_, attribute, names, **values):
    return k.resource(
        type_,
        values={attribute: [UNKNOWN] * len(names), **values},
        references={f"{attribute}.{i}": f"aws_subnet.{n}" for i, n in enumerate(names)},
    )


def doc(*statements, **top):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements), **top})


def templated(k, type_, attribute, template, **values):
    """A resource whose ``attribute`` is a CDKTF template (UNKNOWN with its raw text kept)."""
    resource = k.resource(type_, values={attribute: UNKNOWN, **values})
    return replace(resource, templates={attribute: template})
