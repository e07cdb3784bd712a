"""The gate's summary says how complete the Python mapping is and groups findings by file."""

from __future__ import annotations

from pathlib import Path

from tests.gate.conftest import minimal_stack, write_stacks
from tests.gate.test_gate_policies import IMPOSSIBLE_FARGATE_TASK

LINK_BASE = "https://github.com/acme/catalog-api-infra/blob/0123abc"
SOURCE = {"file": "infra/components/service.py", "line": 258}


def test_summary_reports_mapping_and_links_findings_to_python(run_gate, tmp_path: Path) -> None:
    task = {
        name: {**body, "//": {"metadata": {}, "source": SOURCE}}
        for name, body in IMPOSSIBLE_FARGATE_TASK["aws_ecs_task_definition"].items()
    }
    resources = {
        "aws_ecs_task_definition": task,
        # Added by hand, as a raw override would be: no source, still checked.
        "aws_cloudwatch_log_group": {"raw": {"name": "raw", "retention_in_days": 30}},
    }
    stacks = write_stacks(tmp_path / "s", {"catalog-api-dev": minimal_stack(resources=resources)})
    result = run_gate(
        "--only", "policies", "--stacks-dir", str(stacks), env={"POLICIES_LINK_BASE": LINK_BASE}
    )
    assert result.returncode == 1, result.stdout
    summary = (result.reports / "summary.md").read_text()
    # The step detail goes through pipeline.markdown.text: punctuation backslash-escaped.
    assert "Python lines known for 1 of 2 resources and data sources \\(50\\.0\\%\\)" in summary
    section = summary.split("## Policy findings by Python file", 1)[1]
    assert f"[`infra/components/service.py:258`]({LINK_BASE}/infra/components/service.py#L258)" in (
        section
    )
    assert "AT012" in section


def test_the_source_format_is_a_synth_input(tmp_path: Path) -> None:
    from dataclasses import replace

    from gate.steps import synth
    from tests.gate.test_synth_cache import _options

    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "app.py").write_text("APP = 1\n")
    (tmp_path / "Pipfile.lock").write_text("{}\n")
    options = replace(_options(tmp_path), environment="dev")
    without = synth.input_fingerprint(options)
    (tmp_path / "tfjson").mkdir()
    (tmp_path / "tfjson" / "source.py").write_text("SOURCE_KEY = 'source'\n")
    with_format = synth.input_fingerprint(options)
    assert with_format != without
    (tmp_path / "tfjson" / "source.py").write_text("SOURCE_KEY = 'origin'\n")
    assert synth.input_fingerprint(options) != with_format
