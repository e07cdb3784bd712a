"""IAM-style policy documents read from resources, with their unknown parts marked.

A ``policy`` argument reaches the rules in one of three shapes:
- a known JSON string (hand-written JSON, a plan's planned value);
- a CDKTF template string, JSON with ``${aws_s3_bucket.x.arn}`` tokens inside string values
  (the loader keeps it in ``Resource.templates``): each token becomes a string containing
  ``HOLE``, so rules can still read the known elements around it;
- a reference to an ``aws_iam_policy_document`` data source in the same configuration, whose
  ``statement`` blocks are rebuilt into the JSON the data source would render.
Anything else (``jsonencode`` of an expression, a whole-string token, JSON that does not parse)
is UNKNOWN, and the rules report nothing about it.

parliament (https://github.com/duo-labs/parliament) does the statement grammar and the
action/resource matching. It costs ~0.4 s to import and warns about ``pkg_resources`` on
import, so it is imported only when a document is actually analysed.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from policies.model import UNKNOWN, Document, Resource, as_blocks, get_path

HOLE = "\ue000"  # stands for the value of a ${...} token inside a string
POLICY_DOCUMENT = "aws_iam_policy_document"


@dataclass(frozen=True)
class PolicyDocument:
    body: Mapping[str, Any]  # parsed JSON; strings containing HOLE are partly unknown
    source: str  # "json", "template" or the data source address
    text: str | None  # the JSON text when fully known (for size checks)
    known_length: int | None  # characters without whitespace that are certainly there

    def statements(self) -> list[Mapping[str, Any]]:
        raw = self.body.get("Statement")
        if isinstance(raw, Mapping):
            return [raw]
        if isinstance(raw, list):
            return [s for s in raw if isinstance(s, Mapping)]
        return []


def has_hole(value: Any) -> bool:
    """True when a value is (or contains) an unknown part."""
    if value is UNKNOWN:
        return True
    if isinstance(value, str):
        return HOLE in value
    if isinstance(value, Mapping):
        return any(has_hole(v) for v in value.values()) or any(has_hole(k) for k in value)
    if isinstance(value, list | tuple):
        return any(has_hole(v) for v in value)
    return False


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def action_matches(actions: Any, wanted: str) -> bool | None:
    """Whether a statement's ``Action`` (IAM wildcards ``*`` and ``?``) covers ``wanted``
    (lower case); None when an unknown part could be the one that covers it."""
    if actions is UNKNOWN:
        return None
    unknown = False
    for action in as_list(actions):
        if not isinstance(action, str) or has_hole(action):
            unknown = True
            continue
        pattern = re.escape(action.lower()).replace(r"\*", ".*").replace(r"\?", ".")
        if re.fullmatch(pattern, wanted):
            return True
    return None if unknown else False


def read_document(document: Document, resource: Resource, path: str) -> PolicyDocument | None:
    """The policy document at ``resource.<path>``, or None when it cannot be read."""
    value = get_path(resource.values, path)
    if isinstance(value, str):
        if not value.strip():
            return None
        return _parse(value.replace("$${", "${"), source="json", known=True)
    if value is not UNKNOWN:
        return None
    template = _template(resource, path)
    if template is not None:
        parsed = _parse_template(template)
        if parsed is not None:
            return parsed
    address = resource.reference(path)
    if address and address.startswith(f"data.{POLICY_DOCUMENT}."):
        source = document.resource(address)
        if source is not None and source.type == POLICY_DOCUMENT:
            return from_policy_document(source)
    return None


def _template(resource: Resource, path: str) -> str | None:
    found = resource.templates.get(path)
    if found is None:
        found = resource.templates.get(path.replace(".0.", "."))
    return found


def _parse(text: str, *, source: str, known: bool) -> PolicyDocument | None:
    try:
        body = json.loads(text)
    except ValueError:
        return None  # not JSON: the provider's own validation reports that
    if not isinstance(body, Mapping):
        return None
    length = len("".join(text.split())) if known else None
    return PolicyDocument(
        body=body, source=source, text=text if known else None, known_length=length
    )


def _parse_template(template: str) -> PolicyDocument | None:
    """JSON with ${...} tokens inside string values: each token becomes HOLE."""
    pieces: list[str] = []
    position = 0
    removed = 0
    while True:
        start = template.find("${", position)
        if start < 0:
            pieces.append(template[position:])
            break
        if start > 0 and template[start - 1] == "$":  # $${ is a literal ${
            pieces.append(template[position : start + 2])
            position = start + 2
            continue
        end = _token_end(template, start + 2)
        if end is None:
            return None
        pieces.append(template[position:start])
        pieces.append(HOLE)
        removed += end + 1 - start
        position = end + 1
    text = "".join(pieces).replace("$${", "${")
    parsed = _parse(text, source="template", known=False)
    if parsed is None:
        return None
    body = _holes_to_unknown(parsed.body)
    known = len("".join(text.split())) - text.count(HOLE)
    return PolicyDocument(body=body, source="template", text=None, known_length=known)


def _token_end(text: str, index: int) -> int | None:
    depth = 1
    quoted = False
    while index < len(text):
        char = text[index]
        if quoted:
            if char == "\\":
                index += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def _holes_to_unknown(value: Any) -> Any:
    if isinstance(value, str):
        return UNKNOWN if value == HOLE else value
    if isinstance(value, Mapping):
        return {key: _holes_to_unknown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_holes_to_unknown(item) for item in value]
    return value


# aws_iam_policy_document statement block argument -> JSON element.
_LIST_ELEMENTS = (
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)


def from_policy_document(source: Resource) -> PolicyDocument | None:
    """The JSON an ``aws_iam_policy_document`` data source renders, when its shape is known."""
    values = source.values
    for merged in (
        "source_policy_documents",
        "override_policy_documents",
        "source_json",
        "override_json",
    ):
        if values.get(merged) not in (None, [], ""):
            return None  # statements come from elsewhere too: cannot tell the whole document
    raw = values.get("statement")
    if raw is UNKNOWN:
        return None
    statements = []
    for block in as_blocks(raw):
        if not isinstance(block, Mapping):
            return None
        statement: dict[str, Any] = {}
        sid = block.get("sid")
        if sid not in (None, ""):
            statement["Sid"] = sid
        effect = block.get("effect")
        statement["Effect"] = "Allow" if effect in (None, "") else effect
        for argument, element in _LIST_ELEMENTS:
            items = block.get(argument)
            if items is UNKNOWN:
                statement[element] = UNKNOWN
            elif items:
                statement[element] = items
        for argument, element in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            principals = block.get(argument)
            if principals is UNKNOWN:
                statement[element] = UNKNOWN
                continue
            rendered: dict[str, Any] = {}
            for principal in as_blocks(principals):
                if not isinstance(principal, Mapping):
                    return None
                kind = principal.get("type")
                if not isinstance(kind, str):
                    return None
                rendered.setdefault(kind, []).extend(as_list(principal.get("identifiers")))
            if rendered:
                statement[element] = rendered
        if block.get("condition"):
            statement["Condition"] = UNKNOWN  # rules here never judge conditions
        statements.append(statement)
    version = values.get("version")
    body = {"Version": "2012-10-17" if version in (None, "") else version, "Statement": statements}
    return PolicyDocument(body=body, source=source.address, text=None, known_length=None)


# --- parliament ------------------------------------------------------------------------------


@cache
def _parliament() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # parliament imports the deprecated pkg_resources
        import parliament

    return parliament


def parliament_findings(statement: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(issue, detail) pairs parliament reports for one statement, analysed on its own.

    ``Sid`` and ``Condition`` are left out: Sid rules differ by service (checked by hand) and
    parliament raises on a condition it cannot iterate, which would hide every other finding.
    """
    trimmed = {k: v for k, v in statement.items() if k not in ("Sid", "Condition")}
    text = json.dumps({"Version": "2012-10-17", "Statement": [_unknown_to_hole(trimmed)]})
    return list(_analyse(text))


