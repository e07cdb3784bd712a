"""drift-report, and the issue body drift-check writes, on the hand-written drift plans (see
fixtures/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.markdown import MARKDOWN_LIMIT
from tests.pipeline.support import drift_fixture, load

NONE = drift_fixture("drift_none.refresh.json")
SENSITIVE = drift_fixture("drift_sensitive.refresh.json")
DRIFT = drift_fixture("drift_with_pending.refresh.json")
FULL = drift_fixture("drift_with_pending.full.json")

# Every sensitive string in drift_sensitive.refresh.json.
SECRETS = ("Old-Hunter2-NeverPrintMe", "New-Rotated-ByHand-DoNotLeak", "Cluster-Pass-")


def _issue_body(run_cli, out: Path, environment: str, plan: Path, *extra: str) -> str:
    """The issue body `drift-check` writes (with the drift plan as its own full plan unless
    ``--full-plan`` is given in ``extra``)."""
    full = [] if "--full-plan" in extra else ["--full-plan", plan]
    result = run_cli("drift-check", "--env", environment, "--drift-plan", plan, *full, *extra,
                     "--out", out, "--no-promotion")  # fmt: skip
    assert result.code == 0, result.err
    return (out / "issue-body.md").read_text(encoding="utf-8")


def test_no_drift_exits_0(run_cli) -> None:
    result = run_cli("drift-report", NONE)

    assert result.code == 0
    assert "**No drift.**" in result.out
    assert "Pending code changes were not checked" in result.out


def test_drift_exits_3_in_every_format(run_cli) -> None:
    assert run_cli("drift-report", DRIFT).code == 3
    assert run_cli("drift-report", DRIFT, "--format", "json").code == 3


def test_drifted_attributes_from_and_to(run_cli) -> None:
    markdown = run_cli("drift-report", DRIFT).out

    assert "**3 resource(s) changed outside Terraform.**" in markdown
    assert "##### `aws_security_group.alb`: changed outside Terraform" in markdown
    assert "| `ingress[0].from_port` | `443` | `22` |" in markdown
    assert '| `ingress[0].description` | `"HTTPS"` | `"debug ssh"` |' in markdown
    assert '| `tags.Temporary` | `null` | `"yes"` |' in markdown
    assert "##### `aws_s3_bucket_policy.logs`: deleted outside Terraform" in markdown
    # Unchanged attributes are not listed.
    assert "`name`" not in markdown


def test_full_plan_tells_drift_from_pending_code_changes(run_cli) -> None:
    report = run_cli("drift-report", DRIFT, "--full-plan", FULL, "--format", "json").json()
    drifted = {d["address"]: d for d in report["drifted"]}

    # The security group goes back to the code, and the code also adds a tag nobody applied.
    assert drifted["aws_security_group.alb"]["next_apply"] == "reverts-and-changes"
    assert drifted["aws_security_group.alb"]["pending_paths"] == ["tags.CostCenter"]
    # Autoscaling moved desired_count; the code ignores it, so the next apply keeps it.
    assert drifted["aws_ecs_service.api"]["next_apply"] == "keeps"
    # Deleted by hand; the next apply creates it again.
    assert drifted["aws_s3_bucket_policy.logs"]["next_apply"] == "reverts"
    assert drifted["aws_s3_bucket_policy.logs"]["next_apply_action"] == "create"
    # The task definition is only a code change: pending, not drift.
    assert [p["address"] for p in report["pending_changes"]] == ["aws_ecs_task_definition.api"]
    assert "aws_ecs_task_definition.api" not in drifted


def test_markdown_separates_pending_changes_from_drift(run_cli) -> None:
    markdown = run_cli("drift-report", DRIFT, "--full-plan", FULL).out

    drift_part, pending_part = markdown.split("#### Pending code changes (not drift)")
    assert "aws_ecs_task_definition.api" not in drift_part
    assert "| replace | `aws_ecs_task_definition.api` |" in pending_part
    assert "Separately, 1 change(s) in the code are not applied yet" in drift_part
    assert "Next deploy: puts it back, and also applies pending code changes." in drift_part
    assert "Code changes: `tags.CostCenter`." in drift_part


def test_pending_changes_without_drift_exit_0(run_cli) -> None:
    """A merged-but-unapplied change is not drift: no issue for it."""
    result = run_cli("drift-report", NONE, "--full-plan", FULL)

    assert result.code == 0
    assert "**No drift.**" in result.out
    assert "3 change(s) in the code are not applied yet" in result.out


def test_sensitive_drift_is_shown_as_changed_but_never_printed(run_cli, tmp_path) -> None:
    outputs = [
        run_cli("drift-report", SENSITIVE),
        run_cli("drift-report", SENSITIVE, "--format", "json"),
    ]
    _issue_body(run_cli, tmp_path / "out", "dev", SENSITIVE)
    written = [path.read_text(encoding="utf-8") for path in (tmp_path / "out").iterdir()]

    for text in [r.out for r in outputs] + [r.err for r in outputs] + written:
        for secret in SECRETS:
            assert secret not in text
    markdown = outputs[0].out
    assert "| `secret_string` | `(sensitive)` | `(sensitive)` |" in markdown
    assert "| `master_password` | `(sensitive)` | `(sensitive)` |" in markdown
    assert "| `deletion_protection` | `false` | `true` |" in markdown
    attributes = {a["path"]: a for d in outputs[1].json()["drifted"] for a in d["attributes"]}
    assert attributes["secret_string"] == {
        "path": "secret_string",
        "before": "(sensitive)",
        "after": "(sensitive)",
    }


def test_redacted_drift_plan_keeps_no_secret(run_cli, tmp_path) -> None:
    output = tmp_path / "redacted.json"

    assert run_cli("plan-report", SENSITIVE, "--redacted", output).code == 0

    text = output.read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in text
    entry = load(output)["resource_drift"][1]["change"]
    assert entry["after"]["master_password"] == "(sensitive)"
    assert entry["after"]["deletion_protection"] is True


def test_data_source_reads_and_no_ops_are_not_drift(run_cli, write_json) -> None:
    data = load(DRIFT)
    for entry in data["resource_drift"]:
        entry["change"]["actions"] = ["no-op"]

    result = run_cli("drift-report", write_json("noop.json", data))

    assert result.code == 0


def test_many_drifted_resources_are_cut_under_the_limit(run_cli, write_json) -> None:
    data = load(DRIFT)
    template = data["resource_drift"][0]
    data["resource_drift"] = [
        template | {"address": f"aws_security_group.g{i:04d}", "name": f"g{i:04d}"}
        for i in range(2_000)
    ]

    markdown = run_cli("drift-report", write_json("many.json", data)).out

    assert len(markdown) < MARKDOWN_LIMIT
    assert "of 2,000 drifted resources not shown" in markdown


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_issue_body_starts_with_a_stable_marker(run_cli, tmp_path, environment) -> None:
    with_drift = _issue_body(run_cli, tmp_path / "drift", environment, DRIFT, "--full-plan", FULL,
                             "--run-url", "https://github.com/o/r/actions/runs/1")  # fmt: skip
    without_drift = _issue_body(run_cli, tmp_path / "none", environment, NONE)

    marker = f"<!-- catalog-api-drift:{environment} -->"
    assert with_drift.splitlines()[0] == marker
    assert without_drift.splitlines()[0] == marker
    assert "### Drift in " + environment in with_drift
    assert "[this workflow run](https://github.com/o/r/actions/runs/1)" in with_drift
    assert with_drift.count(marker) == 1


def test_issue_body_fits_an_issue(run_cli, write_json, tmp_path) -> None:
    data = load(DRIFT)
    template = data["resource_drift"][0]
    data["resource_drift"] = [
        template | {"address": f"aws_security_group.g{i:04d}"} for i in range(2_000)
    ]

    body = _issue_body(run_cli, tmp_path / "out", "prod", write_json("many.json", data))

    assert len(body) <= MARKDOWN_LIMIT
    assert body.startswith("<!-- catalog-api-drift:prod -->\n")
    assert "Output cut" in body


def test_update_that_leaves_the_drifted_attributes_alone_keeps_the_drift(
    run_cli, write_json
) -> None:
    """desired_count is ignored by the code; a pending tag change must not read as a revert."""
    full = load(FULL)
    service = next(r for r in full["resource_changes"] if r["address"] == "aws_ecs_service.api")
    service["change"]["actions"] = ["update"]
    service["change"]["after"] = service["change"]["after"] | {"tags": {"Team": "api"}}

    report = run_cli(
        "drift-report", DRIFT, "--full-plan", write_json("full.json", full), "--format", "json"
    ).json()
    drifted = {d["address"]: d for d in report["drifted"]}

    assert drifted["aws_ecs_service.api"]["next_apply"] == "keeps"
    assert drifted["aws_ecs_service.api"]["next_apply_action"] == "update"
    assert drifted["aws_ecs_service.api"]["pending_paths"] == ["tags"]
    # The security group's update does touch its drifted attributes.
    assert drifted["aws_security_group.alb"]["next_apply"] == "reverts-and-changes"


def _refresh_plan(before: dict, after: dict, *, sensitive: dict | None = None) -> dict:
    """A refresh-only plan whose one ``resource_drift`` entry is an update from state to real."""
    plan = load(NONE)
    plan["resource_drift"] = [
        {
            "address": "aws_ecs_service.api",
            "mode": "managed",
            "type": "aws_ecs_service",
            "name": "api",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": ["update"],
                "before": before,
                "after": after,
                "after_unknown": {},
                "before_sensitive": sensitive or {},
                "after_sensitive": sensitive or {},
            },
        }
    ]
    return plan


_SERVICE = {"id": "arn:aws:ecs:eu-north-1:1:service/c/api", "name": "api", "desired_count": 2}

# (before extra, after extra, attribute paths reported); an empty tuple means no drift.
_NORMALISATION_CASES = {
    "tags null -> {} only": ({"tags": None}, {"tags": {}}, ()),
    "block null -> []": ({"service_registries": None}, {"service_registries": []}, ()),
    'string "" vs null': ({"platform_version": ""}, {"platform_version": None}, ()),
    "key absent -> {}": ({}, {"tags_all": {}}, ()),
    "null -> {} inside a nested block": (
        {"load_balancer": [{"container_port": 8080, "elb_name": None, "tags": None}]},
        {"load_balancer": [{"container_port": 8080, "elb_name": "", "tags": {}}]},
        (),
    ),
    "{} -> a tag added": ({"tags": {}}, {"tags": {"Owner": "x"}}, ("tags.Owner",)),
    "a mix: only the real change is named": (
        {"tags": None, "capacity_provider_strategy": None, "desired_count": 2},
        {"tags": {}, "capacity_provider_strategy": [], "desired_count": 5},
        ("desired_count",),
    ),
    "a port changed inside a block that also normalised": (
        {"load_balancer": [{"container_port": 8080, "elb_name": None}]},
        {"load_balancer": [{"container_port": 9090, "elb_name": ""}]},
        ("load_balancer[0].container_port",),
    ),
}


@pytest.mark.parametrize(
    ("before", "after", "paths"),
    list(_NORMALISATION_CASES.values()),
    ids=list(_NORMALISATION_CASES),
)
def test_provider_normalisation_is_not_drift(run_cli, write_json, before, after, paths) -> None:
    plan = write_json("refresh.json", _refresh_plan(_SERVICE | before, _SERVICE | after))

    result = run_cli("drift-report", plan, "--format", "json")
    report = result.json()

    assert result.code == (3 if paths else 0)
    assert report["has_drift"] is bool(paths)
    assert [a["path"] for d in report["drifted"] for a in d["attributes"]] == list(paths)
    if not paths:
        assert "**No drift.**" in run_cli("drift-report", plan).out


def test_real_drift_next_to_normalisation_shows_values_as_before(run_cli, write_json) -> None:
    plan = _refresh_plan(
        _SERVICE | {"tags": {}, "propagate_tags": None},
        _SERVICE | {"tags": {"Owner": "x"}, "propagate_tags": "", "desired_count": 5},
    )

    markdown = run_cli("drift-report", write_json("refresh.json", plan)).out

    assert "**1 resource(s) changed outside Terraform.**" in markdown
    assert '| `tags.Owner` | `null` | `"x"` |' in markdown
    assert "| `desired_count` | `2` | `5` |" in markdown
    assert "propagate_tags" not in markdown


def test_sensitive_normalisation_is_not_drift_and_a_real_change_stays_masked(
    run_cli, write_json
) -> None:
    secret = "Hand-Set-Secret-Value"
    normalised = _refresh_plan(
        {"id": "s", "secret_string": None},
        {"id": "s", "secret_string": ""},
        sensitive={"secret_string": True},
    )
    changed = _refresh_plan(
        {"id": "s", "secret_string": None},
        {"id": "s", "secret_string": secret},
        sensitive={"secret_string": True},
    )

    assert run_cli("drift-report", write_json("normalised.json", normalised)).code == 0
    result = run_cli("drift-report", write_json("changed.json", changed), "--format", "json")
    assert result.code == 3
    assert secret not in result.out
    assert result.json()["drifted"][0]["attributes"] == [
        {"path": "secret_string", "before": None, "after": "(sensitive)"}
    ]
