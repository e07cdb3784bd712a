"""checkov's SARIF points at the Python line that made each resource, suppressions intact."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from gate.checkov_results import (
    AcceptedFailure,
    judge,
    mark_accepted_in_sarif,
    parse_checkov_json,
    point_sarif_at_sources,
    resource_types,
)
from tests.gate.conftest import FIXTURES

STACK = FIXTURES / "checkov-scan" / "catalog-api-dev" / "cdk.tf.json"
BUCKET_LINE = 11  # where checkov's results about aws_s3_bucket.logs_bucket_1A2B3C4D point
SOURCE = {"file": "infra/components/storage.py", "line": 62}


def test_checkov_results_move_to_python_and_keep_their_suppressions(tmp_path: Path) -> None:
    # The bucket gets a recorded source on an existing line, so checkov's lines still hold.
    stack = tmp_path / "catalog-api-dev" / "cdk.tf.json"
    stack.parent.mkdir()
    original = '"bucket": "catalog-logs"'
    text = STACK.read_text(encoding="utf-8")
    assert text.count(original) == 1
    stack.write_text(
        text.replace(original, f'"//": {{"source": {json.dumps(SOURCE)}}}, {original}'),
        encoding="utf-8",
    )
    report = json.loads((FIXTURES / "checkov_report.json").read_text())
    scan = parse_checkov_json(
        report, stack_resources={"catalog-api-dev": resource_types(json.loads(stack.read_text()))}
    )
    accepted = AcceptedFailure(
        check="CKV_AWS_18", resource="aws_s3_bucket.*", stack="*", reason="the access-log bucket"
    )
    sarif = tmp_path / "checkov.sarif"
    shutil.copy(FIXTURES / "checkov_report.sarif", sarif)
    before = json.loads(sarif.read_text())["runs"][0]["results"]

    mark_accepted_in_sarif(sarif, judge(scan.failed, accepted=(accepted,), passed_count=0))
    assert point_sarif_at_sources(sarif, {"catalog-api-dev": stack}) == (7, 10)

    results = json.loads(sarif.read_text())["runs"][0]["results"]
    for old, new in zip(before, results, strict=True):
        old_location = old["locations"][0]["physicalLocation"]
        new_location = new["locations"][0]["physicalLocation"]
        if old_location["region"]["startLine"] != BUCKET_LINE:
            # The security group has no recorded source: its JSON location stays.
            assert new_location == old_location and "relatedLocations" not in new
            continue
        assert new_location == {
            "artifactLocation": {"uri": SOURCE["file"]},
            "region": {"startLine": SOURCE["line"]},
        }
        (related,) = new["relatedLocations"]
        assert related["physicalLocation"] == old_location
        assert "aws_s3_bucket.logs_bucket_1A2B3C4D" in related["message"]["text"]
    suppressed = [r for r in results if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["CKV_AWS_18"]
    assert (
        suppressed[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == (SOURCE["file"])
    )