@cache
def _analyse(text: str) -> tuple[tuple[str, Any], ...]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            policy = _parliament().analyze_policy_string(text, ignore_private_auditors=True)
            return tuple((finding.issue, finding.detail) for finding in policy.findings)
    except Exception:  # parliament's own failure on odd input: cannot tell
        return ()


def _unknown_to_hole(value: Any) -> Any:
    if value is UNKNOWN:
        return HOLE
    if isinstance(value, Mapping):
        return {key: _unknown_to_hole(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unknown_to_hole(item) for item in value]
    return value


def policy_arguments(resource: Resource, paths: tuple[str, ...]) -> Iterator[str]:
    """The paths among ``paths`` (``inline_policy.*.policy`` expanded) set on ``resource``."""
    for path in paths:
        if ".*." in path:
            head, tail = path.split(".*.", 1)
            raw = resource.values.get(head)
            if raw is UNKNOWN:
                continue
            for index, _ in enumerate(as_blocks(raw)):
                yield f"{head}.{index}.{tail}"
        elif resource.values.get(path) is not None or path in resource.templates:
            yield path


# -- where resources hold policy documents -------------------------------------------------

IDENTITY_POLICIES = {
    "aws_iam_policy": ("policy",),
    "aws_iam_role_policy": ("policy",),
    "aws_iam_user_policy": ("policy",),
    "aws_iam_group_policy": ("policy",),
    "aws_iam_role": ("inline_policy.*.policy",),
}
TRUST_POLICIES = {"aws_iam_role": ("assume_role_policy",)}
RESOURCE_POLICIES = {
    "aws_s3_bucket_policy": ("policy",),
    "aws_s3_bucket": ("policy",),
    "aws_sqs_queue_policy": ("policy",),
    "aws_sqs_queue": ("policy",),
    "aws_sns_topic_policy": ("policy",),
    "aws_sns_topic": ("policy",),
    "aws_kms_key": ("policy",),
    "aws_kms_key_policy": ("policy",),
    "aws_ecr_repository_policy": ("policy",),
    "aws_secretsmanager_secret_policy": ("policy",),
    "aws_secretsmanager_secret": ("policy",),
}
KMS_KEY_POLICIES = {"aws_kms_key": ("policy",), "aws_kms_key_policy": ("policy",)}
S3_BUCKET_POLICIES = {"aws_s3_bucket_policy": ("policy",)}


def types_of(*tables: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(sorted({t for table in tables for t in table}))


def documents_in(
    document: Document, table: Mapping[str, tuple[str, ...]]
) -> Iterator[tuple[Resource, str, PolicyDocument]]:
    """(resource, argument path, parsed document) for every readable document in ``table``."""
    for resource in document.of_type(*table):
        for path in policy_arguments(resource, table[resource.type]):
            parsed = read_document(document, resource, path)
            if parsed is not None:
                yield resource, path, parsed


def statement_label(path: str, index: int, statement: Mapping[str, Any]) -> str:
    sid = statement.get("Sid")
    label = f"Statement[{index}]"
    if isinstance(sid, str) and sid and not has_hole(sid):
        label += f' (Sid "{sid}")'
    return f"{path.replace('.0.', '[0].')} {label}"
