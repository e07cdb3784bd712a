"""``--format junit``: one test suite per stack, one test case per rule and resource.

A blocking finding is a failure, a waived one is skipped with its reason, a rule that raised is
an error; rules that found nothing on a resource pass, so CI test views show what was checked.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from policies.model import Document, Finding
from policies.reporters import Report


def render(report: Report) -> str:
    evaluation = report.evaluation
    findings: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for finding in evaluation.findings:
        findings[(finding.stack, finding.rule_id, finding.address)].append(finding)

    root = ET.Element("testsuites", name="policies")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for document in evaluation.documents:
        suite = ET.SubElement(root, "testsuite", name=document.stack, file=document.file)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for rule_id, address in _cases(report, document):
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{rule_id} {address}",
                classname=f"{document.stack}.{rule_id}",
            )
            counts["tests"] += 1
            outcome = _outcome(report, case, findings.get((document.stack, rule_id, address), []))
            if outcome:
                counts[outcome] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    if evaluation.internal_errors:
        suite = ET.SubElement(root, "testsuite", name="internal-errors")
        for message in evaluation.internal_errors:
            case = ET.SubElement(suite, "testcase", name=message.split(" raised", 1)[0])
            ET.SubElement(case, "error", message=message, type="InternalError")
        count = str(len(evaluation.internal_errors))
        suite.set("tests", count)
        suite.set("errors", count)
        totals["tests"] += len(evaluation.internal_errors)
        totals["errors"] += len(evaluation.internal_errors)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _cases(report: Report, document: Document) -> list[tuple[str, str]]:
    """(rule, address) pairs: each applicable rule on each thing of its types, plus findings.

    A rule with nothing of its types in the stack gets no case: a pass would claim a check
    that never happened.
    """
    cases: dict[tuple[str, str], None] = {}
    for rule in report.rules:
        if not rule.applies(document):
            continue
        for address in _targets(document, rule.resource_types):
            cases[(rule.id, address)] = None
    for finding in report.evaluation.findings:
        if finding.stack == document.stack:
            cases[(finding.rule_id, finding.address)] = None
    return list(cases)


def _targets(document: Document, resource_types: tuple[str, ...]) -> list[str]:
    if not resource_types:
        return [document.stack]  # a stack-level rule
    # Besides resource types, rules name the backend ("terraform.backend.s3") and providers
    # ("provider.aws") they read.
    targets = [resource.address for resource in document.of_type(*resource_types)]
    if document.backend is not None and document.backend.address in resource_types:
        targets.append(document.backend.address)
    targets.extend(
        provider.address
        for provider in document.providers
        if f"provider.{provider.name}" in resource_types
    )
    return targets


def _outcome(report: Report, case: ET.Element, findings: list[Finding]) -> str | None:
    blocking = [finding for finding in findings if report.blocks(finding)]
    waived = [finding for finding in findings if finding.waived]
    if blocking:
        text = "\n".join(f"{f.severity.value}: {f.message} [{_location(f)}]" for f in blocking)
        failure = ET.SubElement(
            case, "failure", message=blocking[0].message, type=blocking[0].severity.value
        )
        failure.text = text
        return "failures"
    if waived and len(waived) == len(findings):
        ET.SubElement(case, "skipped", message=f"waived: {waived[0].waiver_reason}")
        return "skipped"
    if findings:
        output = ET.SubElement(case, "system-out")
        output.text = "\n".join(
            f"{f.severity.value}: {f.message} [{_location(f)}]" for f in findings
        )
    return None


def _location(finding: Finding) -> str:
    return finding.file if finding.line is None else f"{finding.file}:{finding.line}"
