"""AT008: names AWS rejects."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity

E = Severity.ERROR


@pytest.mark.parametrize(
    ("type_", "values", "fragment"),
    [
        pytest.param("aws_lb", {"name": "catalog-api-prod-alb"}, None, id="AT008-pass-alb"),
        pytest.param(
            "aws_lb",
            {"name": "catalog-api-production-public-alb"},
            "is 33 characters, the limit is 32",
            id="AT008-fail-alb-33",
        ),
        pytest.param(
            "aws_lb",
            {"name": "internal-api"},
            'must not begin with "internal-"',
            id="AT008-fail-alb-internal",
        ),
        pytest.param(
            "aws_lb",
            {"name_prefix": "catalog"},
            "is 7 characters, the limit is 6",
            id="AT008-fail-alb-prefix",
        ),
        pytest.param(
            "aws_lb_target_group",
            {"name": "api-tg-"},
            "must not begin or end with a hyphen",
            id="AT008-fail-tg-hyphen",
        ),
        pytest.param(
            "aws_lb_target_group",
            {"name": "api_tg"},
            "may only contain letters, digits and hyphens",
            id="AT008-fail-tg-underscore",
        ),
        pytest.param(
            "aws_iam_role", {"name": "r" * 65}, "the limit is 64", id="AT008-fail-iam-role"
        ),
        pytest.param(
            "aws_iam_role",
            {"name": "catalog-api-github-apply-prod"},
            None,
            id="AT008-pass-iam-role",
        ),
        pytest.param(
            "aws_s3_bucket",
            {"bucket": "catalog-api-logs-123456789012"},
            None,
            id="AT008-pass-bucket",
        ),
        pytest.param(
            "aws_s3_bucket",
            {"bucket": "Catalog_Logs"},
            "lowercase letters",
            id="AT008-fail-bucket-case",
        ),
        pytest.param(
            "aws_s3_bucket",
            {"bucket": "192.168.1.10"},
            "formatted as an IP address",
            id="AT008-fail-bucket-ip",
        ),
        pytest.param(
            "aws_s3_bucket",
            {"bucket": "logs-s3alias"},
            'reserved suffix "-s3alias"',
            id="AT008-fail-bucket-suffix",
        ),
        pytest.param(
            "aws_s3_bucket", {"bucket": "a..b"}, "two adjacent periods", id="AT008-fail-bucket-dots"
        ),
        pytest.param(
            "aws_rds_cluster", {"cluster_identifier": "catalog-api-prod"}, None, id="AT008-pass-rds"
        ),
        pytest.param(
            "aws_rds_cluster",
            {"cluster_identifier": "1catalog"},
            "must begin with a letter",
            id="AT008-fail-rds-digit",
        ),
        pytest.param(
            "aws_rds_cluster_instance",
            {"identifier": "catalog--1"},
            "two consecutive hyphens",
            id="AT008-fail-rds-double-hyphen",
        ),
        pytest.param(
            "aws_db_instance",
            {"identifier": "Catalog"},
            "lowercase letters, digits and hyphens",
            id="AT008-fail-db-uppercase",
        ),
        pytest.param(
            "aws_secretsmanager_secret",
            {"name": "catalog api"},
            "may only contain",
            id="AT008-fail-secret-space",
        ),
        pytest.param("aws_lb", {"name": UNKNOWN, "name_prefix": None}, None, id="AT008-unknown"),
        pytest.param("aws_s3_bucket", {"bucket": UNKNOWN}, None, id="AT008-unknown-bucket"),
    ],
)
def test_resource_names(kit, type_, values, fragment):
    expected = [] if fragment is None else [(E, fragment)]
    kit.expect("AT008", kit.document(kit.resource(type_, values=values)), expected)
