"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning.

Paths are relative to the repository root (GitHub resolves them against the checkout), each
result has a stable fingerprint so alerts survive line moves, and waived findings carry an
external suppression with the waiver's reason instead of disappearing. When the Python line
that made the resource is known, it is the primary location (code scanning annotates the
changed infra/ line of a PR) and the synthesized JSON location becomes a related location.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from policies import __version__
from policies.model import Finding, Severity
from policies.registry import HELP_URI_BASE, Rule
from policies.reporters import Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "catalog-policies"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub sorts security alerts by this 0-10 score.
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}


def render(report: Report) -> str:
    root = repository_root(Path.cwd())
    rule_index = {rule.id: index for index, rule in enumerate(report.rules)}
    results = [_result(finding, rule_index, root) for finding in report.evaluation.findings]
    notifications = [
        {"level": "error", "message": {"text": message}}
        for message in report.evaluation.internal_errors
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": __version__,
                "informationUri": HELP_URI_BASE,
                "rules": [_rule(rule) for rule in report.rules],
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/"}},
        "results": results,
        "invocations": [
            {
                "executionSuccessful": not report.evaluation.internal_errors,
                "toolExecutionNotifications": notifications,
            }
        ],
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": "".join(word.capitalize() for word in rule.title.replace("-", " ").split()),
        "shortDescription": {"text": rule.title},
        "fullDescription": {
            "text": f"{rule.title} ({rule.category}; {', '.join(rule.resource_types) or 'stack'})"
        },
        "helpUri": rule.help_uri,
        "help": {"text": f"See {rule.help_uri}"},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            # SARIF requires unique tags: a rule of category "plan" that applies to plans
            # listed "plan" twice, which the SARIF 2.1.0 schema rejects (found by the rehearsal).
            "tags": list(dict.fromkeys([rule.category, *sorted(rule.applies_to)])),
            "security-severity": _SECURITY_SEVERITY[rule.severity],
        },
    }


def _result(finding: Finding, rule_index: dict[str, int], root: Path) -> dict[str, Any]:
    synthesized = {
        "artifactLocation": _artifact(finding.file, root),
        "region": {"startLine": finding.line if finding.line and finding.line >= 1 else 1},
    }
    primary = synthesized
    if finding.source is not None:
        primary = {
            # Recorded relative to the repository root, which %SRCROOT% is.
            "artifactLocation": {"uri": finding.source.file, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": finding.source.line},
        }
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": _LEVEL[finding.severity],
        "message": {"text": f"{finding.address}: {finding.message}"},
        "locations": [
            {
                "physicalLocation": primary,
                "logicalLocations": [
                    {"fullyQualifiedName": f"{finding.stack}/{finding.address}", "kind": "resource"}
                ],
            }
        ],
        "partialFingerprints": {"catalogPolicies/v1": _fingerprint(finding)},
        "properties": {"stack": finding.stack, "environment": finding.environment},
    }
    if finding.source is not None:
        result["relatedLocations"] = [
            {
                "id": 1,
                "physicalLocation": synthesized,
                "message": {"text": f"synthesized {finding.address}"},
            }
        ]
    if finding.rule_id in rule_index:
        result["ruleIndex"] = rule_index[finding.rule_id]
    if finding.waived:
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": finding.waiver_reason}
        ]
    return result


def _artifact(file: str, root: Path) -> dict[str, str]:
    path = Path(file)
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        relative = absolute.resolve().relative_to(root)
    except ValueError:
        return {"uri": absolute.resolve().as_uri()}
    return {"uri": relative.as_posix(), "uriBaseId": "%SRCROOT%"}


def _fingerprint(finding: Finding) -> str:
    # Stack, rule and address identify a finding across commits; lines and messages move.
    key = f"{finding.stack}\0{finding.rule_id}\0{finding.address}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def repository_root(start: Path) -> Path:
    """The nearest directory holding ``.git`` (a clone or worktree), else ``start``."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start
