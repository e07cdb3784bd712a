"""Shared fixtures: ONE synthesis of every stack per test session.

Importing the AWS provider bindings costs ~17 s, so cdktf is imported inside the fixture:
test modules that never ask for a synthesized stack stay fast.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from cdktf import App


def pytest_configure(config: pytest.Config) -> None:
    # Hermetic: Hypothesis would otherwise keep its example database and caches in
    # .hypothesis/ in the checkout. Its files go to a temporary directory instead, and
    # the property tests draw fresh examples each run.
    from hypothesis import settings
    from hypothesis.configuration import set_hypothesis_home_dir

    home = Path(tempfile.mkdtemp(prefix="hypothesis-"))
    config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))
    set_hypothesis_home_dir(home)
    settings.register_profile("hermetic", database=None)
    settings.load_profile("hermetic")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="rewrite tests/infra/snapshots/*.json from the current synthesis instead of comparing",
    )


@pytest.fixture(scope="session")
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-snapshots"))


@dataclass(frozen=True, kw_only=True)
class SynthesizedApp:
    app: App
    outdir: Path
    stacks: dict[str, dict[str, Any]]


@pytest.fixture(scope="session")
def synthesized_app(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    """The default settings (all environments plus bootstrap) built into one App."""
    from cdktf import TerraformStack, Testing

    from infra.app import build_app
    from infra.config import load_settings

    outdir = tmp_path_factory.mktemp("cdktf.out")
    app = build_app(load_settings({}), outdir=str(outdir))
    stacks = {
        child.node.id: json.loads(Testing.synth(child))
        for child in app.node.children
        if TerraformStack.is_stack(child)
    }
    return SynthesizedApp(app=app, outdir=outdir, stacks=stacks)


@pytest.fixture(scope="session")
def synthesized_stacks(synthesized_app: SynthesizedApp) -> dict[str, dict[str, Any]]:
    """Stack name (``catalog-api-dev``, ...) -> parsed synthesized Terraform JSON (no ``//``)."""
    return synthesized_app.stacks


@pytest.fixture(scope="session")
def synth_dir(synthesized_app: SynthesizedApp) -> Path:
    """A directory laid out exactly like ``cdktf.out`` (``stacks/<name>/cdk.tf.json``)."""
    synthesized_app.app.synth()
    return synthesized_app.outdir
