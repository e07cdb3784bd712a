"""The rehearsal's own parts, without act: the replacement actions' promises and the fake."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.rehearsal import fake_github, harness

ACTION = harness.ACTIONS_DIR / "rehearsal_action.py"


def _action(workspace: Path, records: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "REHEARSAL_DIR": str(records),
        "GITHUB_RUN_ID": "77",
        "GITHUB_JOB": "job",
        "GITHUB_OUTPUT": str(records / "output"),
    }
    return subprocess.run(
        [sys.executable, str(ACTION), *args],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _write(root: Path, *paths: str) -> None:
    for relative in paths:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("{}", encoding="utf-8")


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    workspace, records = tmp_path / "ws", tmp_path / "records"
    workspace.mkdir()
    records.mkdir()
    return workspace, records


def _entries(records: Path, name: str) -> list[str]:
    with zipfile.ZipFile(records / "artifacts" / "77" / f"{name}.zip") as archive:
        return sorted(archive.namelist())


def test_upload_artifact_keeps_the_real_layout(dirs: tuple[Path, Path]) -> None:
    workspace, records = dirs
    _write(workspace, "cdktf.out/stacks/a/cdk.tf.json", "cdktf.out/stacks/b/cdk.tf.json")
    _write(workspace, "cdktf.out/stacks/a/.hidden/x.json", "cdktf.out/manifest.json")
    _write(workspace, "reports/plan/dev/comment.md", "reports/plan/dev/policies.md")
    _write(workspace, "reports/plan/dev/plan.json")

    glob_path = ("--path", "cdktf.out/stacks/*/cdk.tf.json", "--if-no-files-found", "error")
    assert _action(workspace, records, "upload-artifact", "--name", "s", *glob_path).returncode == 0
    # Relative to the search path before the wildcard, never the workspace.
    assert _entries(records, "s") == ["a/cdk.tf.json", "b/cdk.tf.json"]

    lines = "reports/plan/dev/comment.md\nreports/plan/dev/policies.*\n"
    assert (
        _action(workspace, records, "upload-artifact", "--name", "p", "--path", lines).returncode
        == 0
    )
    # Several search paths: relative to their least common ancestor.
    assert _entries(records, "p") == ["comment.md", "policies.md"]


def test_upload_artifact_refuses_a_duplicate_and_a_missing_path(dirs: tuple[Path, Path]) -> None:
    workspace, records = dirs
    _write(workspace, "out/x.json")
    upload = ("upload-artifact", "--name", "x", "--path", "out/", "--if-no-files-found", "error")
    assert _action(workspace, records, *upload).returncode == 0
    assert _action(workspace, records, *upload).returncode == 1  # 409 on GitHub
    missing = ("upload-artifact", "--name", "y", "--path", "nothing/", "--if-no-files-found")
    assert _action(workspace, records, *missing, "error").returncode == 1
    assert _action(workspace, records, *missing, "warn").returncode == 0


def test_download_artifact_by_pattern_into_one_folder_per_artifact(
    dirs: tuple[Path, Path],
) -> None:
    workspace, records = dirs
    _write(workspace, "reports/drift/dev/verdict", "reports/drift/prod/verdict")
    for env in ("dev", "prod"):
        path = f"reports/drift/{env}/"
        assert (
            _action(
                workspace, records, "upload-artifact", "--name", f"drift-{env}", "--path", path
            ).returncode
            == 0
        )
    out = ("download-artifact", "--pattern", "drift-*", "--path", "in")
    assert _action(workspace, records, *out).returncode == 0
    assert (workspace / "in/drift-dev/verdict").is_file()
    assert (workspace / "in/drift-prod/verdict").is_file()


def test_upload_sarif_validates_against_sarif_2_1_0(dirs: tuple[Path, Path]) -> None:
    workspace, records = dirs
    rule = {"id": "X1", "properties": {"tags": ["plan"]}}
    document = {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "t", "rules": [rule]}}, "results": []}],
    }
    (workspace / "ok.sarif").write_text(json.dumps(document), encoding="utf-8")
    assert _action(workspace, records, "upload-sarif", "--sarif-file", "ok.sarif").returncode == 0
    rule["properties"]["tags"] = ["plan", "plan"]  # what the policy pack once wrote
    (workspace / "bad.sarif").write_text(json.dumps(document), encoding="utf-8")
    refused = _action(workspace, records, "upload-sarif", "--sarif-file", "bad.sarif")
    assert refused.returncode == 1
    assert "non-unique" in refused.stdout


def test_every_pinned_action_needs_a_replacement_or_a_decision(tmp_path: Path) -> None:
    sha = "a" * 40
    (tmp_path / "w.yml").write_text(
        f"jobs:\n  j:\n    steps:\n      - uses: actions/setup-python@{sha} # v6\n", "utf-8"
    )
    assert harness.replacements(tmp_path) == [
        f"actions/setup-python@{sha}={harness.ACTIONS_DIR / 'setup-python'}"
    ]
    (tmp_path / "w.yml").write_text(f"      - uses: someone/new-action@{sha}\n", "utf-8")
    with pytest.raises(harness.RehearsalError, match="someone/new-action"):
        harness.replacements(tmp_path)


def test_gh_reaches_the_fake_only_with_the_steps_token(tmp_path: Path) -> None:
    with fake_github.running(
        repository=harness.REPOSITORY, token=harness.TOKEN, artifact_root=tmp_path, workdir=tmp_path
    ) as fake:
        fake.open_pull(3, head_sha="b" * 40)
        config_root = tmp_path / "gh-config"
        gh = harness.write_gh_wrapper(
            tmp_path / "bin", host=fake.host, cert=fake.cert, config_root=config_root
        )
        call = [str(gh), "api", f"repos/{harness.REPOSITORY}/pulls/3", "--jq", ".head.sha"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GH_", "GITHUB_"))}
        without = subprocess.run(call, env=env, capture_output=True, text=True, check=False)
        assert without.returncode != 0
        with_token = subprocess.run(
            call, env={**env, "GH_TOKEN": harness.TOKEN}, capture_output=True, text=True, check=True
        )
        assert with_token.stdout.strip() == "b" * 40
        assert [r.authorized for r in fake.state.requests] == [False, True]
        # One fresh config directory per call, all in the root the session removes.
        assert len(list(config_root.iterdir())) == 2


def test_cache_restore_links_a_hit_looks_up_without_restoring_and_save_only_records(
    dirs: tuple[Path, Path],
) -> None:
    workspace, records = dirs
    entry = records / "cache" / ".venv"
    entry.mkdir(parents=True)
    (entry / "pyvenv.cfg").write_text("home = /usr\n", encoding="utf-8")

    looked_up = _action(
        workspace,
        records,
        "cache-restore",
        "--path",
        ".venv",
        "--key",
        "k",
        "--lookup-only",
        "true",
    )
    assert looked_up.returncode == 0, looked_up.stderr
    assert not (workspace / ".venv").exists()
    restored = _action(workspace, records, "cache-restore", "--path", ".venv", "--key", "k")
    assert restored.returncode == 0, restored.stderr
    assert (workspace / ".venv").resolve() == entry.resolve()
    saved = _action(workspace, records, "cache-save", "--path", ".venv", "--key", "k")
    assert saved.returncode == 0, saved.stderr
    missing = _action(workspace, records, "cache-save", "--path", "nowhere", "--key", "k")
    assert missing.returncode == 1

    outputs = (records / "output").read_text(encoding="utf-8").splitlines()
    assert outputs == ["cache-hit=true", "cache-hit=true"]
    lines = (records / "cache.jsonl").read_text(encoding="utf-8").splitlines()
    cache = [json.loads(line) for line in lines]
    assert [(r.get("lookup"), r.get("hit"), r.get("save")) for r in cache] == [
        (True, True, None),
        (None, True, None),
        (None, None, True),
    ]
