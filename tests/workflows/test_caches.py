"""Caches and trust (docs/trust-model.md, "Caches"): no run with less trust can hand code to a
job that holds AWS credentials through the Actions cache.

No workflow run can show this rule (a poisoned cache looks like any other), so it is held
structurally, over every file in .github/workflows/:

- a job with AWS credentials (``id-token: write`` or a configure-aws-credentials step) never
  saves a cache: no ``actions/cache`` (it saves in its post step), no ``actions/cache/save``,
  no setup action that caches on its own;
- it restores only the exact entry the trusted writer (caches.yml) saves, never a
  ``restore-keys`` fallback, and only where that is allowed at all (pr-plan.yml's plan job);
  the deploy and drift workflows touch no cache;
- in the default branch's cache scope (every trigger but ``pull_request``), only the trusted
  writer saves; it runs on main with ``contents: read`` only, and never restores what it saves.

``cache_problems`` is checked against broken workflows too, so a rule that stopped matching
would fail here rather than pass quietly.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from tests.workflows import workflow_files
from tests.workflows.workflow_files import WORKFLOW_FILES, Workflow

WRITER = ("caches.yml", "venv")
# Credentialed jobs that may restore the writer's entries: the PR plan. Deploys and drift, which
# hold the stronger apply role or run on a schedule nobody watches, restore nothing: any run in
# the default branch's scope that gets hold of the cache token could replace an entry, key and
# all, so the only cache they can trust is none.
MAY_RESTORE = {("pr-plan.yml", "plan")}
NO_CACHE_AT_ALL = {"deploy.yml", "deploy-environment.yml", "drift.yml"}

CACHE = "actions/cache@"
RESTORE = "actions/cache/restore@"
SAVE = "actions/cache/save@"


def _uses(step: dict[str, Any]) -> str:
    return str(step.get("uses", ""))


def _with(step: dict[str, Any]) -> dict[str, Any]:
    return dict(step.get("with") or {})


def implicit_cache(step: dict[str, Any]) -> str | None:
    """Why a setup action would restore and save a cache by itself, or None."""
    uses, inputs = _uses(step), _with(step)
    if uses.startswith("actions/setup-node@"):
        if inputs.get("cache"):
            return "setup-node `cache:`"
        # v5 caches by itself when package.json names a packageManager; only `false` is safe.
        if inputs.get("package-manager-cache") is not False:
            return "setup-node without `package-manager-cache: false`"
    name = uses.split("@")[0]
    by_default = inputs.get("cache", inputs.get("enable-cache", True)) is not False
    if name in {"actions/setup-go", "astral-sh/setup-uv"} and by_default:
        return f"{name} caches unless told not to"
    if name in {"actions/setup-python", "actions/setup-java", "actions/setup-dotnet"}:
        return f"{name} `cache:`" if inputs.get("cache") else None
    return None


def credentialed(workflow: Workflow, job: dict[str, Any]) -> bool:
    permissions = job.get("permissions", workflow.data.get("permissions")) or {}
    holds_token = isinstance(permissions, dict) and permissions.get("id-token") == "write"
    holds_token = holds_token or permissions == "write-all"
    assumes_role = any(
        "aws-actions/configure-aws-credentials@" in _uses(s) for s in job.get("steps", [])
    )
    return holds_token or assumes_role


def in_default_branch_scope(workflow: Workflow) -> bool:
    """Every trigger but pull_request runs in (and saves into) the default branch's scope."""
    return set(workflow.triggers) != {"pull_request"}


def _saves(step: dict[str, Any]) -> str | None:
    uses = _uses(step)
    if uses.startswith(CACHE):
        return "actions/cache (saves in its post step)"
    if uses.startswith(SAVE):
        return "actions/cache/save"
    return implicit_cache(step)


def writer_entries(workflows: list[Workflow]) -> set[tuple[str, str]]:
    """(path, key) of every entry the trusted writer saves."""
    found = set()
    for workflow in workflows:
        for job_id, job in workflow.jobs.items():
            if (workflow.name, job_id) != WRITER:
                continue
            for step in job.get("steps", []):
                if _uses(step).startswith(SAVE):
                    found.add((str(_with(step)["path"]), str(_with(step)["key"])))
    return found


