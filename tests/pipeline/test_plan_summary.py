"""plan-summary on real `terraform show -json` plans and on generated ones."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from pipeline.markdown import MARKDOWN_LIMIT
from tests.pipeline.support import drift_fixture, load, shared_plan, shared_plans


@pytest.mark.parametrize("plan", shared_plans(), ids=lambda p: p.stem)
def test_every_real_plan_is_summarized(run_cli, plan: Path) -> None:
    data = load(plan)
    markdown = run_cli("plan-summary", plan)
    summary = run_cli("plan-summary", plan, "--format", "json")

    assert markdown.code == 0, markdown.err
    assert summary.code == 0, summary.err
    result = summary.json()
    assert sum(result["counts"].values()) == len(data.get("resource_changes") or [])
    listed = [r["address"] for r in result["resources"]]
    for address in listed:
        assert f"`{address}`" in markdown.out
    changed_outputs = [
        name
        for name, change in (data.get("output_changes") or {}).items()
        if change["actions"] != ["no-op"]
    ]
    assert [o["name"] for o in result["outputs"]] == sorted(changed_outputs)
    if listed or changed_outputs:
        assert "**Plan:**" in markdown.out
    else:
        assert "**No changes.**" in markdown.out
    assert len(markdown.out) < MARKDOWN_LIMIT


def test_counts_and_rows_of_a_basic_plan(run_cli) -> None:
    result = run_cli("plan-summary", shared_plan("terraform-json__120_basic.json"))

    assert result.code == 0
    assert "**Plan:** 7 to add, 0 to change, 0 to replace, 0 to destroy." in result.out
    assert "| create | `null_resource.baz[2]` |  |" in result.out
    # An output whose value is computed during apply.
    assert "| create | `interpolated` | `null` | `(known after apply)` |" in result.out


def test_replacement_shows_its_readable_reason(run_cli) -> None:
    plan = shared_plan("terraform-json__action_reason.json")
    markdown = run_cli("plan-summary", plan).out
    row = run_cli("plan-summary", plan, "--format", "json").json()["resources"][0]

    assert "| replace | `null_resource.example` | tainted" in markdown
    assert "1 resource(s) will be destroyed or replaced" in markdown
    assert row["action"] == "replace"
    assert row["action_reason"] == "replace_because_tainted"
    assert row["attributes"] == [
        {"path": "id", "before": "8868159889619753631", "after": "(known after apply)"}
    ]


def test_create_before_destroy_counts_as_replace(run_cli) -> None:
    plan = shared_plan("checkov__plan_with_deleted_resources.json")
    counts = run_cli("plan-summary", plan, "--format", "json").json()["counts"]

    assert counts["replace"] == 1
    assert counts["create"] == 0
    assert counts["delete"] == 0


def test_replace_paths_are_named(run_cli) -> None:
    result = run_cli("plan-summary", drift_fixture("drift_with_pending.full.json"))

    assert (
        "| replace | `aws_ecs_task_definition.api` | an argument that cannot be updated in "
        "place changed\\; forces replacement\\: cpu |"
    ) in result.out


def test_moved_and_imported_resources_are_listed_though_no_op(run_cli) -> None:
    moved = run_cli("plan-summary", shared_plan("terraform-json__moved_block.json")).out
    imported = run_cli("plan-summary", shared_plan("terraform-json__identity.json")).out

    assert "| no-op | `random_id.test2` | moved from random\\_id\\.test |" in moved
    assert "| update | `corner_user_identity.user` | imported |" in imported
    assert "| `age` | `null` | `999` |" in imported


def test_sensitive_output_is_masked_in_every_format(run_cli) -> None:
    plan = shared_plan("terraform-json__110_sensitive_values.json")
    markdown = run_cli("plan-summary", plan).out
    outputs = {
        o["name"]: o for o in run_cli("plan-summary", plan, "--format", "json").json()["outputs"]
    }

    assert "| create | `foo` | `null` | `(sensitive)` |" in markdown
    assert outputs["foo"]["after"] == "(sensitive)"
    assert outputs["foo"]["sensitive"] is True
    assert outputs["string"]["after"] == "foo"


def test_no_sensitive_value_reaches_any_output(run_cli, write_json) -> None:
    """The real fixture's secret is "bar", a word that also appears unmarked; a canary is exact."""
    data = load(shared_plan("terraform-json__110_sensitive_values.json"))
    canary = "CANARY-sensitive-output-7f3a"
    data["output_changes"]["foo"]["after"] = canary
    data["planned_values"]["outputs"]["foo"]["value"] = canary
    resource = data["resource_changes"][-1]
    resource["change"]["after"]["triggers"]["foo"] = canary + "-attribute"
    resource["change"]["after_sensitive"] = {"triggers": {"foo": True}}
    resource["change"]["actions"] = ["update"]
    resource["change"]["before"] = {"triggers": {"foo": "old-" + canary}, "id": "1"}
    resource["change"]["before_sensitive"] = {"triggers": {"foo": True}}
    plan = write_json("plan.json", data)

    outputs = [
        run_cli("plan-summary", plan).out,
        run_cli("plan-summary", plan, "--format", "json").out,
    ]
    redacted = plan.parent / "redacted.json"
    assert run_cli("plan-report", plan, "--redacted", redacted).code == 0
    outputs.append(redacted.read_text(encoding="utf-8"))

    for text in outputs:
        assert canary not in text
    assert "| `triggers.foo` | `(sensitive)` | `(sensitive)` |" in outputs[0]


