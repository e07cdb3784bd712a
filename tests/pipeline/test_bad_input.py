"""Bad input to any command: one `error:` line on stderr, exit code 2, never a traceback."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tests.pipeline.support import assert_one_line_error, drift_fixture

PLAN_COMMANDS = [
    ["plan-summary"],
    ["drift-report"],
    ["plan-report", "--redacted", "/dev/null"],
]


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, text the error line must contain)."""
    cases = {
        "missing": (tmp_path / "nope.json", "no such file"),
        "invalid-json": (tmp_path / "broken.json", "invalid JSON at line 1"),
        "config-not-plan": (tmp_path / "cdk.tf.json", "this is Terraform configuration"),
        "state-not-plan": (tmp_path / "state.json", "this is a Terraform state"),
        "undecodable-utf16": (tmp_path / "utf16.json", "cannot decode as utf-16"),
        "empty": (tmp_path / "empty.json", "file is empty"),
        "directory": (tmp_path, "is a directory"),
        "not-an-object": (tmp_path / "list.json", "expected a JSON object"),
        "future-format": (tmp_path / "future.json", "unsupported plan format_version 2.0"),
        "bad-actions": (tmp_path / "actions.json", "change.actions must be a list of strings"),
        "bad-replace-paths": (tmp_path / "paths.json", "replace_paths must be a list of paths"),
    }
    (tmp_path / "broken.json").write_text('{"format_version": "1.2",', encoding="utf-8")
    (tmp_path / "cdk.tf.json").write_text(
        '{"//": {"metadata": {}}, "terraform": {"backend": {"s3": {}}}, "resource": {}}',
        encoding="utf-8",
    )
    (tmp_path / "state.json").write_text(
        '{"format_version": "1.0", "terraform_version": "1.11.4", "values": {}}', encoding="utf-8"
    )
    # A UTF-16 BOM followed by an odd number of bytes: no valid UTF-16 text.
    (tmp_path / "utf16.json").write_bytes(codecs.BOM_UTF16_LE + b'{\x00"\x00x')
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "list.json").write_text("[]", encoding="utf-8")
    (tmp_path / "future.json").write_text(
        '{"format_version": "2.0", "resource_changes": []}', encoding="utf-8"
    )
    (tmp_path / "actions.json").write_text(
        '{"format_version": "1.2", "resource_changes": [{"address": "a.b", "change": '
        '{"actions": "update"}}]}',
        encoding="utf-8",
    )
    (tmp_path / "paths.json").write_text(
        '{"format_version": "1.2", "resource_changes": [{"address": "a.b", "change": '
        '{"actions": ["delete", "create"]}, "replace_paths": [[{"key": "cpu"}]]}]}',
        encoding="utf-8",
    )
    return cases


@pytest.mark.parametrize("command", PLAN_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "invalid-json",
        "config-not-plan",
        "state-not-plan",
        "undecodable-utf16",
        "empty",
        "directory",
        "not-an-object",
        "future-format",
        "bad-actions",
        "bad-replace-paths",
    ],
)
def test_bad_plan_is_one_line_and_exit_2(run_cli, tmp_path, command, case) -> None:
    path, expected = _bad_files(tmp_path)[case]

    result = run_cli(*command, path)

    assert_one_line_error(result, str(path), expected)


def test_bad_full_plan_is_reported_too(run_cli, tmp_path) -> None:
    result = run_cli(
        "drift-report", drift_fixture("drift_none.refresh.json"), "--full-plan", tmp_path / "x.json"
    )

    assert_one_line_error(result, "x.json: no such file")


def test_unknown_option_is_one_line(run_cli) -> None:
    result = run_cli("plan-summary", "--colour", "x.json")

    assert_one_line_error(result, "No such option '--colour'")


def test_unknown_command_is_one_line(run_cli) -> None:
    assert_one_line_error(run_cli("deploy-everything"), "No such command 'deploy-everything'")


def test_bad_format_choice_is_one_line(run_cli) -> None:
    result = run_cli("plan-summary", drift_fixture("drift_none.refresh.json"), "--format", "html")

    assert_one_line_error(result, "'html' is not one of 'markdown', 'json'")


def test_unknown_environment_for_the_issue_is_one_line(run_cli, tmp_path) -> None:
    plan = drift_fixture("drift_none.refresh.json")
    result = run_cli("drift-check", "--env", "qa", "--drift-plan", plan, "--full-plan", plan,
                     "--out", tmp_path, "--no-promotion")  # fmt: skip

    assert_one_line_error(result, "unknown environment 'qa'")


def test_outputs_rejects_a_plan(run_cli) -> None:
    result = run_cli("outputs", drift_fixture("drift_none.refresh.json"))

    assert_one_line_error(result, "expected the output of `terraform output -json`")


@pytest.mark.parametrize("which", ["drift", "full"])
def test_errored_plan_is_never_read_as_no_drift(run_cli, tmp_path, which) -> None:
    errored = tmp_path / "errored.json"
    errored.write_text(
        drift_fixture("drift_none.refresh.json")
        .read_text(encoding="utf-8")
        .replace('"errored": false', '"errored": true'),
        encoding="utf-8",
    )
    assert '"errored": true' in errored.read_text(encoding="utf-8")
    clean = drift_fixture("drift_none.refresh.json")
    drift_plan, full_plan = (errored, clean) if which == "drift" else (clean, errored)

    result = run_cli("drift-report", drift_plan, "--full-plan", full_plan)

    assert_one_line_error(result, str(errored), "Terraform reported errors while planning")
