"""What every workflow needs that neither zizmor nor actionlint checks: GitHub's schema,
a timeout on every job, and no static AWS credentials (AWS access is OIDC only)."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jsonschema

from tests.workflows.workflow_files import WORKFLOW_FILES, load_file

STATIC_AWS_KEYS = re.compile(
    r"aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID"
)


def test_the_expected_workflows_exist() -> None:
    names = {p.name for p in WORKFLOW_FILES}
    assert {"pr.yml", "deploy.yml", "drift.yml"} <= names, names


def test_workflow_matches_the_github_schema(workflow_file: Path) -> None:
    # The schema check-jsonschema ships (vendor.github-workflows): offline, no download.
    schema_file = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath(
        "github-workflows.json"
    )
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    workflow = load_file(workflow_file)
    assert workflow.triggers, "no `on:` triggers"
    assert workflow.jobs, "no jobs"
    # PyYAML follows YAML 1.1 and reads the key `on` as True; GitHub (YAML 1.2) does not.
    document = {("on" if key is True else key): value for key, value in workflow.data.items()}
    jsonschema.validate(document, schema)


def test_every_job_has_a_timeout(workflow_file: Path) -> None:
    # GitHub's default is 6 hours of a runner; a hung terraform should not hold a lock that long.
    problems = [
        f"job {job_id}: timeout-minutes {job.get('timeout-minutes')!r}"
        for job_id, job in load_file(workflow_file).jobs.items()
        # A reusable-workflow call cannot set a timeout; the called jobs do.
        if "uses" not in job
        and not (isinstance(job.get("timeout-minutes"), int) and 0 < job["timeout-minutes"] <= 360)
    ]
    assert problems == []


def test_no_static_aws_credentials(workflow_file: Path) -> None:
    lines = workflow_file.read_text(encoding="utf-8").splitlines()
    found = [
        f"line {number}"
        for number, line in enumerate(lines, start=1)
        if STATIC_AWS_KEYS.search(line) and not line.lstrip().startswith("#")
    ]
    assert found == []
