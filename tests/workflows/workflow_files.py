"""The workflow files under .github/workflows/, loaded for structural assertions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.fixture_paths import REPO_ROOT

WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted([*WORKFLOWS_DIR.glob("*.yml"), *WORKFLOWS_DIR.glob("*.yaml")])


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


def load_file(path: Path) -> Workflow:
    return load(path.name, path.read_text(encoding="utf-8"))
