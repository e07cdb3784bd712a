"""Hardening rules asserted on EVERY workflow in .github/workflows/ (see hardening.py)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from tests.workflows import hardening
from tests.workflows.hardening import WORKFLOW_FILES


def _load(path: Path) -> hardening.Workflow:
    return hardening.load(path.name, path.read_text(encoding="utf-8"))


def test_the_expected_workflows_exist() -> None:
    names = {p.name for p in WORKFLOW_FILES}
    assert {"pr.yml", "deploy.yml", "drift.yml"} <= names, names


def test_workflow_parses_and_has_jobs(workflow_file: Path) -> None:
    workflow = _load(workflow_file)
    assert workflow.triggers, "no `on:` triggers"
    assert workflow.jobs, "no jobs"


def test_workflow_matches_the_github_schema(workflow_file: Path) -> None:
    # The schema check-jsonschema ships (vendor.github-workflows): offline, no download.
    schema_file = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath(
        "github-workflows.json"
    )
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    data = _load(workflow_file).data
    # PyYAML follows YAML 1.1 and reads the key `on` as True; GitHub (YAML 1.2) does not.
    document = {("on" if key is True else key): value for key, value in data.items()}
    jsonschema.validate(document, schema)


@pytest.mark.parametrize("rule", hardening.ALL_RULES, ids=lambda r: r.__name__)
def test_hardening_rule(workflow_file: Path, rule) -> None:
    assert rule(_load(workflow_file)) == []
