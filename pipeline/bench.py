"""Benchmark: ``python -m pipeline.bench [N]`` prints how long plan-summary and drift-report take
on generated plans of N changed resources (default 5,000). It prints figures; it asserts nothing.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from pipeline import drift, summary
from pipeline.markdown import MARKDOWN_LIMIT
from tfjson.plan import parse_plan


def generated_plan(count: int) -> dict[str, Any]:
    entries = [
        {
            "address": f"aws_security_group_rule.r{i:05d}",
            "mode": "managed",
            "type": "aws_security_group_rule",
            "name": f"r{i:05d}",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": ["update"],
                "before": {"from_port": 443, "cidr_blocks": ["10.0.0.0/8"], "tags": {"a": "1"}},
                "after": {"from_port": 22, "cidr_blocks": ["0.0.0.0/0"], "tags": {"a": "2"}},
                "after_unknown": {},
                "before_sensitive": {},
                "after_sensitive": {},
            },
        }
        for i in range(count)
    ]
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "resource_changes": entries,
        "resource_drift": entries,
    }


def _timed(label: str, work: Any) -> Any:
    started = time.perf_counter()
    result = work()
    print(f"{label:<34} {(time.perf_counter() - started) * 1000:8.1f} ms")
    return result


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 5_000
    print(f"generated plan: {count:,} updated resources, each also drifted")
    plan = _timed("parse", lambda: parse_plan(generated_plan(count), source="generated"))
    result = _timed("plan-summary (model)", lambda: summary.summarize(plan, title="bench"))
    markdown = _timed(
        "plan-summary (markdown)", lambda: summary.render_markdown(result, limit=MARKDOWN_LIMIT)
    )
    report = _timed(
        "drift-report --full-plan (model)",
        lambda: drift.build_report(plan, full_plan=plan, title="bench"),
    )
    _timed("drift-report (markdown)", lambda: drift.render_markdown(report, limit=MARKDOWN_LIMIT))
    print(f"plan-summary markdown: {len(markdown):,} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
