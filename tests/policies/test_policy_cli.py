"""The CLI contract: exit codes, one-line errors, formats and outputs, rule listing and docs."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from policies.check import CheckRequest, parse_check
from policies.cli import run
from tests.fixture_paths import REPO_ROOT

FIXTURES = Path(__file__).parent / "fixtures"
CLEAN_CONFIG = {
    "terraform": {
        "required_version": ">= 1.11",
        "backend": {"s3": {"bucket": "b", "key": "k", "region": "eu-north-1", "encrypt": True,
                           "use_lockfile": True}},
    },
    "provider": {"aws": [{"region": "eu-north-1"}]},
}  # fmt: skip
BROKEN_BACKEND = FIXTURES / "scenario_s3_backend_encrypt_false_unknown_argument.tf.json"


def invoke(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = run([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, expected: str) -> None:
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith("policies: error: ")
    assert expected in err
    assert "Traceback" not in err


@pytest.fixture
def clean_config(tmp_path: Path) -> Path:
    path = tmp_path / "clean-dev.tf.json"
    path.write_text(json.dumps(CLEAN_CONFIG))
    return path


def test_nothing_blocking_exits_0(capsys: pytest.CaptureFixture[str], clean_config: Path) -> None:
    code, out, err = invoke(capsys, "check", clean_config)
    assert (code, err) == (0, "")
    assert "PASSED" in out


def test_a_blocking_finding_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke(capsys, "check", BROKEN_BACKEND)
    assert code == 1
    assert "terraform.backend.s3" in out
    assert "FAILED" in out


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("missing.json", "no such file"),
        ("broken_empty.json", "file is empty"),
        ("broken_invalid.json", "invalid JSON at line 1"),
        ("broken_neither.json", "neither a Terraform config nor a plan"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], target: str, expected: str
) -> None:
    code, out, err = invoke(capsys, "check", FIXTURES / target)
    assert_one_line_error(code, err, expected)
    assert out == ""


def test_a_directory_without_stacks_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = invoke(capsys, "check", tmp_path)
    assert_one_line_error(code, err, "no stacks found")


def test_the_default_path_is_cdktf_out(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke(capsys, "check")
    assert_one_line_error(code, err, "cdktf.out: no such directory; run `pipenv run synth` first")
    stack = tmp_path / "cdktf.out" / "stacks" / "catalog-api-dev" / "cdk.tf.json"
    stack.parent.mkdir(parents=True)
    stack.write_text(json.dumps(CLEAN_CONFIG))
    code, out, _ = invoke(capsys, "check", "--format", "json")
    assert code == 0
    assert json.loads(out)["stacks"][0]["stack"] == "catalog-api-dev"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check", "--format", "yaml"], "'yaml' is not one of"),
        (["check", "--fail-on", "info"], "'info' is not one of"),
        (["check", "--bogus"], "--bogus"),
        (["frobnicate"], "No such command 'frobnicate'"),
        (["check", "--output", "x.json"], "each --output must follow the --format it is for"),
        (["check", "-f", "json", "-f", "sarif"], "only one --format can go to stdout"),
        (["check", "--list-rules", "--format", "sarif"], "--list-rules supports"),
        (["explain", "XX999"], "unknown rule 'XX999'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    code, _, err = invoke(capsys, *args)
    assert_one_line_error(code, err, expected)


def test_bad_waivers_file_exits_2(
    capsys: pytest.CaptureFixture[str], clean_config: Path, tmp_path: Path
) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "- {rule_id: AT999, address: '*', reason: r, owner: o, expires: 2030-01-01}\n"
    )
    code, _, err = invoke(capsys, "check", clean_config, "--waivers", waivers)
    assert_one_line_error(code, err, "unknown rule_id 'AT999'")
    code, _, err = invoke(capsys, "check", clean_config, "--waivers", tmp_path / "nope.yaml")
    assert_one_line_error(code, err, "no such waivers file")


def test_each_output_gets_its_own_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    code, out, _ = invoke(
        capsys,
        "check",
        BROKEN_BACKEND,
        "--format", "text",
        "--format", "json", "--output", reports / "policies.json",
        "-f", "sarif", "-o", reports / "policies.sarif",
        "--format=junit", "--output=" + str(reports / "policies.xml"),
        "--format", "markdown", "--output", reports / "summary.md",
    )  # fmt: skip
    assert code == 1
    assert "FAILED" in out  # text went to stdout
    assert json.loads((reports / "policies.json").read_text())["version"] == 1
    assert json.loads((reports / "policies.sarif").read_text())["version"] == "2.1.0"
    assert ET.parse(reports / "policies.xml").getroot().tag == "testsuites"
    assert (reports / "summary.md").read_text().startswith("### :x: Policy check")


def test_fail_on_warning_blocks_on_warnings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def single_warning_config() -> dict:
        return {"terraform": {"backend": {"s3": {"bucket": "b", "key": "k", "encrypt": True,
                                                 "dynamodb_table": "locks"}}}}  # fmt: skip

    path = tmp_path / "dynamodb-dev.tf.json"
    path.write_text(json.dumps(single_warning_config()))
    code, out, _ = invoke(capsys, "check", path, "--format", "json")
    findings = json.loads(out)["findings"]
    assert findings and {f["severity"] for f in findings} == {"warning"}
    assert code == 0
    code, _, _ = invoke(capsys, "check", path, "--fail-on", "warning")
    assert code == 1


def test_a_waived_finding_is_reported_but_does_not_block(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = invoke(capsys, "check", BROKEN_BACKEND, "--format", "json")
    blocking = {f["rule_id"] for f in json.loads(out)["findings"] if f["blocking"]}
    assert code == 1 and blocking
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "".join(
            f"- {{rule_id: {rule_id}, address: 'terraform.backend.*', reason: test, "
            f"owner: team, expires: 2099-12-31}}\n"
            for rule_id in sorted(blocking)
        )
    )
    code, out, _ = invoke(capsys, "check", BROKEN_BACKEND, "--waivers", waivers, "-f", "json")
    report = json.loads(out)
    assert code == 0
    waived = {f["rule_id"] for f in report["findings"] if f["waived"]}
    assert waived == blocking  # still reported, no longer blocking
    assert not any(f["blocking"] for f in report["findings"])
    assert report["summary"]["waived"] == len(blocking)
    code, out, _ = invoke(
        capsys, "check", BROKEN_BACKEND, "--waivers", waivers, "--today", "2100-01-01"
    )
    assert code == 1
    assert "expired on 2099-12-31" in out


def test_env_option_overrides_the_detected_environment(
    capsys: pytest.CaptureFixture[str], clean_config: Path
) -> None:
    _, out, _ = invoke(capsys, "check", clean_config, "--format", "json")
    assert json.loads(out)["stacks"][0]["environment"] == "dev"
    _, out, _ = invoke(capsys, "check", clean_config, "--env", "prod", "--format", "json")
    assert json.loads(out)["stacks"][0]["environment"] == "prod"


def test_list_rules_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke(capsys, "check", "--list-rules")
    assert code == 0
    lines = out.splitlines()
    assert lines, "the rule pack registers rules"
    rule_id, severity, *title = lines[0].split()
    assert severity in {"error", "warning", "info"} and title
    code, out, _ = invoke(capsys, "check", "--list-rules", "--format", "json")
    listing = json.loads(out)
    assert [entry["id"] for entry in listing] == [line.split()[0] for line in lines]
    assert listing[0]["id"] == rule_id
    assert {"id", "severity", "title", "category", "applies_to", "help_uri"} <= set(listing[0])
    by_id = {entry["id"]: entry for entry in listing}
    assert by_id["AT110"]["service"] == "lambda"
    assert by_id["AT110"]["failure_class"] == "invalid-value"
    assert by_id["AT110"]["source"].startswith("https://")


def test_explain_prints_the_rule_doc(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = invoke(capsys, "check", "--list-rules", "--format", "json")
    rule = json.loads(out)[0]
    code, out, _ = invoke(capsys, "explain", rule["id"].lower())
    assert code == 0
    assert out.startswith(f"{rule['id']}  {rule['severity']}  {rule['title']}")
    assert rule["help_uri"] in out


def test_a_crashing_rule_exits_2_and_names_the_rule(
    capsys: pytest.CaptureFixture[str], clean_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import policies.rules
    from policies import registry
    from policies.model import Severity

    policies.rules.all_rules()  # register the pack before adding to it

    def crash(document: object) -> list[object]:
        raise RuntimeError("boom")

    # check runs the rules of the modules its input needs; the backend module always runs.
    crash.__module__ = "policies.rules.backend"

    monkeypatch.setitem(
        registry.REGISTRY,
        "OPS999",
        registry.Rule(
            id="OPS999",
            title="crashes",
            severity=Severity.ERROR,
            service="aws",
            failure_class="posture",
            source="https://example.com/test",
            resource_types=(),
            applies_to=frozenset({"config"}),
            check=crash,
        ),
    )
    code, out, err = invoke(capsys, "check", clean_config)
    assert code == 2
    assert "internal error: rule OPS999 raised RuntimeError" in err
    assert "PASSED" not in out and "INCOMPLETE" in out


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke(capsys)
    assert code == 0
    assert "check" in out and "explain" in out


def test_module_entry_point_keeps_the_contract_in_a_real_process(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "policies", "check", str(tmp_path / "absent.json")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert (
        result.stderr == f"policies: error: {tmp_path / 'absent.json'}: no such file or directory\n"
    )


def test_colour_follows_no_color_and_force_color(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    _, out, _ = invoke(capsys, "check", BROKEN_BACKEND)
    assert "\x1b[" not in out  # captured stdout is not a TTY
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, out, _ = invoke(capsys, "check", BROKEN_BACKEND)
    assert "\x1b[" in out
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = invoke(capsys, "check", BROKEN_BACKEND)
    assert "\x1b[" not in out


def test_a_plan_can_come_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = (FIXTURES / "plan_stateful_replace.json").read_text().encode("utf-16")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(plan)))
    code, out, _ = invoke(capsys, "check", "-", "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["stacks"][0] == {
        "stack": "stdin",
        "kind": "plan",
        "environment": "prod",
        "file": "<stdin>",
        "resources": 3,
    }
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"   ")))
    code, _, err = invoke(capsys, "check", "-")
    assert_one_line_error(code, err, "<stdin>: input is empty")


def _imported_by(*args: str) -> set[str]:
    """Top-level packages a real ``python -m policies ...`` process imports."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "policies", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr[-500:]
    return {
        row.split("|")[-1].strip().split(".")[0]
        for row in result.stderr.splitlines()
        if row.startswith("import time:") and "|" in row
    }


