"""Terraform configuration values as the rules see them: what is known, what only after apply.

Configuration comes in two forms: CDKTF synth / ``*.tf.json`` (template strings such as
``${aws_kms_key.x.arn}``) and the ``configuration`` section of a plan (``expressions`` with
``constant_value`` or ``references``). Both become plain values with ``UNKNOWN`` where the
value is computed, and the resource each reference names is kept, so that cross-resource checks
can follow a link with certainty after the token that held it is gone.
"""

from __future__ import annotations

import re
from typing import Any

from tfjson.values import UNKNOWN

# A reference inside a ${...} template: resource "type.name" or "data.type.name". Every resource
# type has a provider prefix and an underscore, which keeps var.x, local.y, each.key out.
REFERENCE = re.compile(r"(?<![\w.\-])((?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]*\.[A-Za-z_][\w-]*)")
TEMPLATE = re.compile(r"(?<!\$)\$\{([^}]*)\}?|(?<!%)%\{")


def resolve_tokens(
    value: Any,
    references: dict[str, str] | None = None,
    *,
    templates: dict[str, str] | None = None,
) -> Any:
    """Copy ``value`` with every template string replaced by UNKNOWN.

    When ``references`` is given, it receives attribute path -> referenced resource address
    for each token that names a resource (see ``_resolve``). When ``templates`` is given, it
    receives attribute path (JSON form) -> the template string that became UNKNOWN, so a
    rule can still read the known parts of, say, a policy JSON with a token inside.
    """
    return _resolve(value, (), (), {} if references is None else references, templates)


def _resolve(
    value: Any,
    natural: tuple[str, ...],
    state: tuple[str, ...],
    references: dict[str, str],
    templates: dict[str, str] | None = None,
) -> Any:
    """``resolve_tokens``, recording references on the way.

    Each reference is recorded under two paths: the JSON path (``access_logs.bucket``) and the
    Terraform state form (``access_logs.0.bucket``), because CDKTF writes a single nested block
    as an object while Terraform and rule authors address it as a one-element list.
    """
    if isinstance(value, str):
        if "${" not in value and "%{" not in value:
            return value
        if not TEMPLATE.search(value):
            return value  # only $${ / %%{ escapes: a literal string
        for token in TEMPLATE.finditer(value):
            match = REFERENCE.search(token.group(1) or "")
            if match and natural:
                references.setdefault(".".join(natural), match.group(1))
                references.setdefault(".".join(state), match.group(1))
                break
        if templates is not None and natural:
            templates[".".join(natural)] = value
        return UNKNOWN
    if isinstance(value, dict):
        return {
            key: _resolve(
                item,
                (*natural, key),
                (*state, key, "0") if isinstance(item, dict) else (*state, key),
                references,
                templates,
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            _resolve(item, (*natural, str(index)), (*state, str(index)), references, templates)
            for index, item in enumerate(value)
        ]
    return value


def expression_values(expressions: Any) -> dict[str, Any]:
    """Provider ``expressions`` as plain values: constants kept, references UNKNOWN."""
    if not isinstance(expressions, dict):
        return {}
    return {key: _expression_value(value) for key, value in expressions.items()}


def _expression_value(node: Any) -> Any:
    if isinstance(node, list):  # a nested block such as default_tags
        return [_expression_value(item) for item in node]
    if not isinstance(node, dict):
        return UNKNOWN
    if "constant_value" in node:
        return node["constant_value"]
    if "references" in node:
        return UNKNOWN
    return {key: _expression_value(value) for key, value in node.items()}


def expression_references(
    node: Any,
    path: tuple[str, ...],
    references: dict[str, str],
    *,
    module_prefix: str,
    templates: dict[str, str] | None = None,
) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            expression_references(
                item,
                (*path, str(index)),
                references,
                module_prefix=module_prefix,
                templates=templates,
            )
        return
    if not isinstance(node, dict):
        return
    if "references" in node or "constant_value" in node:
        for reference in node.get("references") if isinstance(node.get("references"), list) else []:
            match = REFERENCE.match(reference) if isinstance(reference, str) else None
            if match and path:
                references.setdefault(".".join(path), module_prefix + match.group(1))
                break
        # An expression that is exactly one attribute of one resource ("x.arn" then "x") is
        # kept in the form a CDKTF template would have, so rules can tell .arn from .qualified_arn.
        listed = node.get("references") if isinstance(node.get("references"), list) else []
        if (
            templates is not None
            and path
            and len(listed) == 2
            and all(isinstance(item, str) for item in listed)
            and listed[0].startswith(listed[1] + ".")
            and REFERENCE.fullmatch(listed[1])
        ):
            templates[".".join(path)] = "${" + listed[0] + "}"
        return
    for key, value in node.items():
        expression_references(
            value, (*path, key), references, module_prefix=module_prefix, templates=templates
        )
