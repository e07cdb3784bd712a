"""zizmor (PyPI wheel, offline, pedantic persona) on the real workflows: no finding that
zizmor.yml does not justify. It replaces the hand-written hardening rules this suite had."""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from pathlib import Path

import yaml

from tests.fixture_paths import REPO_ROOT
from tests.lint.linters import venv_tool
from tests.workflows.workflow_files import WORKFLOW_FILES

CONFIG = REPO_ROOT / "zizmor.yml"


def _zizmor(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [venv_tool("zizmor"), "--offline", "--persona=pedantic", "--format=json", *map(str, args)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _findings(result: subprocess.CompletedProcess[str]) -> list[dict]:
    return [f for f in json.loads(result.stdout or "[]") if not f.get("ignored")]


def _summary(findings: list[dict]) -> list[str]:
    return [
        f"{f['ident']}: {loc['symbolic']['key']['Local']['verbatim_path']}:"
        f"{loc['concrete']['location']['start_point']['row'] + 1}"
        for f in findings
        for loc in f["locations"][:1]
    ]


def test_the_workflows_have_no_zizmor_findings() -> None:
    # The same command as the pre-commit hook; zizmor.yml is found by discovery.
    result = _zizmor(".github/workflows")
    findings = _findings(result)
    assert findings == [], _summary(findings)
    assert result.returncode == 0, result.stderr


def test_zizmor_reports_a_broken_workflow(tmp_path: Path) -> None:
    # A workflow with one instance of each class of problem the old hand-written rules caught.
    broken = tmp_path / "broken.yml"
    broken.write_text(
        textwrap.dedent(
            """\
            name: broken
            on:
              pull_request_target:
            permissions: write-all
            jobs:
              build:
                name: build
                runs-on: ubuntu-24.04
                permissions:
                  contents: write
                steps:
                  - uses: actions/checkout@v5
                  - run: echo "${{ github.event.pull_request.title }}"
            """
        ),
        encoding="utf-8",
    )
    result = _zizmor("--config", CONFIG, broken)
    kinds = {f["ident"] for f in _findings(result)}
    assert {
        "dangerous-triggers",  # pull_request_target
        "excessive-permissions",  # write-all
        "undocumented-permissions",  # a grant without its reason comment
        "artipacked",  # checkout keeps the token in .git/config
        "unpinned-uses",  # a tag, even for actions/*: zizmor.yml asks for a SHA everywhere
        "template-injection",  # an attacker-controlled title spliced into a script
    } <= kinds, kinds
    assert result.returncode != 0


def test_every_zizmor_exception_states_its_reason() -> None:
    lines = CONFIG.read_text(encoding="utf-8").splitlines()
    rules = yaml.safe_load("\n".join(lines))["rules"]
    for rule, settings in rules.items():
        if (settings or {}).get("disable"):
            index = lines.index(f"  {rule}:")
            assert lines[index - 1].lstrip().startswith("#"), f"{rule}: disabled without a reason"
        for entry in (settings or {}).get("ignore") or []:
            index = next(i for i, line in enumerate(lines) if line.strip().startswith(f"- {entry}"))
            reasoned = "#" in lines[index] or lines[index - 1].lstrip().startswith("#")
            assert reasoned, f"{rule}: ignore of {entry} has no reason comment"
    # Inline suppressions in the workflows need a reason after them too.
    inline = re.compile(r"#\s*zizmor:\s*ignore\[[^\]]+\](?P<reason>.*)$")
    for path in WORKFLOW_FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = inline.search(line)
            if match:
                assert match["reason"].strip(" -:"), f"{path.name}:{number}: ignore without reason"