def _generated_plan(count: int) -> dict:
    changes = [
        {
            "address": f"aws_ssm_parameter.p{i:05d}",
            "mode": "managed",
            "type": "aws_ssm_parameter",
            "name": f"p{i:05d}",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": ["update"],
                "before": {"value": f"old-{i}", "tier": "Standard"},
                "after": {"value": f"new-{i}", "tier": "Advanced"},
                "after_unknown": {},
                "before_sensitive": {},
                "after_sensitive": {},
            },
        }
        for i in range(count)
    ]
    return {"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": changes}


def test_huge_plan_is_cut_under_the_limit_and_says_what_it_cut(run_cli, write_json) -> None:
    plan = write_json("huge.json", _generated_plan(5_000))

    markdown = run_cli("plan-summary", plan).out
    full = run_cli("plan-summary", plan, "--format", "json").json()

    assert len(markdown) < MARKDOWN_LIMIT
    assert "**Plan:** 0 to add, 5000 to change" in markdown
    shown_rows = len(re.findall(r"^\| update \| `aws_ssm_parameter", markdown, flags=re.M))
    cut = re.search(
        r"([\d,]+) of 5,000 resource rows; ([\d,]+) of 5,000 attribute details", markdown
    )
    assert cut is not None, markdown[-600:]
    assert shown_rows + int(cut.group(1).replace(",", "")) == 5_000
    assert int(cut.group(2).replace(",", "")) == 5_000  # no room left for any details
    assert 0 < shown_rows < 5_000
    # JSON is never cut.
    assert len(full["resources"]) == 5_000


def test_small_plan_is_not_cut(run_cli, write_json) -> None:
    markdown = run_cli("plan-summary", write_json("small.json", _generated_plan(3))).out

    assert "Output cut" not in markdown
    assert markdown.count("<details>") == 3


def test_max_chars_lowers_the_limit(run_cli, write_json) -> None:
    plan = write_json("plan.json", _generated_plan(200))

    markdown = run_cli("plan-summary", plan, "--max-chars", "5000").out

    assert len(markdown) <= 5_000
    assert "Output cut to stay under 5,000 characters" in markdown


def test_title_and_plan_from_stdin(run_cli, monkeypatch) -> None:
    plan = shared_plan("terraform-json__action_reason.json")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(plan.read_bytes())))

    result = run_cli("plan-summary", "-", "--title", "Plan for dev | PR #7")

    assert result.code == 0
    # "#7" is a code span: GitHub links no issue reference the title names.
    assert result.out.startswith("### Plan for dev \\| PR `#7`\n")


def test_utf16_plan_from_windows_shell_is_read(run_cli, tmp_path) -> None:
    plan = tmp_path / "plan.json"
    text = shared_plan("terraform-json__action_reason.json").read_text(encoding="utf-8")
    plan.write_bytes(text.encode("utf-16"))

    result = run_cli("plan-summary", plan, "--format", "json")

    assert result.code == 0
    assert result.json()["counts"]["replace"] == 1


def test_errored_plan_is_flagged(run_cli, write_json) -> None:
    data = _generated_plan(1) | {"errored": True}

    markdown = run_cli("plan-summary", write_json("errored.json", data)).out

    assert "this plan is incomplete and must not be applied" in markdown


def test_json_output_is_parseable_and_stable(run_cli) -> None:
    plan = shared_plan("terraform-json__120_basic.json")

    first = run_cli("plan-summary", plan, "--format", "json").out
    second = run_cli("plan-summary", plan, "--format", "json").out

    assert first == second
    assert json.loads(first)["has_changes"] is True
