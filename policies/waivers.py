"""Waivers: reviewed, owned, dated exceptions to a rule for matching addresses.

A waived finding is still reported and counted; it only stops blocking. A waiver past its
``expires`` date stops waiving and the report says so, so exceptions cannot quietly outlive
the reason they were granted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, NamedTuple

from tfjson.reader import InputError, decode_bytes

DEFAULT_WAIVERS = Path(__file__).parent / "waivers.yaml"

WAIVER_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["rule_id", "address", "reason", "owner", "expires"],
        "properties": {
            "rule_id": {"type": "string", "pattern": "^[A-Z]+[0-9]{3}$"},
            "address": {"type": "string", "minLength": 1},
            "environments": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 1,
            },
            "reason": {"type": "string", "minLength": 1},
            "owner": {"type": "string", "minLength": 1},
            "expires": {"type": "string", "format": "date"},
        },
    },
}


class Waiver(NamedTuple):
    rule_id: str
    address: str  # a glob (* and ?) over Terraform addresses, e.g. aws_s3_bucket.logs* or *
    reason: str
    owner: str
    expires: dt.date  # last day the waiver applies
    environments: tuple[str, ...] | None = None  # None: every environment
    index: int = 0  # position in the file, for messages

    def matches(self, *, rule_id: str, address: str, environment: str | None) -> bool:
        # Brackets are literal: they are Terraform's index syntax (aws_x.y["key"], aws_x.y[0]),
        # not a glob character class, so an exact address copied from a report matches.
        pattern = self.address.replace("[", "[[]")
        if rule_id != self.rule_id or not fnmatchcase(address, pattern):
            return False
        return self.environments is None or environment in self.environments

    def is_expired(self, *, today: dt.date) -> bool:
        return today > self.expires

    def describe(self) -> str:
        return f"waiver #{self.index} ({self.rule_id} {self.address}, owner {self.owner})"


def load_waivers(path: Path, *, known_rules: Collection[str]) -> tuple[Waiver, ...]:
    """Read and validate a waivers file. Every problem is an InputError with one line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such waivers file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    text = decode_bytes(raw, source=str(path))
    if _declares_nothing(text):
        return ()  # the usual case: no YAML parser needed (it costs more than the rule pack)
    import yaml  # deferred: only a file that declares waivers needs parsing

    try:
        # BaseLoader keeps every scalar a string, so `expires: 2026-13-01` is checked by the
        # schema instead of failing or silently becoming a datetime inside the YAML parser.
        entries = yaml.load(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "cannot parse"
        raise InputError(f"{path}: invalid YAML{where}: {problem}") from None
    if entries is None or entries == "":
        return ()  # a file holding only comments: no waivers
    _validate(entries, source=str(path))
    waivers = []
    for index, entry in enumerate(entries, start=1):
        if entry["rule_id"] not in known_rules:
            raise InputError(f"{path}: waiver #{index}: unknown rule_id {entry['rule_id']!r}")
        environments = entry.get("environments")
        waivers.append(
            Waiver(
                rule_id=entry["rule_id"],
                address=entry["address"],
                reason=entry["reason"],
                owner=entry["owner"],
                expires=dt.date.fromisoformat(entry["expires"]),
                environments=tuple(environments) if environments is not None else None,
                index=index,
            )
        )
    return tuple(waivers)


def _declares_nothing(text: str) -> bool:
    """True for a file of only comments and blank lines, with at most an empty list ``[]``."""
    content = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return content in ([], ["[]"])


def _validate(entries: Any, *, source: str) -> None:
    if entries == []:
        return
    import jsonschema  # deferred: ~80 ms, paid only when there are waivers to check

    validator = jsonschema.Draft202012Validator(
        WAIVER_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    error = jsonschema.exceptions.best_match(validator.iter_errors(entries))
    if error is None:
        return
    location = ""
    if error.absolute_path:
        index = error.absolute_path[0]
        location = f" waiver #{index + 1}" if isinstance(index, int) else ""
        field = ".".join(str(part) for part in list(error.absolute_path)[1:])
        location += f" field {field!r}" if field else ""
    message = error.message.splitlines()[0]
    if error.validator == "format" and error.validator_value == "date":
        message = f"{error.instance!r} is not a date (use YYYY-MM-DD)"
    raise InputError(f"{source}:{location}: {message}")


def find_waiver(
    waivers: Sequence[Waiver], *, rule_id: str, address: str, environment: str | None
) -> Waiver | None:
    """The first matching waiver, preferring one still in force over an expired one."""
    matching = [
        waiver
        for waiver in waivers
        if waiver.matches(rule_id=rule_id, address=address, environment=environment)
    ]
    if not matching:
        return None
    return max(matching, key=lambda waiver: waiver.expires)