def test_check_imports_only_what_the_command_uses(tmp_path: Path) -> None:
    report = tmp_path / "policies.json"
    json_only = _imported_by("check", str(BROKEN_BACKEND), "-f", "json", "-o", str(report))
    # The repository's waivers file declares none: no YAML parser, no schema validator; JSON
    # output needs no terminal renderer; the everyday command line needs no click; and nothing
    # of the stacks or AWS.
    unused = {"click", "rich", "yaml", "jsonschema", "cdktf", "boto3", "botocore"}
    assert not json_only & unused
    assert "policies" in json_only and "tfjson" in json_only
    # The same process with the text report does load rich, and --help loads click: the
    # checks above can fail.
    assert "rich" in _imported_by("check", str(BROKEN_BACKEND), "-f", "text")
    assert "click" in _imported_by("check", "--help")


def test_check_never_imports_the_dev_tools(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "policies", "check", str(BROKEN_BACKEND)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    modules = {row.split("|")[-1].strip() for row in result.stderr.splitlines() if "|" in row}
    assert "policies.check" in modules
    assert not {m for m in modules if m.startswith(("policies.dev", "gate", "pipeline"))}


def _click_request(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> CheckRequest:
    """The request click's ``check`` makes of ``args``, without running the check."""
    from policies import commands

    made: list[CheckRequest] = []
    monkeypatch.setattr(commands, "run_check", lambda request: made.append(request) or 0)
    assert commands.cli.main(args=["check", *args], standalone_mode=False) == 0
    return made[0]


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["cdktf.out"],
        ["--format", "json", "--env", "prod", "stack/cdk.tf.json"],
        ["a.json", "-f", "json", "b.json", "--fail-on", "warning"],
        ["-f", "text", "-f", "json", "-o", "r/p.json", "--format=sarif", "--output=r/p.sarif"],
        ["plan.json", "--synth", "cdk.tf.json", "--link-base", "https://x/blob/1", "-"],
        ["--env", "dev", "--env", "prod", "--waivers", "w.yaml", "x.tf.json"],
    ],
)
def test_the_fast_path_reads_a_command_line_as_click_does(
    monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.delenv("POLICIES_LINK_BASE", raising=False)
    fast = parse_check(args)
    assert fast is not None, "an everyday command line takes the fast path"
    assert fast == _click_request(monkeypatch, args)


def test_the_fast_path_reads_the_link_base_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POLICIES_LINK_BASE", "https://x/blob/2")
    args = ["-f", "markdown", "stack.tf.json"]
    assert parse_check(args) == _click_request(monkeypatch, args)
    assert parse_check(args).link_base == "https://x/blob/2"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["-h"],
        ["--list-rules"],
        ["--today", "2030-01-01", "x.json"],
        ["--format", "yaml"],
        ["--format"],
        ["-fjson", "x.json"],
        ["--bogus"],
        ["--", "-odd-name.json"],
        ["--env", "--format", "json"],
        ["--env="],
        ["-o=x.json"],
    ],
)
def test_anything_else_is_left_to_click(args: list[str]) -> None:
    assert parse_check(args) is None


