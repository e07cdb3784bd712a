"""Rules of policies/rules/route53: table-driven passing, failing and unknown cases."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity

E, W = Severity.ERROR, Severity.WARNING


# -- AT323: CNAME at apex ----------------------------------------------------------------------


def record(k, name, type_="CNAME", zone_name="example.com"):
    return k.document(
        k.resource("aws_route53_zone", "main", values={"name": zone_name}),
        k.resource(
            "aws_route53_record",
            values={"zone_id": UNKNOWN, "name": name, "type": type_, "records": ["x.example.net"]},
            references={"zone_id": "aws_route53_zone.main"},
        ),
    )


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: record(k, "example.com"), [(E, "not permitted at apex")], id="AT323-fail"
        ),
        pytest.param(
            lambda k: record(k, "Example.com.", zone_name="example.com."),
            [(E, "apex")],
            id="AT323-fail-trailing-dot",
        ),
        pytest.param(lambda k: record(k, "www.example.com"), [], id="AT323-pass-subdomain"),
        pytest.param(lambda k: record(k, "www"), [], id="AT323-pass-relative-name"),
        pytest.param(lambda k: record(k, "example.com", type_="A"), [], id="AT323-pass-alias"),
        pytest.param(
            lambda k: record(k, "myexample.com"), [], id="AT323-pass-name-only-shares-a-suffix"
        ),
        pytest.param(lambda k: record(k, UNKNOWN), [], id="AT323-unknown-name"),
        pytest.param(
            lambda k: record(k, "example.com", zone_name=UNKNOWN), [], id="AT323-unknown-zone"
        ),
    ],
)
def test_cname_at_apex(kit, build, expected):
    kit.expect("AT323", build(kit), expected)
