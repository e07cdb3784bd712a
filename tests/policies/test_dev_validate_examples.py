"""policies.dev.validate_examples: finding the provider mirror, collecting examples, verdicts.

Running Terraform itself is left to the script (`python -m policies.dev.validate_examples`): it
needs the provider mirror and minutes of CPU, so these tests cover everything around it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies.command import UsageError
from policies.dev import validate_examples
from policies.dev.validate_examples import MIRROR_ENV, Outcome, examples_of, find_mirror
from policies.registry import REGISTRY
from policies.rules import all_rules
from policies.toolkit.rows import ROWS


def _mirror(root: Path, version: str = "5.100.0") -> Path:
    binary_dir = root / "registry.terraform.io/hashicorp/aws" / version / "linux_amd64"
    binary_dir.mkdir(parents=True)
    (binary_dir / f"terraform-provider-aws_v{version}_x5").write_text("", encoding="utf-8")
    return root


def test_mirror_from_the_environment_variable(tmp_path):
    plugin_dir = _mirror(tmp_path / "plugins")
    assert find_mirror(None, {MIRROR_ENV: str(plugin_dir)}) == (plugin_dir, "5.100.0")


def test_explicit_mirror_wins_and_a_wrong_one_is_a_usage_error(tmp_path):
    plugin_dir = _mirror(tmp_path / "explicit", "5.99.0")
    other = _mirror(tmp_path / "env")
    assert find_mirror(str(plugin_dir), {MIRROR_ENV: str(other)}) == (plugin_dir, "5.99.0")
    with pytest.raises(UsageError, match=r"no registry\.terraform\.io/hashicorp/aws"):
        find_mirror(str(tmp_path / "empty"), {})


def test_bounded_search_finds_a_mirror_two_levels_down(tmp_path, monkeypatch):
    _mirror(tmp_path / "opt" / "tf-plugins")
    monkeypatch.setattr(validate_examples, "_MIRROR_ROOTS", (str(tmp_path / "opt"),))
    assert find_mirror(None, {}) == (tmp_path / "opt" / "tf-plugins", "5.100.0")
    monkeypatch.setattr(validate_examples, "_MIRROR_ROOTS", (str(tmp_path / "nowhere"),))
    with pytest.raises(UsageError, match=MIRROR_ENV):
        find_mirror(None, {})


def test_a_table_row_contributes_every_failing_example_and_its_passing_one():
    all_rules()
    row = ROWS["AT126"]
    examples = examples_of(REGISTRY["AT126"])
    assert not isinstance(examples, str)
    kinds = [example.kind for example in examples]
    assert kinds == [
        "failing",
        *[f"failing-{i}" for i in range(1, len(row.more_failing) + 1)],
        "passing",
    ]
    first = json.loads(examples[0].content)
    assert first == {"resource": {"aws_cloudwatch_event_rule": {"example": row.failing}}}


def test_doc_examples_are_read_when_they_are_terraform(tmp_path, monkeypatch):
    all_rules()
    doc = tmp_path / "AT001.md"
    doc.write_text(
        '# AT001\n\n## Example\n\nFailing:\n\n```hcl\nresource "x" "y" {}\n```\n\n'
        'Passing:\n\n```hcl\nresource "x" "z" {}\n```\n',
        encoding="utf-8",
    )
    rule = REGISTRY["AT001"]
    monkeypatch.setattr(type(rule), "doc_path", property(lambda self: doc))
    failing, passing = examples_of(rule)
    assert (failing.filename, failing.content) == ("main.tf", 'resource "x" "y" {}\n')
    assert passing.content == 'resource "x" "z" {}\n'


def test_cdktf_python_doc_examples_are_reported_as_not_checked():
    all_rules()
    assert "CDKTF Python" in examples_of(REGISTRY["AT003"])


def test_report_lists_verdicts_and_a_summary():
    outcomes = [
        Outcome("AT100", "not-caught", "validate and plan accept the failing example"),
        Outcome("AT999", "CAUGHT", "the provider rejects a failing example", ["validate: bad"]),
    ]
    lines = list(validate_examples._report(outcomes, version="5.100.0", plan=True))
    assert "hashicorp/aws 5.100.0" in lines[0]
    assert any(line.startswith("CAUGHT") and "AT999" in line for line in lines)
    assert lines[-1] == "summary: 1 not-caught, 1 CAUGHT, 0 BROKEN, 0 not-checked"


def test_missing_terraform_is_a_one_line_usage_error(monkeypatch, capsys):
    monkeypatch.setattr(validate_examples.shutil, "which", lambda name: None)
    assert validate_examples.main([]) == 2
    assert capsys.readouterr().err == "validate-examples: error: terraform is not on PATH\n"


def test_bad_usage_is_one_line_and_exit_2(capsys):
    assert validate_examples.main(["--bogus"]) == 2
    assert capsys.readouterr().err == "validate-examples: error: No such option '--bogus'.\n"
