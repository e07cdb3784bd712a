"""Checkov's failed checks judged against accepted failures, on a recorded checkov 3.3 report
of tests/gate/fixtures/checkov-scan (no checkov run needed)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gate.checkov_results import (
    AcceptedFailure,
    AcceptedFileError,
    grouped_lines,
    judge,
    load_accepted,
    mark_accepted_in_sarif,
    parse_checkov_json,
    resource_types,
)
from gate.steps.checkov import parseable_copy
from tests.gate.conftest import FIXTURES, REPO_ROOT

STACK = FIXTURES / "checkov-scan" / "catalog-api-dev" / "cdk.tf.json"


@pytest.fixture(scope="module")
def scan():
    report = json.loads((FIXTURES / "checkov_report.json").read_text())
    stack = json.loads(STACK.read_text())
    return parse_checkov_json(report, stack_resources={"catalog-api-dev": resource_types(stack)})


def _accepted(**fields: str) -> AcceptedFailure:
    return AcceptedFailure(**{"stack": "*", "reason": "a reason of some length", **fields})


def test_report_is_parsed_with_real_resource_types(scan) -> None:
    assert scan.passed == 9
    assert scan.parsing_errors == 0
    assert len(scan.failed) == 10
    # checkov calls the security group "resource.web_sg_..." in some checks; the stack says
    # what type it is, so accepted globs see one name.
    assert {f.resource for f in scan.failed} == {
        "aws_s3_bucket.logs_bucket_1A2B3C4D",
        "aws_security_group.web_sg_5E6F7A8B",
    }
    assert {f.stack for f in scan.failed} == {"catalog-api-dev"}


def test_parsing_errors_are_counted_even_when_nothing_was_scanned() -> None:
    summary_only = {
        "passed": 0,
        "failed": 0,
        "skipped": 0,
        "parsing_errors": 4,
        "resource_count": 0,
        "checkov_version": "3.3.30",
    }
    result = parse_checkov_json(summary_only)
    assert (result.parsing_errors, result.passed, result.failed) == (4, 0, ())


def test_accepted_entries_match_by_check_resource_glob_and_stack(scan) -> None:
    accepted = (
        _accepted(check="CKV_AWS_18", resource="aws_s3_bucket.logs_bucket_*"),
        _accepted(check="CKV_AWS_24", resource="aws_security_group.*", stack="catalog-api-dev"),
        # right check, other stack: must not hide the dev failure
        _accepted(check="CKV_AWS_21", resource="aws_s3_bucket.*", stack="catalog-api-prod"),
    )
    judgement = judge(scan.failed, accepted=accepted, passed_count=scan.passed)
    assert {f.check for f, _ in judgement.accepted} == {"CKV_AWS_18", "CKV_AWS_24"}
    assert len(judgement.unexpected) == 8
    assert "CKV_AWS_21" in {f.check for f in judgement.unexpected}


def test_entry_matching_nothing_is_stale_only_where_its_resources_were_scanned(scan) -> None:
    fixed = _accepted(check="CKV_AWS_999", resource="aws_s3_bucket.logs_bucket_*")
    elsewhere = _accepted(check="CKV_AWS_18", resource="aws_rds_cluster.*")
    scanned = {
        "catalog-api-dev": {
            "aws_s3_bucket.logs_bucket_1A2B3C4D",
            "aws_security_group.web_sg_5E6F7A8B",
        }
    }
    judgement = judge(scan.failed, accepted=(fixed, elsewhere), passed_count=0, scanned=scanned)
    assert judgement.stale == (fixed,)
    assert judge(scan.failed, accepted=(fixed, elsewhere), passed_count=0).stale == (
        fixed,
        elsewhere,
    )


def test_unexpected_failures_are_grouped_by_check(scan) -> None:
    lines = grouped_lines(scan.failed)
    assert lines[0].startswith("CKV_AWS_24 (1): Ensure no security groups allow ingress")
    assert lines[1] == "  aws_security_group.web_sg_5E6F7A8B in catalog-api-dev"
    assert len([line for line in lines if not line.startswith("  ")]) == 10


def test_accepted_failures_become_sarif_suppressions(scan, tmp_path: Path) -> None:
    sarif = tmp_path / "checkov.sarif"
    shutil.copy(FIXTURES / "checkov_report.sarif", sarif)
    judgement = judge(
        scan.failed,
        accepted=(
            _accepted(
                check="CKV_AWS_18",
                resource="aws_s3_bucket.*",
                reason="the access-log bucket itself",
            ),
        ),
        passed_count=scan.passed,
    )
    mark_accepted_in_sarif(sarif, judgement)
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    suppressed = [r for r in results if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["CKV_AWS_18"]
    assert suppressed[0]["suppressions"] == [
        {"kind": "external", "justification": "the access-log bucket itself"}
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "accepted:\n  - check: CKV_AWS_18\n    resource: '*'\n",
            "accepted/0: 'reason' is a required property",
        ),
        (
            "accepted:\n  - check: CKV_AWS_18\n    reason: because it is so\n",
            "accepted/0: 'resource' is a required property",
        ),
        (
            "accepted:\n  - check: aws-18\n    resource: '*'\n    reason: because it is so\n",
            "accepted/0/check: 'aws-18' does not match",
        ),
        (
            "accepted:\n  - check: CKV_AWS_18\n    resource: '*'\n    reason: short\n",
            "accepted/0/reason: 'short' is too short",
        ),
        ("accepted: [\n", "invalid YAML"),
        (
            "other: []\n",
            "top level: Additional properties are not allowed ('other' was unexpected)",
        ),
    ],
)
def test_a_bad_accepted_file_is_one_clear_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "accepted.yaml"
    path.write_text(content)
    with pytest.raises(AcceptedFileError) as error:
        load_accepted(path)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_the_checked_in_accepted_file_is_valid_and_every_entry_has_a_reason() -> None:
    entries = load_accepted(REPO_ROOT / "tools" / "checkov" / "accepted.yaml")
    assert entries
    assert all(len(entry.reason) >= 10 for entry in entries)
    # One entry per (check, resource, stack): a duplicate would always look stale.
    keys = [(e.check, e.resource, e.stack) for e in entries]
    assert len(keys) == len(set(keys))


def test_parseable_copy_drops_only_scalar_terraform_settings() -> None:
    document = json.loads(STACK.read_text())
    copy = parseable_copy(document)
    assert "required_version" not in copy["terraform"]
    assert copy["terraform"]["required_providers"] == document["terraform"]["required_providers"]
    assert copy["resource"] == document["resource"]
    assert document["terraform"]["required_version"] == ">= 1.10"  # the input is untouched
