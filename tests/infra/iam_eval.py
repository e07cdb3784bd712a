"""A small IAM policy evaluator for the tests: who may do what under our policy documents.

No maintained offline evaluator covers identity + resource policies + permissions boundaries
with Principal matching (parliament lints documents, it does not evaluate requests), so this
implements the part of AWS's documented evaluation logic that our documents use:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html

- an explicit Deny in any policy wins;
- otherwise an Allow is needed from the identity policies, or from the resource policy for a
  principal it names (same account);
- a permissions boundary, when given, must also allow (it never grants by itself);
- Principal (``*``, ``AWS`` ARNs and account roots, ``Federated``, ``Service``),
  Action/NotAction, Resource/NotResource and the condition operators listed in OPERATORS.
  Any other operator is an error, never a silent pass. Its own tests: tests/infra/test_iam_eval.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Statement = Mapping[str, Any]
Decision = Literal["allow", "deny", "implicit"]


@dataclass(frozen=True, kw_only=True)
class Request:
    action: str
    resource: str = "*"
    # The caller: a role ARN (arn:aws:iam::<account>:role/<name>), a Federated provider ARN
    # (web identity) or a service principal (ecs-tasks.amazonaws.com).
    principal: str = ""
    principal_type: Literal["AWS", "Federated", "Service"] = "AWS"
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


def wildcard_match(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and arn.startswith("arn:") else None


def principal_matches(principal: Any, request: Request) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        raise AssertionError(f"malformed Principal {principal!r}")
    for kind, values in principal.items():
        if kind != request.principal_type:
            continue
        for value in as_list(values):
            if value in ("*", request.principal):
                return True
            # An account root (arn:aws:iam::123:root or "123") names every principal of it.
            root = re.fullmatch(r"arn:aws:iam::(\d{12}):root|(\d{12})", str(value))
            if kind == "AWS" and root and _account_of(request.principal) in root.groups():
                return True
    return False


def _string_equals(expected: str, actual: str) -> bool:
    return expected == actual


def _string_like(expected: str, actual: str) -> bool:
    return wildcard_match(expected, actual)


def _bool(expected: str, actual: str) -> bool:
    return str(expected).lower() == str(actual).lower()


# operator -> (value test, negated). Negated operators hold when the key is absent
# (AWS: "a condition key that is not present ... evaluates to true" for negated operators).
OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "ArnEquals": (_string_equals, False),
    "ArnLike": (_string_like, False),
    "ArnNotLike": (_string_like, True),
    "Bool": (_bool, False),
}


def condition_holds(condition: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    lowered = {key.lower(): value for key, value in context.items()}  # keys ignore case
    for operator, checks in condition.items():
        if operator not in OPERATORS:
            raise AssertionError(f"evaluator does not know condition operator {operator}")
        test, negated = OPERATORS[operator]
        for key, expected in checks.items():
            actual = lowered.get(key.lower())
            wanted = [str(v) for v in as_list(expected)]
            if actual is None:
                if not negated:
                    return False
                continue
            # A multi-valued request key matches when any of its values does.
            matched = any(test(w, str(a)) for w in wanted for a in as_list(actual))
            if matched == negated:
                return False
    return True


def statement_applies(statement: Statement, request: Request, *, resource_policy: bool) -> bool:
    if resource_policy:
        if "Principal" not in statement:
            raise AssertionError(f"resource policy statement without Principal: {statement}")
        if not principal_matches(statement["Principal"], request):
            return False
    elif "Principal" in statement and not principal_matches(statement["Principal"], request):
        return False
    if "Action" in statement:
        actions = as_list(statement["Action"])
        action_ok = any(wildcard_match(a, request.action, case_sensitive=False) for a in actions)
    else:
        actions = as_list(statement["NotAction"])
        action_ok = not any(
            wildcard_match(a, request.action, case_sensitive=False) for a in actions
        )
    if "Resource" in statement:
        resource_ok = any(
            wildcard_match(r, request.resource) for r in as_list(statement["Resource"])
        )
    elif "NotResource" in statement:
        resource_ok = not any(
            wildcard_match(r, request.resource) for r in as_list(statement["NotResource"])
        )
    else:
        resource_ok = True  # a role trust policy: the resource is the role itself
    return (
        action_ok
        and resource_ok
        and condition_holds(statement.get("Condition", {}), request.context)
    )


def _effects(
    statements: Sequence[Statement], request: Request, *, resource_policy: bool
) -> set[str]:
    return {
        s["Effect"]
        for s in statements
        if statement_applies(s, request, resource_policy=resource_policy)
    }


def evaluate(
    request: Request,
    *,
    identity: Sequence[Statement] = (),
    resource: Sequence[Statement] | None = None,
    boundary: Sequence[Statement] | None = None,
) -> Decision:
    """``deny`` (explicit), ``allow``, or ``implicit`` (nothing allowed it)."""
    identity_effects = _effects(identity, request, resource_policy=False)
    resource_effects = (
        _effects(resource, request, resource_policy=True) if resource is not None else set()
    )
    boundary_effects = (
        _effects(boundary, request, resource_policy=False) if boundary is not None else None
    )
    if "Deny" in identity_effects | resource_effects | (boundary_effects or set()):
        return "deny"
    if boundary_effects is not None and "Allow" not in boundary_effects:
        # The boundary caps identity-based grants; a resource policy naming the role still
        # applies in the same account, which is not a case our documents rely on.
        return "implicit"
    if "Allow" in identity_effects or "Allow" in resource_effects:
        return "allow"
    return "implicit"


def resolve_tokens(value: Any, tokens: Mapping[str, str]) -> Any:
    """Replace Terraform ``${...}`` references by concrete test values, everywhere in ``value``."""
    if isinstance(value, str):
        for token, concrete in tokens.items():
            value = value.replace(token, concrete)
        return value
    if isinstance(value, Mapping):
        return {key: resolve_tokens(item, tokens) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve_tokens(item, tokens) for item in value]
    return value
