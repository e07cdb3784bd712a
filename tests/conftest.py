"""Shared fixtures: ONE synthesis of every stack per test session, however many xdist workers.

Importing the AWS provider bindings costs ~17 s, so cdktf is imported inside the fixture, by
one worker only: test modules that never ask for a synthesized stack stay fast, and the other
workers read the synthesized JSON.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Hermetic: Hypothesis would otherwise keep its example database and caches in
    # .hypothesis/ in the checkout. Its files go to a temporary directory instead, and
    # the property tests draw fresh examples each run.
    from hypothesis import HealthCheck, settings
    from hypothesis.configuration import set_hypothesis_home_dir

    home = Path(tempfile.mkdtemp(prefix="hypothesis-"))
    config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))
    set_hypothesis_home_dir(home)
    # No time limits: the property tests assert behaviour, not speed, and Hypothesis's default
    # 200 ms deadline per example (and its "too slow" health check) fail them at random on a
    # busy 2-core machine or beside xdist workers.
    settings.register_profile(
        "hermetic",
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile("hermetic")


def _summary_notes(config: pytest.Config) -> dict[str, list[str]]:
    # Kept on the config object: pytest imports this file as ``conftest`` and test modules
    # import it as ``tests.conftest``, two module copies that must not each keep their own.
    notes = getattr(config, "_catalog_summary_notes", None)
    if notes is None:
        notes = {}
        config._catalog_summary_notes = notes  # type: ignore[attr-defined]
    return notes


def add_summary_note(config: pytest.Config, section: str, line: str) -> None:
    """A line printed under ``section`` at the end of the run (from an xdist worker too)."""
    lines = _summary_notes(config).setdefault(section, [])
    if line not in lines:
        lines.append(line)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook sends workeroutput to the controller
def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker
        workeroutput["summary_notes"] = _summary_notes(session.config)
    else:
        _forget_bytecode_of_temporary_files(session.config)


def _forget_bytecode_of_temporary_files(config: pytest.Config) -> None:
    """The run's temporary directories go (pytest keeps the last few); the bytecode that
    scripts/lib/python-env.sh's prefix holds for them (checkov's test environment, the rehearsal
    jobs' copies of the repository) would otherwise stay in the user's cache for good."""
    prefix = os.environ.get("PYTHONPYCACHEPREFIX")
    factory = getattr(config, "_tmp_path_factory", None)
    if not prefix or factory is None:
        return
    with contextlib.suppress(OSError, ValueError):
        base = factory.getbasetemp().resolve()
        shutil.rmtree(Path(prefix) / base.relative_to(base.anchor), ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    for section, lines in getattr(node, "workeroutput", {}).get("summary_notes", {}).items():
        for line in lines:
            add_summary_note(node.config, section, line)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for section, lines in _summary_notes(config).items():
        if lines:
            terminalreporter.section(section)
            for line in lines:
                terminalreporter.write_line(line)


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


def shared_session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory this test session shares across its pytest-xdist workers (their basetemps'
    common parent), or the session's own basetemp without xdist. Never shared with another
    session: pytest numbers each session's directory."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def once_per_session(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]
) -> Path:
    """``<shared>/<name>/``, filled by ``make`` by the first worker that asks, under a file
    lock; every other worker waits for it and reads the result. Costly work (a synth imports
    the AWS provider bindings, about 15 s per process) then happens once per session, not
    once per xdist worker. A ``make`` that fails leaves nothing behind, so the next asker
    tries again and reports its own error."""
    shared = shared_session_dir(tmp_path_factory)
    target = shared / name
    with _exclusive(shared / f"{name}.lock"):
        if not (target / ".complete").is_file():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            make(target)
            (target / ".complete").write_text("")
    return target


@dataclass(frozen=True, kw_only=True)
class SessionSynth:
    outdir: Path
    stacks: dict[str, dict[str, Any]]


def _synthesize_defaults(target: Path) -> None:
    """The default settings (all environments plus bootstrap) built into one App: every stack
    as ``Testing.synth`` returns it (no ``//`` metadata) and the App's own synth on disk."""
    from cdktf import TerraformStack, Testing

    from infra.app import build_app
    from infra.config import load_settings

    app = build_app(load_settings({}), outdir=str(target / "cdktf.out"))
    stacks = {
        child.node.id: json.loads(Testing.synth(child))
        for child in app.node.children
        if TerraformStack.is_stack(child)
    }
    app.synth()
    (target / "stacks.json").write_text(json.dumps(stacks), encoding="utf-8")


@pytest.fixture(scope="session")
def session_synth(tmp_path_factory: pytest.TempPathFactory) -> SessionSynth:
    """ONE synthesis per test session, shared by every xdist worker (see once_per_session)."""
    target = once_per_session(tmp_path_factory, "session-synth", _synthesize_defaults)
    stacks = json.loads((target / "stacks.json").read_text(encoding="utf-8"))
    return SessionSynth(outdir=target / "cdktf.out", stacks=stacks)


@pytest.fixture(scope="session")
def synthesized_stacks(session_synth: SessionSynth) -> dict[str, dict[str, Any]]:
    """Stack name (``catalog-api-dev``, ...) -> parsed synthesized Terraform JSON (no ``//``)."""
    return session_synth.stacks


@pytest.fixture(scope="session")
def synth_dir(session_synth: SessionSynth) -> Path:
    """A directory laid out exactly like ``cdktf.out`` (``stacks/<name>/cdk.tf.json``)."""
    return session_synth.outdir