def test_an_output_that_is_a_directory_is_left_to_click(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert parse_check(["-f", "json", "-o", str(tmp_path), str(BROKEN_BACKEND)]) is None
    code, _, err = invoke(capsys, "check", "-f", "json", "-o", tmp_path, BROKEN_BACKEND)
    assert_one_line_error(code, err, "is a directory")


def test_an_unwritable_output_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = invoke(capsys, "check", "-f", "json", "-o", blocker / "r.json", BROKEN_BACKEND)
    assert_one_line_error(code, err, "cannot write")


@pytest.mark.parametrize(
    "target",
    [
        *sorted(FIXTURES.glob("scenario_*.tf.json")),
        FIXTURES / "plan_stateful_replace.json",
        *sorted((FIXTURES / "issue12_plans").glob("*.json"))[:3],
    ],
    ids=lambda path: path.name,
)
def test_loading_only_the_rule_modules_an_input_needs_changes_no_finding(
    capsys: pytest.CaptureFixture[str], target: Path
) -> None:
    from policies.engine import evaluate
    from policies.loader import load_path
    from policies.rules import all_rules

    # A fresh process imports only the rule modules for the input's resource types.
    result = subprocess.run(
        [sys.executable, "-m", "policies", "check", "-f", "json", str(target)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    lazy = json.loads(result.stdout)
    # Every rule of the pack, in this process, over the same input.
    everything = evaluate(load_path(target), rules=all_rules())
    assert lazy["findings"], "the input must trip some rule for the comparison to mean much"
    assert [(f["rule_id"], f["address"], f["message"]) for f in lazy["findings"]] == [
        (f.rule_id, f.address, f.message) for f in everything.findings
    ]
    assert lazy["summary"]["rules"] < len(all_rules())
