"""Hardening rules for GitHub workflow files, as functions from workflow text to violations.

Kept apart from the tests so each rule is also run against a deliberately bad workflow
(tests/workflows/test_hardening_rules.py): a rule that cannot fail proves nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from tests.fixture_paths import REPO_ROOT

WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted([*WORKFLOWS_DIR.glob("*.yml"), *WORKFLOWS_DIR.glob("*.yaml")])

# A full commit SHA, then a "# vX.Y.Z" comment naming the release it is.
PINNED_USES = re.compile(r"^\s*(-\s+)?uses:\s*(?P<ref>[^\s#]+)\s*(#\s*(?P<comment>\S+))?.*$")
SHA_REF = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^v\d+\.\d+\.\d+$")
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)

# Contexts an outsider controls (titles, bodies, branch names, commit messages, ...). Any
# `github.event.*` value is treated as untrusted unless it is listed as safe below.
UNTRUSTED = re.compile(r"\bgithub\.(event\.|head_ref\b|ref_name\b)")
SAFE_EVENT_FIELDS = re.compile(
    r"^github\.event\.(number|pull_request\.number|pull_request\.(head|base)\.sha"
    r"|pull_request\.head\.repo\.fork|repository\.id|workflow_run\.id)$"
)
CONTEXT_REFERENCE = re.compile(r"\bgithub\.[A-Za-z0-9_.\-\[\]'*]+")


@dataclass(frozen=True, kw_only=True)
class Workflow:
    name: str
    text: str
    data: dict[Any, Any]

    @property
    def triggers(self) -> dict[str, Any]:
        # PyYAML (YAML 1.1) reads the key `on` as the boolean True.
        raw = self.data.get("on", self.data.get(True))
        if isinstance(raw, str):
            return {raw: None}
        if isinstance(raw, list):
            return {str(t): None for t in raw}
        return dict(raw or {})

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        return dict(self.data.get("jobs") or {})


def load(name: str, text: str) -> Workflow:
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: not a mapping")
    return Workflow(name=name, text=text, data=data)


def steps(workflow: Workflow) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_id, job in workflow.jobs.items():
        for step in job.get("steps") or []:
            yield job_id, step


def unpinned_actions(workflow: Workflow) -> list[str]:
    """Every `uses:` is a local path or owner/repo@<40-hex SHA> # vX.Y.Z."""
    problems = []
    for number, line in enumerate(workflow.text.splitlines(), start=1):
        match = PINNED_USES.match(line)
        if not match or line.lstrip().startswith("#"):
            continue
        ref, comment = match.group("ref").strip("'\""), match.group("comment")
        if ref.startswith("./"):
            continue
        if not SHA_REF.match(ref):
            problems.append(f"line {number}: {ref} is not pinned to a full commit SHA")
        elif comment is None or not VERSION_COMMENT.match(comment):
            problems.append(f"line {number}: {ref} lacks a '# vX.Y.Z' version comment")
    return problems


def permission_problems(workflow: Workflow) -> list[str]:
    problems = []
    if workflow.data.get("permissions") != {}:
        problems.append(
            f"top-level permissions must be {{}}, got {workflow.data.get('permissions')!r}"
        )
    for job_id, job in workflow.jobs.items():
        if "permissions" not in job:
            problems.append(f"job {job_id}: no permissions block (least privilege per job)")
            continue
        permissions = job["permissions"]
        if isinstance(permissions, str):
            problems.append(f"job {job_id}: permissions '{permissions}' is not least privilege")
    problems += _uncommented_permissions(workflow)
    return problems


def _uncommented_permissions(workflow: Workflow) -> list[str]:
    """Each granted scope carries a comment giving the reason (on its line)."""
    problems = []
    lines = workflow.text.splitlines()
    for index, line in enumerate(lines):
        block = re.match(r"^(\s+)permissions:\s*(#.*)?$", line)
        if not block:
            continue
        indent = len(block.group(1))
        for scope_line in lines[index + 1 :]:
            if not scope_line.strip() or scope_line.lstrip().startswith("#"):
                continue
            if len(scope_line) - len(scope_line.lstrip()) <= indent:
                break
            if "#" not in scope_line:
                problems.append(f"permission without a reason comment: {scope_line.strip()}")
    return problems


def missing_timeouts(workflow: Workflow) -> list[str]:
    problems = []
    for job_id, job in workflow.jobs.items():
        if "uses" in job:
            continue  # a reusable-workflow call cannot set a timeout; the called jobs do
        timeout = job.get("timeout-minutes")
        if not isinstance(timeout, int) or not 0 < timeout <= 360:
            problems.append(f"job {job_id}: timeout-minutes missing or not 1-360 ({timeout!r})")
    return problems


def credential_persistence(workflow: Workflow) -> list[str]:
    return [
        f"job {job_id}: actions/checkout without persist-credentials: false"
        for job_id, step in steps(workflow)
        if str(step.get("uses", "")).startswith("actions/checkout@")
        and (step.get("with") or {}).get("persist-credentials") is not False
    ]


def dangerous_triggers(workflow: Workflow) -> list[str]:
    return [
        f"trigger {trigger} runs untrusted code with a privileged token"
        for trigger in workflow.triggers
        if trigger == "pull_request_target"
    ]


def untrusted_expressions_in_scripts(workflow: Workflow) -> list[str]:
    """No attacker-controlled value is spliced into a shell script or a github-script body."""
    problems = []
    for job_id, step in steps(workflow):
        scripts = [step.get("run")]
        if str(step.get("uses", "")).startswith("actions/github-script@"):
            scripts.append((step.get("with") or {}).get("script"))
        for script in filter(None, scripts):
            for expression in EXPRESSION.findall(str(script)):
                for reference in CONTEXT_REFERENCE.findall(expression):
                    if UNTRUSTED.search(reference) and not SAFE_EVENT_FIELDS.match(reference):
                        name = step.get("name") or step.get("id") or step.get("uses") or "run"
                        problems.append(
                            f"job {job_id}, step '{name}': ${{{{ {reference} }}}} in a script; "
                            "pass it through env: instead"
                        )
    return problems


def static_cloud_credentials(workflow: Workflow) -> list[str]:
    """AWS access goes through OIDC only: no access keys anywhere."""
    pattern = re.compile(
        r"aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY"
        r"|AWS_ACCESS_KEY_ID"
    )
    return [
        f"line {number}: static AWS credentials"
        for number, line in enumerate(workflow.text.splitlines(), start=1)
        if pattern.search(line) and not line.lstrip().startswith("#")
    ]


ALL_RULES = (
    unpinned_actions,
    permission_problems,
    missing_timeouts,
    credential_persistence,
    dangerous_triggers,
    untrusted_expressions_in_scripts,
    static_cloud_credentials,
)
