"""Findings name the Python line that made the resource (issue 11's acceptance scenarios).

Five resources are broken in copies of the session's synthesized prod and dev stacks; each
apply-time finding must name an infra/**/*.py line that constructs that resource's CDKTF class,
in JSON, text, Markdown and SARIF, and a plan finds the same line through ``--synth``.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policies.cli import run
from tests.fixture_paths import REPO_ROOT

Stack = dict[str, Any]
PROD, DEV = "catalog-api-prod", "catalog-api-dev"
INFRA_PY = re.compile(r"^infra/(?:[\w-]+/)*[\w-]+\.py$")
LINK_BASE = "https://github.com/acme/catalog-api-infra/blob/0123abc"


def _only(stack: Stack, resource_type: str) -> tuple[str, dict[str, Any]]:
    ((name, body),) = stack["resource"][resource_type].items()
    return name, body


def _lifecycle_rule_without_filter(stack: Stack) -> str:
    name, body = _only(stack, "aws_s3_bucket_lifecycle_configuration")
    for rule in body["rule"]:
        rule.pop("filter", None)
    return f"aws_s3_bucket_lifecycle_configuration.{name}"


def _launch_type_on_the_service(stack: Stack) -> str:
    name, body = _only(stack, "aws_ecs_service")
    body["launch_type"] = "FARGATE"
    return f"aws_ecs_service.{name}"


def _engine_version_15_3(stack: Stack) -> str:
    name, body = _only(stack, "aws_rds_cluster")
    body["engine_version"] = "15.3"
    return f"aws_rds_cluster.{name}"


def _forwarded_values_on_the_distribution(stack: Stack) -> str:
    name, body = _only(stack, "aws_cloudfront_distribution")
    body["default_cache_behavior"]["forwarded_values"] = {
        "query_string": False,
        "cookies": {"forward": "none"},
    }
    return f"aws_cloudfront_distribution.{name}"


def _alb_name_of_36_characters(stack: Stack) -> str:
    name, body = _only(stack, "aws_lb")
    body["name"] = "catalog-api-dev-application-lb-00001"
    assert len(body["name"]) == 36
    return f"aws_lb.{name}"


# (stack, breakage, rule it must trigger, CDKTF class the named line must construct)
BREAKAGES: dict[str, tuple[str, Callable[[Stack], str], str, str]] = {
    "lifecycle rule without a filter": (
        DEV,
        _lifecycle_rule_without_filter,
        "AT005",
        "S3BucketLifecycleConfiguration",
    ),
    "launch_type on the ECS service": (PROD, _launch_type_on_the_service, "AT003", "EcsService"),
    "engine version 15.3": (PROD, _engine_version_15_3, "AT006", "RdsCluster"),
    "forwarded_values on the distribution": (
        PROD,
        _forwarded_values_on_the_distribution,
        "AT002",
        "CloudfrontDistribution",
    ),
    "36-character ALB name": (DEV, _alb_name_of_36_characters, "AT008", "Lb"),
}
RAW_BUCKET = "aws_s3_bucket_lifecycle_configuration.raw_override"


def _callees_at(file: str, line: int) -> set[str]:
    tree = ast.parse((REPO_ROOT / file).read_text(encoding="utf-8"))
    return {
        node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and node.lineno == line
    }


@pytest.fixture(scope="module")
def broken(
    synth_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, str]]:
    """Copies of the prod and dev stacks with the five breakages and one raw (unmapped) block.

    Returns the copy's directory and breakage -> broken address.
    """
    root = tmp_path_factory.mktemp("broken")
    stacks: dict[str, Stack] = {}
    for name in (PROD, DEV):
        source = synth_dir / "stacks" / name / "cdk.tf.json"
        stacks[name] = json.loads(source.read_text(encoding="utf-8"))
    addresses = {
        what: breakage(stacks[stack]) for what, (stack, breakage, _, _) in BREAKAGES.items()
    }
    # Fallback: a block added by hand (as a raw override would) has no "//" and no source.
    _, lifecycle = _only(stacks[PROD], "aws_s3_bucket_lifecycle_configuration")
    raw = copy.deepcopy(lifecycle)
    raw.pop("//")
    raw["rule"][0].pop("filter")
    stacks[PROD]["resource"]["aws_s3_bucket_lifecycle_configuration"]["raw_override"] = raw
    for name, stack in stacks.items():
        target = root / "stacks" / name / "cdk.tf.json"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(stack, indent=2), encoding="utf-8")
    return root, addresses


@pytest.fixture(scope="module")
def reports(broken: tuple[Path, dict[str, str]]) -> dict[str, Any]:
    root, _ = broken
    out = root / "reports"
    code = run(
        [
            "check",
            str(root),
            "--format",
            "json",
            "--output",
            str(out / "policies.json"),
            "--format",
            "sarif",
            "--output",
            str(out / "policies.sarif"),
            "--format",
            "markdown",
            "--output",
            str(out / "policies.md"),
            "--format",
            "text",
            "--output",
            str(out / "policies.txt"),
            "--link-base",
            LINK_BASE,
        ]
    )
    assert code == 1
    return {
        "json": json.loads((out / "policies.json").read_text(encoding="utf-8")),
        "sarif": json.loads((out / "policies.sarif").read_text(encoding="utf-8")),
        "markdown": (out / "policies.md").read_text(encoding="utf-8"),
        "text": (out / "policies.txt").read_text(encoding="utf-8"),
    }


def _finding(report: dict[str, Any], rule_id: str, address: str) -> dict[str, Any]:
    found = [f for f in report["findings"] if f["rule_id"] == rule_id and f["address"] == address]
    assert len(found) == 1, f"{rule_id} {address}: {len(found)} findings"
    return found[0]


@pytest.mark.parametrize("what", list(BREAKAGES))
def test_each_broken_resource_names_the_python_line_that_constructs_it(
    broken: tuple[Path, dict[str, str]], reports: dict[str, Any], what: str
) -> None:
    stack, _, rule_id, cdktf_class = BREAKAGES[what]
    address = broken[1][what]
    finding = _finding(reports["json"], rule_id, address)
    assert finding["stack"] == stack and finding["severity"] == "error"
    source = finding["source"]
    assert INFRA_PY.match(source["file"]), source
    assert cdktf_class in _callees_at(source["file"], source["line"])
    # The JSON location stays beside it.
    assert finding["file"].endswith(f"{stack}/cdk.tf.json") and finding["line"] > 0

    located = f"{source['file']}:{source['line']}"
    assert any(address in line and located in line for line in reports["text"].splitlines())
    assert f"[`{located}`]({LINK_BASE}/{source['file']}#L{source['line']})" in reports["markdown"]

    (result,) = [
        r
        for r in reports["sarif"]["runs"][0]["results"]
        if r["ruleId"] == rule_id and r["message"]["text"].startswith(f"{address}:")
    ]
    primary = result["locations"][0]["physicalLocation"]
    assert primary["artifactLocation"] == {"uri": source["file"], "uriBaseId": "%SRCROOT%"}
    assert primary["region"]["startLine"] == source["line"]
    (related,) = result["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"].endswith(f"{stack}/cdk.tf.json")
    assert related["physicalLocation"]["region"]["startLine"] == finding["line"]


def test_an_unmapped_resource_keeps_its_finding_and_json_location(
    reports: dict[str, Any],
) -> None:
    finding = _finding(reports["json"], "AT005", RAW_BUCKET)
    assert finding["source"] is None
    assert finding["file"].endswith(f"{PROD}/cdk.tf.json") and finding["line"] > 0
    (result,) = [
        r
        for r in reports["sarif"]["runs"][0]["results"]
        if r["message"]["text"].startswith(f"{RAW_BUCKET}:")
    ]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith(f"{PROD}/cdk.tf.json")
    assert "relatedLocations" not in result
    assert "Not mapped to Python" in reports["markdown"]


def test_markdown_groups_findings_by_python_file(reports: dict[str, Any]) -> None:
    errors = reports["markdown"].split("<summary><b>Errors")[1].split("</details>")[0]
    groups = re.findall(r"^\*\*(.+?)\*\*$", errors, flags=re.MULTILINE)
    files = [re.search(r"`([^`]+)`", group).group(1) for group in groups[:-1]]  # type: ignore[union-attr]
    assert files == sorted(set(files)) and len(files) >= 4
    assert all(INFRA_PY.match(file) for file in files)
    assert groups[-1].startswith("Not mapped to Python")


def _plan_of(stack: Stack, address: str) -> dict[str, Any]:
    """A minimal ``terraform show -json`` plan creating the resource at ``address``."""
    resource_type, name = address.split(".")
    body = {k: v for k, v in stack["resource"][resource_type][name].items() if k != "//"}
    after = {k: v for k, v in body.items() if "${" not in json.dumps(v)}
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.0",
        "resource_changes": [
            {
                "address": address,
                "mode": "managed",
                "type": resource_type,
                "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": after,
                    "after_unknown": {k: True for k in body if k not in after},
                },
            }
        ],
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"region": {"constant_value": "eu-north-1"}}}
            },
            "root_module": {},
        },
    }


def test_a_plan_finding_takes_its_python_line_from_the_synthesized_stack(
    broken: tuple[Path, dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, addresses = broken
    stack_file = root / "stacks" / PROD / "cdk.tf.json"
    stack = json.loads(stack_file.read_text(encoding="utf-8"))
    address = addresses["engine version 15.3"]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan_of(stack, address)), encoding="utf-8")

    args = ["check", str(plan), "--env", "prod", "--format", "json"]
    assert run(args) == 1
    without = _finding(json.loads(capsys.readouterr().out), "AT006", address)
    assert without["source"] is None  # a plan has no "//" metadata

    assert run([*args, "--synth", str(stack_file)]) == 1
    with_synth = _finding(json.loads(capsys.readouterr().out), "AT006", address)
    assert (
        with_synth["source"]
        == stack["resource"]["aws_rds_cluster"][address.split(".")[1]]["//"]["source"]
    )
    assert "RdsCluster" in _callees_at(with_synth["source"]["file"], with_synth["source"]["line"])


def test_synth_must_be_a_synthesized_stack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format_version": "1.2", "resource_changes": []}))
    assert run(["check", str(plan), "--synth", str(plan)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expected a synthesized stack" in err
    assert run(["check", str(plan), "--synth", str(tmp_path / "missing.json")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_copied_stack_still_maps(broken: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """The record lives in the file: a stack moved anywhere keeps its sources."""
    root, _ = broken
    moved = tmp_path / "elsewhere" / "prod.tf.json"
    moved.parent.mkdir()
    shutil.copy(root / "stacks" / PROD / "cdk.tf.json", moved)
    out = tmp_path / "report.json"
    run(["check", str(moved), "--format", "json", "--output", str(out)])
    findings = json.loads(out.read_text(encoding="utf-8"))["findings"]
    mapped = [f for f in findings if f["address"] != RAW_BUCKET]
    assert mapped and all(f["source"] and INFRA_PY.match(f["source"]["file"]) for f in mapped)


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        ({"file": "infra/components/cdn.py", "line": 57}, "infra/components/cdn.py:57"),
        ({"file": "../../etc/passwd.py", "line": 1}, None),
        ({"file": "/abs/infra/x.py", "line": 1}, None),
        ({"file": "infra/x.py)](https://evil.example/a.py", "line": 1}, None),
        ({"file": "infra/x.py", "line": 0}, None),
        ({"file": "infra/x.py", "line": True}, None),
        ({"file": "infra/x.txt", "line": 3}, None),
        ("infra/x.py:3", None),
    ],
)
def test_only_plain_relative_python_sources_are_believed(
    recorded: Any, expected: str | None
) -> None:
    """Stack files may come from an untrusted PR artifact; a source is printed and linked."""
    from tfjson.source import source_of

    found = source_of({"//": {"metadata": {}, "source": recorded}})
    assert (str(found) if found else None) == expected


def test_plan_instance_addresses_map_to_their_configuration() -> None:
    from tfjson.source import config_address, config_sources, mapped_share

    config = {
        "resource": {
            "aws_subnet": {
                "a": {"//": {"source": {"file": "infra/n.py", "line": 4}}},
                "b": {"//": {"metadata": {}}},
            }
        },
        "data": {"aws_region": {"r": {"//": {"source": {"file": "infra/s.py", "line": 9}}}}},
    }
    sources = config_sources(config)
    assert str(sources[config_address('aws_subnet.a["x"]')]) == "infra/n.py:4"
    assert str(sources[config_address("data.aws_region.r[0]")]) == "infra/s.py:9"
    assert mapped_share(config) == (2, 3)
