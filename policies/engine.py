"""Run rules over documents, turn violations into findings, and apply waivers.

A rule that raises never stops the run: the failure becomes an internal error naming the rule
(the CLI exits 2 for it) and every other rule still runs. Findings carry only what a rule wrote
in its message, never resource values, so a report cannot leak a secret the input held.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from policies.model import Document, Evaluation, Finding, Resource, Severity, Violation
from policies.registry import Rule
from policies.waivers import Waiver, find_waiver


def evaluate(
    documents: Sequence[Document],
    *,
    rules: Sequence[Rule],
    waivers: Sequence[Waiver] = (),
    today: dt.date | None = None,
) -> Evaluation:
    today = today or dt.datetime.now(dt.UTC).date()
    findings: list[Finding] = []
    internal_errors: list[str] = []
    for document in documents:
        by_address = {resource.address: resource for resource in document.resources}
        for rule in rules:
            if not rule.applies(document):
                continue
            try:
                # Consumed inside the try: rules are generators, so they raise while iterated.
                violations = list(rule.check(document))
                new = [_finding(rule, document, v, by_address) for v in violations]
            except Exception as exc:  # any bug in one rule must not stop the others
                internal_errors.append(_describe_failure(rule, document, exc))
                continue
            findings.extend(new)

    waived, notes = _apply_waivers(findings, waivers, today=today)
    waived.sort(key=_sort_key)
    return Evaluation(
        documents=tuple(documents),
        findings=tuple(waived),
        internal_errors=tuple(internal_errors),
        rules_run=len(rules),
        notes=tuple(notes),
    )


def _finding(
    rule: Rule, document: Document, violation: Violation, by_address: dict[str, Resource]
) -> Finding:
    if not isinstance(violation, Violation):
        raise TypeError(f"yielded {type(violation).__name__}, expected Violation")
    severity = Severity(violation.severity) if violation.severity else rule.severity
    resource = violation.resource or by_address.get(violation.address)
    file, line, source = document.file, None, None
    if resource is not None:
        file, line, source = resource.file, resource.line, resource.source
    elif document.backend is not None and violation.address == document.backend.address:
        file, line = document.backend.file or document.file, document.backend.line
    else:
        provider = next((p for p in document.providers if p.address == violation.address), None)
        if provider is not None:
            file, line = provider.file or document.file, provider.line
    return Finding(
        rule_id=rule.id,
        severity=severity,
        address=_printable(violation.address),
        message=_printable(violation.message),
        file=file,
        line=line,
        stack=document.stack,
        environment=document.environment,
        source=source,
    )


def _printable(text: object) -> str:
    # One line in every format, and no control characters: messages quote names from the
    # input, and an escape sequence in a resource name must not reach a terminal.
    line = " ".join(str(text).split())
    return line if line.isprintable() else "".join(ch for ch in line if ch.isprintable())


def _describe_failure(rule: Rule, document: Document, exc: Exception) -> str:
    # The exception type and where it was raised, not its message: a message can quote input
    # values, and those may be secrets.
    import traceback  # deferred: only a crashing rule needs it

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return (
        f"rule {rule.id} raised {type(exc).__name__}{where} on {document.file} "
        f"(stack {document.stack}); its findings are missing, the other rules ran"
    )


def _apply_waivers(
    findings: Iterable[Finding], waivers: Sequence[Waiver], *, today: dt.date
) -> tuple[list[Finding], list[str]]:
    result: list[Finding] = []
    used: set[int] = set()
    expired_notes: dict[int, str] = {}
    for finding in findings:
        waiver = find_waiver(
            waivers,
            rule_id=finding.rule_id,
            address=finding.address,
            environment=finding.environment,
        )
        if waiver is None:
            result.append(finding)
            continue
        used.add(waiver.index)
        if waiver.is_expired(today=today):
            expired_notes[waiver.index] = (
                f"{waiver.describe()} expired on {waiver.expires.isoformat()}; "
                "its findings block again"
            )
            result.append(finding._replace(waiver_expired=True, waiver_reason=waiver.reason))
        else:
            result.append(finding._replace(waived=True, waiver_reason=waiver.reason))
    notes = [expired_notes[index] for index in sorted(expired_notes)]
    notes.extend(
        f"{waiver.describe()} matched no finding; remove it if the exception is gone"
        for waiver in waivers
        if waiver.index not in used and not waiver.is_expired(today=today)
    )
    notes.extend(
        f"{waiver.describe()} expired on {waiver.expires.isoformat()} and matched no finding"
        for waiver in waivers
        if waiver.index not in used and waiver.is_expired(today=today)
    )
    return result, notes


def _sort_key(finding: Finding) -> tuple[str, int, str, str]:
    return (finding.stack, -finding.severity.rank, finding.rule_id, finding.address)


def summarize(evaluation: Evaluation, *, fail_on: Severity) -> dict[str, int]:
    """The counts every reporter shows; waived findings are counted, and counted as waived."""
    counts = dict.fromkeys(Severity, 0)
    for finding in evaluation.findings:
        counts[finding.severity] += 1
    return {
        "errors": counts[Severity.ERROR],
        "warnings": counts[Severity.WARNING],
        "infos": counts[Severity.INFO],
        "waived": sum(1 for finding in evaluation.findings if finding.waived),
        "blocking": sum(1 for _ in evaluation.iter_blocking(fail_on)),
        "resources": sum(len(document.resources) for document in evaluation.documents),
        "rules": evaluation.rules_run,
        "stacks": len(evaluation.documents),
        "internal_errors": len(evaluation.internal_errors),
    }


def exit_code(evaluation: Evaluation, *, fail_on: Severity) -> int:
    if evaluation.internal_errors:
        return 2
    return 1 if any(True for _ in evaluation.iter_blocking(fail_on)) else 0
