"""``terraform output -json`` for the job summary, with sensitive outputs masked."""

from __future__ import annotations

from typing import Any

from pipeline.markdown import Section, assemble, code, value_cell
from tfjson.reader import InputError
from tfjson.values import SENSITIVE


def masked_outputs(data: Any, *, source: str) -> dict[str, Any]:
    """Output name -> value, every sensitive output replaced by ``(sensitive)``."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected the JSON object of `terraform output -json`")
    masked = {}
    for name, output in sorted(data.items()):
        if not isinstance(output, dict) or "value" not in output:
            raise InputError(
                f"{source}: output '{name}' has no value; "
                "expected the output of `terraform output -json`"
            )
        masked[name] = SENSITIVE if output.get("sensitive") is not False else output["value"]
    return masked


def render_markdown(outputs: dict[str, Any], *, title: str, limit: int) -> str:
    head = f"### {title}\n\n"
    if not outputs:
        return head + "No outputs.\n"
    section = Section(
        heading="| Output | Value |\n| --- | --- |\n",
        items=[f"| {code(name)} | {value_cell(value)} |\n" for name, value in outputs.items()],
        noun="outputs",
    )
    return assemble(head=head, sections=[section], limit=limit)
