"""One configuration contract: infra/config.py SETTINGS is the list of synth settings, and
every other place that names them is derived from it or checked against it here.

A setting added in one place fails one of these tests until it is everywhere: load_settings,
synth --help, the setup table in docs/setup.md, and the env: of every workflow step that
synthesizes, and the gate's synth cache key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gate.options import GateOptions
from gate.steps import synth
from infra import config
from infra.app import USAGE
from infra.config import SETTING_NAMES, SETTINGS, CiSource, Setting, load_settings
from tests.fixture_paths import REPO_ROOT
from tests.workflows.workflow_files import WORKFLOW_FILES, Workflow, load_file

SETUP_DOC = REPO_ROOT / "docs" / "setup.md"
TABLE = re.compile(
    r"<!-- settings-table:start -->\n(?P<table>.*?)<!-- settings-table:end -->", re.DOTALL
)
# Workflow steps that synthesize the stacks (and so read every CATALOG_* setting): the gate
# unless it evaluates pre-made stacks, a PR plan unless it plans a given artifact, the deploy
# synth step, the drift check, and synth itself.
SYNTHESIZING_COMMAND = re.compile(
    r"scripts/pre-validate-iac\.sh(?!.*--stacks-dir)"
    r"|scripts/plan\.sh(?!.*--stacks-dir)"
    r"|scripts/deploy-environment\.sh\s+synth\b"
    r"|scripts/drift-check\.sh"
    r"|pipenv run synth\b|python -m infra\b"
)
USER_SET = [setting for setting in SETTINGS if setting.user_set]


def test_every_environment_variable_infra_reads_is_a_listed_setting() -> None:
    read = {value for name, value in vars(config).items() if name.startswith("ENV_")}
    assert read == set(SETTING_NAMES)
    assert len(SETTING_NAMES) == len(set(SETTING_NAMES))


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_setting_is_complete(setting: Setting) -> None:
    assert setting.meaning and setting.default
    if setting.ci_source is CiSource.PER_RUN:
        assert setting.ci_value == ""
    else:
        assert setting.ci_value.startswith("${{ ") and setting.ci_value.endswith(" }}")
    if setting.ci_source is CiSource.REPOSITORY_VARIABLE:
        assert setting.ci_value == "${{ vars." + setting.name + " }}"


def test_synth_help_lists_every_setting_with_its_default() -> None:
    for setting in SETTINGS:
        line = next(line for line in USAGE.splitlines() if line.split()[:1] == [setting.name])
        assert setting.meaning in line and f"(default: {setting.default})" in line


def _expected_table() -> str:
    def source(setting: Setting) -> str:
        if setting.ci_source is CiSource.PER_RUN:
            return "per run: set by the scripts"
        return f"{setting.ci_source}: `{setting.ci_value}`"

    rows = [
        "| Setting | Meaning | Default | CI takes it from | Required |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| `{s.name}` | {s.meaning} | {s.default} | {source(s)} | {s.required} |"
            for s in SETTINGS
        ),
    ]
    return "\n".join(rows) + "\n"


def test_the_setup_table_has_one_row_per_setting() -> None:
    match = TABLE.search(SETUP_DOC.read_text(encoding="utf-8"))
    assert match, f"{SETUP_DOC.name}: no settings-table markers"
    expected = _expected_table()
    assert match["table"] == expected, f"replace the table in docs/setup.md with:\n{expected}"


def _synthesizing_steps(workflow: Workflow) -> Iterator[tuple[str, dict[str, Any], dict]]:
    """(job id, step, effective env) for every step that synthesizes."""
    for job_id, job in workflow.jobs.items():
        for step in job.get("steps") or []:
            if SYNTHESIZING_COMMAND.search(str(step.get("run", ""))):
                env = {
                    **(workflow.data.get("env") or {}),
                    **(job.get("env") or {}),
                    **(step.get("env") or {}),
                }
                yield job_id, step, env


def test_the_workflows_synthesize_somewhere() -> None:
    # Guards the recognizer itself: if it matched nothing, the next test would prove nothing.
    steps = [s for path in WORKFLOW_FILES for s in _synthesizing_steps(load_file(path))]
    assert len(steps) >= 3


@pytest.mark.parametrize("workflow_file", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_synthesizing_step_passes_every_user_set_setting(workflow_file: Path) -> None:
    workflow = load_file(workflow_file)
    problems = []
    for job_id, step, env in _synthesizing_steps(workflow):
        name = step.get("name") or step["run"].strip().splitlines()[0]
        for setting in USER_SET:
            if env.get(setting.name) != setting.ci_value:
                problems.append(
                    f"job {job_id}, step '{name}': {setting.name} is "
                    f"{env.get(setting.name)!r}, expected {setting.ci_value!r}"
                )
        unknown = {k for k in env if k.startswith("CATALOG_")} - set(SETTING_NAMES)
        problems += [f"job {job_id}: {k} is not a setting in infra/config.py" for k in unknown]
    assert problems == []


def test_the_hosted_zone_reaches_every_environment() -> None:
    settings = load_settings({"CATALOG_HOSTED_ZONE": "Shop.Example.org."})
    assert {env.dns.hosted_zone_name for env in settings.environments} == {"shop.example.org"}
    assert settings.environments[0].dns.domain_name == "dev.shop.example.org"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_changing_any_setting_changes_the_synth_cache_key(
    setting: Setting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "app.py").write_text("APP = 1\n", encoding="utf-8")
    (tmp_path / "Pipfile.lock").write_text("{}\n", encoding="utf-8")
    options = GateOptions(
        root=tmp_path,
        steps=("synth",),
        environment=None,
        stacks_dir=tmp_path / "cdktf.out",
        stacks_dir_given=False,
        reports_dir=tmp_path / "reports",
        cache_dir=tmp_path / ".gate-cache",
        use_cache=True,
        jobs=1,
    )
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    before = synth.input_fingerprint(options)
    monkeypatch.setenv(setting.name, "changed")
    assert synth.input_fingerprint(options) != before
    # and synth itself sees the value
    assert synth.synth_environment(options)[setting.name] == "changed"