def _writer_problems(workflow: Workflow) -> list[str]:
    problems = []
    where = f"{workflow.name}: the trusted writer"
    triggers = workflow.triggers
    if not set(triggers) <= {"push", "schedule", "workflow_dispatch"}:
        problems.append(f"{where} runs on {sorted(triggers)}")
    if "push" in triggers and (triggers["push"] or {}).get("branches") != ["main"]:
        problems.append(f"{where} runs on pushes to other branches than main")
    job = workflow.jobs[WRITER[1]]
    if job.get("permissions") != {"contents": "read"}:
        problems.append(f"{where} has permissions {job.get('permissions')!r}")
    if job.get("if") != "github.ref == 'refs/heads/main'":
        problems.append(f"{where} does not check that it runs on main")
    for step in job.get("steps", []):
        uses, inputs = _uses(step), _with(step)
        if uses.startswith("actions/checkout@") and {"ref", "repository"} & set(inputs):
            problems.append(f"{where} checks out something other than the default branch")
        if uses.startswith(CACHE) or (
            uses.startswith(RESTORE) and inputs.get("lookup-only") is not True
        ):
            problems.append(f"{where} restores a cache, so it could re-save what it did not build")
        if uses.startswith(SAVE) and not str(inputs.get("key", "")).endswith("-caches.yml"):
            problems.append(f"{where} saves a key that does not name it")
    return problems


def cache_problems(workflows: list[Workflow]) -> list[str]:
    """Every way a cache could carry something into a job that trusts it more than its writer."""
    problems: list[str] = []
    trusted = writer_entries(workflows)
    for workflow in workflows:
        if (workflow.name, WRITER[1]) == WRITER and WRITER[1] in workflow.jobs:
            problems += _writer_problems(workflow)
        for job_id, job in workflow.jobs.items():
            where = f"{workflow.name} job {job_id}"
            is_writer = (workflow.name, job_id) == WRITER
            holds_aws = credentialed(workflow, job)
            for step in job.get("steps", []):
                uses, inputs = _uses(step), _with(step)
                saves = _saves(step)
                restores = uses.startswith((CACHE, RESTORE)) or saves is not None
                if saves and holds_aws:
                    problems.append(f"{where} holds AWS credentials and saves a cache: {saves}")
                if saves and not is_writer and in_default_branch_scope(workflow):
                    problems.append(f"{where} saves into the default branch's scope: {saves}")
                if workflow.name in NO_CACHE_AT_ALL and restores:
                    problems.append(f"{where} touches the cache ({uses})")
                if restores and holds_aws and (workflow.name, job_id) not in MAY_RESTORE:
                    problems.append(f"{where} holds AWS credentials and restores a cache")
                if uses.startswith(RESTORE) and in_default_branch_scope(workflow) and not is_writer:
                    if "restore-keys" in inputs:
                        problems.append(f"{where} restores by prefix (restore-keys)")
                    if (str(inputs.get("path")), str(inputs.get("key"))) not in trusted:
                        problems.append(f"{where} restores {inputs.get('key')!r}, not the writer's")
    return problems


def _real_workflows() -> list[Workflow]:
    return [workflow_files.load_file(path) for path in WORKFLOW_FILES]


def test_no_workflow_lets_a_cache_reach_a_job_that_trusts_it_more_than_its_writer() -> None:
    assert cache_problems(_real_workflows()) == []


def test_the_trusted_writer_exists_and_pr_plan_restores_exactly_its_entry() -> None:
    workflows = {w.name: w for w in _real_workflows()}
    entries = writer_entries(list(workflows.values()))
    assert entries == {
        (".venv", "venv-${{ runner.os }}-py3.11-${{ hashFiles('Pipfile.lock') }}-caches.yml")
    }
    pr_plan = workflows["pr-plan.yml"]
    for job_id in ("plan", "comment"):
        restored = {
            (str(_with(s)["path"]), str(_with(s)["key"]))
            for s in pr_plan.jobs[job_id]["steps"]
            if _uses(s).startswith(RESTORE)
        }
        assert restored == entries, job_id
    # pr.yml's own .venv keys are prefixes of the writer's, so a PR's first run starts warm.
    pr_keys = {
        str(_with(s)["key"])
        for job in workflows["pr.yml"].jobs.values()
        for s in job.get("steps", [])
        if _uses(s).startswith((CACHE, RESTORE)) and _with(s).get("path") == ".venv"
    }
    (_, writer_key) = next(iter(entries))
    assert pr_keys
    assert all(writer_key.startswith(key) for key in pr_keys), pr_keys


def test_every_credentialed_job_is_recognised() -> None:
    found = {
        (w.name, job_id)
        for w in _real_workflows()
        for job_id, job in w.jobs.items()
        if "steps" in job and credentialed(w, job)
    }
    assert {
        ("deploy-environment.yml", "plan"),
        ("deploy-environment.yml", "apply"),
        ("drift.yml", "check"),
        ("pr-plan.yml", "plan"),
    } <= found


# --- the checker catches what it must -----------------------------------------------------------

WRITER_YML = """\
name: caches
on:
  push:
    branches: [main]
permissions: {}
jobs:
  venv:
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - uses: actions/cache/save@0057852bfaa89a56745cba8c7296529d2fc39830
        with:
          path: .venv
          key: venv-k-caches.yml
"""

