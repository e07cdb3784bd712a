"""``--format json``: one object, the contract other tools (the pipeline, dashboards) parse."""

from __future__ import annotations

import json
from typing import Any

from policies.reporters import Report

SCHEMA_VERSION = 1


def render(report: Report) -> str:
    evaluation = report.evaluation
    document: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "findings": [
            {
                **finding.to_json(),
                "blocking": report.blocks(finding),
                "waiver_expired": finding.waiver_expired,
                "waiver_reason": finding.waiver_reason,
            }
            for finding in evaluation.findings
        ],
        "summary": report.summary,
        "stacks": [
            {
                "stack": doc.stack,
                "kind": doc.kind,
                "environment": doc.environment,
                "file": doc.file,
                "resources": len(doc.resources),
            }
            for doc in evaluation.documents
        ],
        "internal_errors": list(evaluation.internal_errors),
        "notes": list(evaluation.notes),
        "fail_on": report.fail_on.value,
    }
    return json.dumps(document, indent=2) + "\n"
