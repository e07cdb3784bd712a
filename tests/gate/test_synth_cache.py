"""Synth runs once, then is skipped while its inputs are unchanged (one real synth)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from gate.options import GateOptions
from gate.steps import synth


@pytest.mark.slow
def test_second_run_skips_synth_when_nothing_changed(run_gate, tmp_path: Path) -> None:
    first = run_gate("--only", "synth", "--env", "dev")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "passed" in first.stdout.split("── synth")[1].splitlines()[0]
    assert (tmp_path / "cdktf.out" / "stacks" / "catalog-api-dev" / "cdk.tf.json").is_file()

    second = run_gate("--only", "synth", "--env", "dev")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "skipped: inputs unchanged since the last synth" in second.stdout
    assert "| synth | ⏭️ skipped |" in (second.reports / "summary.md").read_text()


def _options(root: Path, **changes) -> GateOptions:
    options = GateOptions(
        root=root,
        steps=("synth",),
        environment=None,
        stacks_dir=root / "cdktf.out",
        stacks_dir_given=False,
        reports_dir=root / "reports",
        cache_dir=root / ".gate-cache",
        use_cache=True,
        jobs=1,
    )
    return replace(options, **changes)


@pytest.fixture
def fake_repo(tmp_path: Path) -> Path:
    (tmp_path / "infra" / "components").mkdir(parents=True)
    (tmp_path / "infra" / "app.py").write_text("APP = 1\n")
    (tmp_path / "infra" / "components" / "network.py").write_text("CIDR = '10.0.0.0/16'\n")
    (tmp_path / "facts").mkdir()
    (tmp_path / "facts" / "aws.py").write_text("REGIONS = ('eu-north-1',)\n")
    (tmp_path / "Pipfile.lock").write_text("{}\n")
    return tmp_path


def test_fingerprint_changes_with_every_synth_input(
    fake_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CATALOG_REGION", raising=False)
    options = _options(fake_repo)
    base = synth.input_fingerprint(options)
    assert synth.input_fingerprint(options) == base  # stable

    (fake_repo / "infra" / "components" / "network.py").write_text("CIDR = '10.1.0.0/16'\n")
    after_edit = synth.input_fingerprint(options)
    assert after_edit != base

    # infra reads its AWS facts from facts/: a change there changes what synth writes.
    (fake_repo / "facts" / "aws.py").write_text("REGIONS = ('eu-west-1',)\n")
    after_facts = synth.input_fingerprint(options)
    assert after_facts != after_edit

    (fake_repo / "Pipfile.lock").write_text('{"changed": true}\n')
    after_lock = synth.input_fingerprint(options)
    assert after_lock != after_facts

    monkeypatch.setenv("CATALOG_REGION", "eu-west-1")
    after_env = synth.input_fingerprint(options)
    assert after_env != after_lock

    assert synth.input_fingerprint(replace(options, environment="dev")) != after_env


def test_bytecode_and_caches_do_not_change_the_fingerprint(fake_repo: Path) -> None:
    options = _options(fake_repo)
    base = synth.input_fingerprint(options)
    (fake_repo / "infra" / "__pycache__").mkdir()
    (fake_repo / "infra" / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"\0")
    assert synth.input_fingerprint(options) == base


def test_synth_is_stale_when_its_output_was_touched(fake_repo: Path) -> None:
    options = _options(fake_repo)
    stack = fake_repo / "cdktf.out" / "stacks" / "catalog-api-dev" / "cdk.tf.json"
    stack.parent.mkdir(parents=True)
    stack.write_text("{}")
    synth.fingerprint.write_stamp(
        synth.stamp_path(options),
        {
            "inputs": synth.input_fingerprint(options),
            "outputs": synth.output_fingerprint(options) or "",
        },
    )
    assert synth.is_fresh(options)
    stack.write_text('{"edited": true}')
    assert not synth.is_fresh(options)
    assert not synth.is_fresh(replace(options, environment="prod"))
