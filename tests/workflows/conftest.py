from __future__ import annotations

import pytest

from tests.workflows.workflow_files import WORKFLOW_FILES


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Every workflow file, including ones added later, gets every per-file test.
    if "workflow_file" in metafunc.fixturenames:
        metafunc.parametrize("workflow_file", WORKFLOW_FILES, ids=[p.name for p in WORKFLOW_FILES])