CREDENTIALED = """\
name: {name}
on:
  {trigger}:
permissions: {{}}
jobs:
  {job}:
    runs-on: ubuntu-24.04
    permissions:
      id-token: write
    steps:
{steps}
"""


def _check(steps: str, *, name: str = "pr-plan.yml", job: str = "plan", trigger: str = "push"):
    text = CREDENTIALED.format(
        name=name, job=job, trigger=trigger, steps=textwrap.indent(textwrap.dedent(steps), " " * 6)
    )
    workflows = [workflow_files.load("caches.yml", WRITER_YML), workflow_files.load(name, text)]
    return cache_problems(workflows)


@pytest.mark.parametrize(
    ("steps", "says"),
    [
        (
            "- uses: actions/cache@0057852bfaa89a56745cba8c7296529d2fc39830\n"
            "  with: {path: .venv, key: venv-k-caches.yml}\n",
            "saves a cache: actions/cache (saves in its post step)",
        ),
        (
            "- uses: actions/cache/save@0057852bfaa89a56745cba8c7296529d2fc39830\n"
            "  with: {path: .venv, key: x}\n",
            "saves a cache: actions/cache/save",
        ),
        (
            "- uses: actions/setup-python@e797f83bcb11b83ae66e0230d6156d7c80228e7c\n"
            "  with: {python-version: '3.11', cache: pipenv}\n",
            "saves a cache: actions/setup-python `cache:`",
        ),
        (
            "- uses: actions/setup-node@a0853c24544627f65ddf259abe73b1d18a591444\n"
            "  with: {node-version: '22'}\n",
            "setup-node without `package-manager-cache: false`",
        ),
        (
            "- uses: actions/cache/restore@0057852bfaa89a56745cba8c7296529d2fc39830\n"
            "  with: {path: .venv, key: venv-k}\n",
            "restores 'venv-k', not the writer's",
        ),
        (
            "- uses: actions/cache/restore@0057852bfaa89a56745cba8c7296529d2fc39830\n"
            "  with: {path: .venv, key: venv-k-caches.yml, restore-keys: venv-}\n",
            "restores by prefix (restore-keys)",
        ),
    ],
    ids=["cache", "save", "setup-python", "setup-node", "other-key", "restore-keys"],
)
def test_the_checker_refuses_a_credentialed_job_that_caches(steps: str, says: str) -> None:
    problems = _check(steps)

    assert any(says in p for p in problems), problems


def test_the_checker_allows_pr_plan_to_restore_the_writers_entry_only() -> None:
    restore = (
        "- uses: actions/cache/restore@0057852bfaa89a56745cba8c7296529d2fc39830\n"
        "  with: {path: .venv, key: venv-k-caches.yml}\n"
    )
    assert _check(restore) == []
    # The same restore in a deploy job is refused: deploys restore nothing.
    deploy = _check(restore, name="deploy-environment.yml", job="apply")
    assert any("holds AWS credentials and restores a cache" in p for p in deploy), deploy
    assert any("touches the cache" in p for p in deploy), deploy


def test_the_checker_lets_pull_request_runs_save_only_into_their_own_scope() -> None:
    steps = (
        "- uses: actions/cache@0057852bfaa89a56745cba8c7296529d2fc39830\n"
        "  with: {path: .venv, key: venv-k}\n"
    )
    text = CREDENTIALED.format(
        name="pr.yml", job="validate", trigger="pull_request", steps=textwrap.indent(steps, " " * 6)
    ).replace("      id-token: write\n", "      contents: read\n")
    main_text = text.replace("pull_request:", "workflow_run:")

    assert cache_problems([workflow_files.load("pr.yml", text)]) == []
    assert any(
        "saves into the default branch's scope" in p
        for p in cache_problems([workflow_files.load("pr.yml", main_text)])
    )


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (("branches: [main]", "branches: [main, dev]"), "pushes to other branches"),
        (("contents: read", "contents: read\n      id-token: write"), "has permissions"),
        (("    if: github.ref == 'refs/heads/main'\n", ""), "does not check that it runs on main"),
        (("key: venv-k-caches.yml", "key: venv-k"), "saves a key that does not name it"),
        (("on:\n  push:", "on:\n  pull_request_target:\n  push:"), "runs on"),
    ],
)
def test_the_checker_holds_the_writer_to_main_without_credentials(
    change: tuple[str, str], says: str
) -> None:
    broken = WRITER_YML.replace(*change)
    assert broken != WRITER_YML

    problems = cache_problems([workflow_files.load("caches.yml", broken)])

    assert any(says in p for p in problems), problems
