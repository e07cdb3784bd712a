"""One rule for "is this a plan?", one plan reader: policies and pipeline see the same plan."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.summary import summarize
from policies.loader import load_file
from tests.fixture_paths import TERRAFORM_PLANS
from tfjson.actions import ACTION_REASONS, reason_text
from tfjson.kind import document_kind, require_plan
from tfjson.plan import load_plan, parse_plan
from tfjson.reader import InputError, load_json
from tfjson.values import UNKNOWN

REAL_PLANS = sorted(TERRAFORM_PLANS.glob("*.json"))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"format_version": "1.2", "planned_values": {}}, "plan"),
        ({"format_version": "1.2", "resource_drift": []}, "plan"),
        ({"resource": {}}, "config"),
        ({"//": {"metadata": {}}}, "config"),
        ({"format_version": "1.0", "values": {}}, "this is a Terraform state"),
        ({"format_version": "1.0", "valid": True}, "not a Terraform plan"),
        ({"format_version": "9.0", "planned_values": {}}, "unsupported plan format_version 9.0"),
        ({"name": "package.json"}, "neither a Terraform config nor a plan"),
        ([], "expected a JSON object"),
    ],
)
def test_document_kind(content: Any, expected: str) -> None:
    if expected in ("plan", "config"):
        assert document_kind(content, source="x.json") == expected
        return
    with pytest.raises(InputError, match=expected) as caught:
        document_kind(content, source="x.json")
    assert str(caught.value).startswith("x.json: ")
    assert "\n" not in str(caught.value)


def test_a_configuration_is_named_when_a_plan_is_required() -> None:
    with pytest.raises(InputError, match="this is Terraform configuration"):
        require_plan({"resource": {}}, source="cdk.tf.json")


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: text.encode("utf-16"),  # PowerShell's `>`
        lambda text: text.encode("utf-16-le"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-le"],
)
def test_reader_accepts_what_shells_write(tmp_path: Path, encode: Any) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(encode('{"format_version": "1.2", "planned_values": {}}'))
    data, _ = load_json(path)
    assert parse_plan(data, source=str(path)).resource_changes == ()


@pytest.mark.parametrize("path", REAL_PLANS, ids=lambda p: p.stem)
def test_policies_and_pipeline_read_real_plans_alike(path: Path) -> None:
    plan = load_plan(path)
    document = load_file(path)
    summary = summarize(plan, title="t")

    assert [r.address for r in document.resources] == [r.address for r in plan.resource_changes]
    assert sum(summary.counts.values()) == len(plan.resource_changes)
    for resource, change in zip(document.resources, plan.resource_changes, strict=True):
        assert resource.actions == change.change.actions
        assert resource.action_reason == change.action_reason


def test_unknown_leaves_of_a_plan_are_the_one_sentinel(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": "aws_s3_bucket.b",
                "type": "aws_s3_bucket",
                "name": "b",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": {"bucket": "b"},
                    "after_unknown": {"arn": True},
                },
            }
        ],
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    [resource] = load_file(path).resources
    assert resource.values["arn"] is UNKNOWN
    assert load_plan(path).resource_changes[0].change.after_values["arn"] is UNKNOWN


def test_every_action_reason_has_words_and_new_ones_pass_through() -> None:
    assert all(words and words != code for code, words in ACTION_REASONS.items())
    assert reason_text("replace_because_of_something_new") == "replace_because_of_something_new"
    assert reason_text(None) is None
