"""Checkov's failed checks judged against the checked-in accepted-failures file.

Kept free of subprocesses so the judgement is tested directly on recorded checkov output.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import jsonschema
import yaml

from tfjson.source import SourceLine, block_lines, config_sources

ACCEPTED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["accepted"],
    "properties": {
        "accepted": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["check", "resource", "reason"],
                "properties": {
                    "check": {"type": "string", "pattern": r"^CKV2?_[A-Z0-9]+_[0-9]+$"},
                    # glob over checkov's resource address, e.g. "aws_s3_bucket.*"
                    "resource": {"type": "string", "minLength": 1},
                    # glob over stack names; every stack when absent
                    "stack": {"type": "string", "minLength": 1},
                    "reason": {"type": "string", "minLength": 10},
                },
            },
        }
    },
}


class AcceptedFileError(ValueError):
    """The accepted-failures file is unusable; the message is one line for the user."""


@dataclass(frozen=True, kw_only=True)
class AcceptedFailure:
    check: str
    resource: str
    stack: str
    reason: str

    def matches(self, failure: FailedCheck) -> bool:
        return (
            failure.check == self.check
            and fnmatch.fnmatchcase(failure.resource, self.resource)
            and fnmatch.fnmatchcase(failure.stack, self.stack)
        )

    def describe(self) -> str:
        stack = "" if self.stack == "*" else f" in {self.stack}"
        return f"{self.check} {self.resource}{stack}"


@dataclass(frozen=True, kw_only=True)
class FailedCheck:
    check: str
    name: str
    resource: str
    stack: str
    file: str
    line: int

    def describe(self) -> str:
        return f"{self.check} {self.resource} ({self.stack}, {self.file}:{self.line}): {self.name}"


@dataclass(frozen=True, kw_only=True)
class Judgement:
    unexpected: tuple[FailedCheck, ...]
    accepted: tuple[tuple[FailedCheck, AcceptedFailure], ...]
    # Accepted entries that matched no failure: the problem was fixed, the entry should go.
    stale: tuple[AcceptedFailure, ...]
    passed_count: int


def load_accepted(path: Path) -> tuple[AcceptedFailure, ...]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AcceptedFileError(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise AcceptedFileError(f"{path}: invalid YAML: {' '.join(str(exc).split())}") from None
    try:
        jsonschema.validate(data, ACCEPTED_SCHEMA)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "top level"
        raise AcceptedFileError(f"{path}: {where}: {exc.message}") from None
    return tuple(
        AcceptedFailure(
            check=entry["check"],
            resource=entry["resource"],
            stack=entry.get("stack", "*"),
            reason=entry["reason"],
        )
        for entry in data["accepted"]
    )


@dataclass(frozen=True, kw_only=True)
class ScanResult:
    failed: tuple[FailedCheck, ...]
    passed: int
    # Files checkov could not parse were not checked at all.
    parsing_errors: int


def resource_types(document: Any) -> dict[str, list[str]]:
    """Resource name -> the resource types that use it, from one synthesized stack."""
    names: dict[str, list[str]] = {}
    resources = document.get("resource", {}) if isinstance(document, dict) else {}
    for resource_type, blocks in resources.items():
        for name in blocks if isinstance(blocks, dict) else {}:
            names.setdefault(name, []).append(resource_type)
    return names


def _address(resource: str, *, types: dict[str, list[str]] | None) -> str:
    # checkov's terraform_json runner names some resources "resource.<name>" instead of
    # "<type>.<name>"; the stack tells the type, so accepted globs see one form.
    prefix, _, name = resource.partition(".")
    if prefix == "resource" and types and len(types.get(name, [])) == 1:
        return f"{types[name][0]}.{name}"
    return resource


def parse_checkov_json(
    data: Any, *, stack_resources: dict[str, dict[str, list[str]]] | None = None
) -> ScanResult:
    """Failed checks and counts from checkov's JSON report (``-o json``).

    ``stack_resources`` (stack name -> ``resource_types`` of that stack) lets resources that
    checkov names ``resource.<name>`` get their real type.

    Checkov writes one object per framework, a list when several ran, and a bare summary
    object (no ``results``) when it found nothing to scan.
    """
    reports = data if isinstance(data, list) else [data]
    failed: list[FailedCheck] = []
    passed = 0
    parsing_errors = 0
    for report in reports:
        if not isinstance(report, dict):
            continue
        # --quiet leaves passed checks out of the list, but the summary still counts them.
        counts = report.get("summary", report)
        parsing_errors += int(counts.get("parsing_errors", 0))
        results = report.get("results")
        if not isinstance(results, dict):
            continue
        passed += int(counts.get("passed", len(results.get("passed_checks", []))))
        for item in results.get("failed_checks", []):
            file = str(item.get("file_abs_path") or item.get("file_path") or "")
            lines = item.get("file_line_range") or [0]
            # checkov scans one directory per stack: stacks/<stack>/cdk.tf.json
            stack = PurePosixPath(file).parent.name
            types = (stack_resources or {}).get(stack)
            failed.append(
                FailedCheck(
                    check=str(item["check_id"]),
                    name=str(item.get("check_name", "")),
                    resource=_address(str(item.get("resource", "")), types=types),
                    stack=stack,
                    file=file,
                    line=int(lines[0]),
                )
            )
    return ScanResult(failed=tuple(failed), passed=passed, parsing_errors=parsing_errors)


def judge(
    failed: Iterable[FailedCheck],
    *,
    accepted: tuple[AcceptedFailure, ...],
    passed_count: int,
    scanned: Mapping[str, set[str]] | None = None,
) -> Judgement:
    """Split failures into accepted and unexpected, and find stale accepted entries.

    ``scanned`` (stack -> resource addresses that were scanned) limits staleness to entries
    whose resources were actually scanned: a run limited to one environment, or on other
    stacks, cannot tell whether an entry about resources it never saw is still needed.
    """
    unexpected: list[FailedCheck] = []
    matched: list[tuple[FailedCheck, AcceptedFailure]] = []
    used: set[AcceptedFailure] = set()
    for failure in failed:
        entry = next((a for a in accepted if a.matches(failure)), None)
        if entry is None:
            unexpected.append(failure)
        else:
            matched.append((failure, entry))
            used.add(entry)
    return Judgement(
        unexpected=tuple(unexpected),
        accepted=tuple(matched),
        stale=tuple(a for a in accepted if a not in used and _covers_scanned(a, scanned=scanned)),
        passed_count=passed_count,
    )


def _covers_scanned(entry: AcceptedFailure, *, scanned: Mapping[str, set[str]] | None) -> bool:
    if scanned is None:
        return True
    return any(
        fnmatch.fnmatchcase(stack, entry.stack)
        and any(fnmatch.fnmatchcase(address, entry.resource) for address in addresses)
        for stack, addresses in scanned.items()
    )


def grouped_lines(failures: Iterable[FailedCheck]) -> list[str]:
    """Failures grouped by check, then by resource with the stacks it fails in: one screen."""
    checks: dict[tuple[str, str], dict[str, list[str]]] = {}
    for failure in failures:
        resources = checks.setdefault((failure.check, failure.name), {})
        resources.setdefault(failure.resource, []).append(failure.stack)
    lines = []
    for (check, name), resources in checks.items():
        count = sum(len(stacks) for stacks in resources.values())
        lines.append(f"{check} ({count}): {name}")
        lines += [
            f"  {resource} in {', '.join(sorted(stacks))}" for resource, stacks in resources.items()
        ]
    return lines


def mark_accepted_in_sarif(sarif_path: Path, judgement: Judgement) -> None:
    """Record accepted failures as SARIF suppressions so code scanning does not raise alerts."""
    sarif = json.loads(sarif_path.read_text(encoding="utf-8"))
    reasons = {
        (failure.check, _norm(failure.file), failure.line): entry.reason
        for failure, entry in judgement.accepted
    }
    for run in sarif.get("runs", []):
        for result in run.get("results", []):
            location = (result.get("locations") or [{}])[0].get("physicalLocation", {})
            key = (
                result.get("ruleId"),
                _norm(location.get("artifactLocation", {}).get("uri", "")),
                location.get("region", {}).get("startLine"),
            )
            if key in reasons:
                result["suppressions"] = [{"kind": "external", "justification": reasons[key]}]
    sarif_path.write_text(json.dumps(sarif, indent=2) + "\n", encoding="utf-8")


def _norm(path: str) -> str:
    return path.lstrip("./").lstrip("/")


def point_sarif_at_sources(sarif_path: Path, stack_files: Mapping[str, Path]) -> tuple[int, int]:
    """Make the Python line that made each resource the primary location of its results.

    ``stack_files``: stack name -> its synthesized ``cdk.tf.json``. checkov names a line of
    that file; when the resource there has a recorded source, the result's location becomes
    the Python line (code scanning then annotates the infra/ change in the PR) and the JSON
    location moves to ``relatedLocations``. Unmapped results keep their JSON location. Run it
    after ``mark_accepted_in_sarif``, which matches accepted failures on the JSON location.

    Returns (results now pointing at Python, all results).
    """
    sarif = json.loads(sarif_path.read_text(encoding="utf-8"))
    indexes: dict[str, tuple[dict[int, str], dict[str, SourceLine]]] = {}
    for name, file in stack_files.items():
        text = file.read_text(encoding="utf-8")
        config = json.loads(text)
        indexes[name] = (block_lines(text, config), config_sources(config))
    mapped = total = 0
    for run in sarif.get("runs", []):
        for result in run.get("results", []):
            total += 1
            location = (result.get("locations") or [{}])[0]
            physical = location.get("physicalLocation", {})
            uri = PurePosixPath(physical.get("artifactLocation", {}).get("uri", ""))
            lines, sources = indexes.get(uri.parent.name, ({}, {}))
            address = lines.get(physical.get("region", {}).get("startLine"))
            source = sources.get(address) if address else None
            if source is None:
                continue
            related = {
                "id": len(result.get("relatedLocations", [])) + 1,
                "physicalLocation": physical,
                "message": {"text": f"synthesized {address}"},
            }
            result["relatedLocations"] = [*result.get("relatedLocations", []), related]
            location["physicalLocation"] = {
                "artifactLocation": {"uri": source.file},
                "region": {"startLine": source.line},
            }
            mapped += 1
    sarif_path.write_text(json.dumps(sarif, indent=2) + "\n", encoding="utf-8")
    return mapped, total
