"""The gate summary's policy findings, grouped by the Python file that made each resource."""

from __future__ import annotations

import json
from pathlib import Path

from gate.runner import Status, StepResult
from gate.summary import write_markdown
from pipeline.findings import findings_by_source, mapping_line

LINK_BASE = "https://github.com/acme/catalog-api-infra/blob/0123abc"


def _finding(rule: str, address: str, source: dict | None, **extra: object) -> dict:
    return {
        "rule_id": rule,
        "severity": "error",
        "address": address,
        "message": f"{rule} says no",
        "file": "cdktf.out/stacks/catalog-api-prod/cdk.tf.json",
        "line": 412,
        "stack": "catalog-api-prod",
        "source": source,
        "waived": False,
        **extra,
    }


FINDINGS = [
    _finding("AT003", "aws_ecs_service.s", {"file": "infra/components/service.py", "line": 274}),
    _finding("AT099", "aws_s3_bucket.raw", None),
    _finding("AT006", "aws_rds_cluster.c", {"file": "infra/components/database.py", "line": 62}),
    _finding("AT100", "aws_rds_cluster.c", {"file": "infra/components/database.py", "line": 9}),
    # A tampered source from an untrusted stack is not linked; the finding stays, unmapped.
    _finding("AT005", "aws_lb.x", {"file": "https://evil.example/x.py", "line": 1}),
]


def test_findings_are_grouped_by_python_file_with_links_at_the_head_commit() -> None:
    lines = findings_by_source(FINDINGS, link_base=LINK_BASE)
    headings = [line for line in lines if line.startswith("**")]
    assert headings == [
        "**`infra/components/database.py`**",
        "**`infra/components/service.py`**",
        "**not mapped to Python \\(synthesized JSON location\\)**",
    ]
    bullets = [line for line in lines if line.startswith("- ")]
    assert bullets[0].startswith(f"- [`infra/components/database.py:9`]({LINK_BASE}/infra/")
    assert f"({LINK_BASE}/infra/components/database.py#L62)" in bullets[1]
    assert "AT006" in bullets[1] and "`aws_rds_cluster.c`" in bullets[1]
    unmapped = bullets[3:]
    assert {b.split("`")[3] for b in unmapped} == {"aws_s3_bucket.raw", "aws_lb.x"}
    assert all("`cdktf.out/stacks/catalog-api-prod/cdk.tf.json:412`" in b for b in unmapped)
    assert "evil.example" not in "\n".join(lines)


def test_without_a_link_base_python_lines_are_plain_code() -> None:
    lines = findings_by_source(FINDINGS[:1], link_base=None)
    assert "- `infra/components/service.py:274` error AT003 `aws_ecs_service.s`" in lines[-1]


def test_long_lists_say_how_many_were_left_out() -> None:
    many = [FINDINGS[0]] * 7
    lines = findings_by_source(many, link_base=None, limit=5)
    assert sum(line.startswith("- ") for line in lines) == 5
    assert lines[-1] == "... 2 more in policies.json"


def test_mapping_line_counts_resources_and_data_sources() -> None:
    mapped = {"//": {"source": {"file": "infra/a.py", "line": 3}}}
    stacks = [
        {"resource": {"aws_vpc": {"a": mapped, "b": {}}}, "data": {"aws_region": {"r": mapped}}},
        {"resource": {"aws_lb": {"l": mapped}}},
    ]
    assert mapping_line(stacks) == (
        "Python lines known for 3 of 4 resources and data sources (75.0%)"
    )


def test_gate_summary_groups_policy_findings_by_python_file(tmp_path: Path) -> None:
    report = tmp_path / "policies.json"
    report.write_text(json.dumps({"findings": FINDINGS}), encoding="utf-8")
    result = StepResult(
        status=Status.FAILED,
        detail="blocking findings in 1 stack(s); Python lines known for 3 of 4 (75.0%)",
        reports=(report,),
        name="policies",
    )
    summary = tmp_path / "summary.md"
    write_markdown(
        [result], path=summary, total_seconds=1.0, relative_to=tmp_path, link_base=LINK_BASE
    )
    text = summary.read_text(encoding="utf-8")
    assert "Python lines known for 3 of 4 \\(75\\.0\\%\\)" in text
    section = text.split("## Policy findings by Python file", 1)[1]
    assert section.index("infra/components/database.py") < section.index("not mapped to Python")
    assert f"({LINK_BASE}/infra/components/service.py#L274)" in section
