"""IAM policy documents AWS rejects when the resource is created (MalformedPolicyDocument), and
the managed policies a role may have attached.

The provider only checks that a ``policy`` argument is JSON; IAM, S3, KMS, SQS and SNS check the
grammar. Documents are read by ``policies.toolkit.documents`` (known JSON, CDKTF templates with
unknown parts, ``aws_iam_policy_document`` data sources); an unknown element is never judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Resource, Severity, Violation, get_path
from policies.registry import rule
from policies.toolkit.documents import (
    IDENTITY_POLICIES,
    RESOURCE_POLICIES,
    TRUST_POLICIES,
    as_list,
    documents_in,
    has_hole,
    parliament_findings,
    statement_label,
    types_of,
)
from policies.toolkit.findings import violation
from policies.toolkit.links import linked_resource
from policies.toolkit.values import text, will_exist


@rule(
    id="AT200",
    service="iam",
    failure_class="policy-document",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/10419",
    title="IAM identity policy names a Principal",
    severity=Severity.ERROR,
    resource_types=types_of(IDENTITY_POLICIES),
)
def principal_in_identity_policy(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents_in(document, IDENTITY_POLICIES):
        for index, statement in enumerate(parsed.statements()):
            element = next((e for e in ("Principal", "NotPrincipal") if e in statement), None)
            if element is not None:
                yield violation(
                    resource,
                    f"{statement_label(path, index, statement)} has {element}; an identity policy "
                    "applies to whoever it is attached to, and IAM rejects it "
                    "(MalformedPolicyDocument: Policy document should not specify a "
                    f"principal); remove {element}, or put the statement in the trust or "
                    "resource policy that needs it",
                )


# parliament's MALFORMED details -> the words IAM / S3 / KMS answer with.
_MALFORMED = {
    "Statement contains neither Resource nor NotResource": (
        "has no Resource",
        "Policy statement must contain resources",
    ),
    "Statement contains neither Action nor NotAction": (
        "has no Action",
        "Policy statement must contain actions",
    ),
    "Statement does not contain an Effect element": (
        "has no Effect",
        "Missing required field Effect",
    ),
    "Unknown Effect used. Effect must be either Allow or Deny": (
        'has an Effect other than "Allow" or "Deny" (case matters)',
        "Invalid effect",
    ),
    "Statement contains an unknown element": (
        "has an element IAM does not know (element names are case-sensitive: Action, "
        "Resource, Effect, Principal, Condition, Sid and their Not forms)",
        "Syntax errors in policy",
    ),
    "Statement contains both Principal and NotPrincipal": (
        "has both Principal and NotPrincipal",
        "Syntax errors in policy",
    ),
    "Statement contains both Action and NotAction": (
        "has both Action and NotAction",
        "Syntax errors in policy",
    ),
    "Statement contains both Resource and NotResource": (
        "has both Resource and NotResource",
        "Syntax errors in policy",
    ),
}
_TOP_LEVEL = {"Version", "Id", "Statement"}


_ELEMENTS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)


def _looks_well_formed(statement: Mapping[str, Any]) -> bool:
    """The grammar parliament checks, as a quick test that passes every valid statement."""
    return (
        set(statement) <= _ELEMENTS
        and statement.get("Effect") in ("Allow", "Deny")
        and ("Action" in statement) != ("NotAction" in statement)
        and ("Resource" in statement) != ("NotResource" in statement)
        and not ("Principal" in statement and "NotPrincipal" in statement)
    )


def _malformed(statement: Mapping[str, Any], *, trust: bool) -> tuple[str, str] | None:
    if trust:
        # A trust policy has no Resource (AT203 reports one); give parliament a placeholder so
        # it checks the rest of the grammar.
        statement = {**statement, "Resource": "*"}
        statement.pop("NotResource", None)
    if has_hole(statement.get("Effect")):
        statement = {**statement, "Effect": "Allow"}  # an unknown Effect is not judged
    if _looks_well_formed(statement):
        return None  # parliament would agree; not importing it keeps the CLI fast
    for issue, detail in parliament_findings(statement):
        if issue == "MALFORMED" and detail in _MALFORMED:
            return _MALFORMED[detail]
    return None


@rule(
    id="AT201",
    service="iam",
    failure_class="policy-document",
    source="https://github.com/hashicorp/terraform/issues/9002",
    title="Policy document statement lacks Effect, Action or Resource, or has an unknown element",
    severity=Severity.ERROR,
    resource_types=types_of(IDENTITY_POLICIES, TRUST_POLICIES, RESOURCE_POLICIES),
)
def malformed_statement(document: Document) -> Iterator[Violation]:
    for table, trust in (
        (IDENTITY_POLICIES, False),
        (TRUST_POLICIES, True),
        (RESOURCE_POLICIES, False),
    ):
        for resource, path, parsed in documents_in(document, table):
            unknown_top = sorted(k for k in parsed.body if k not in _TOP_LEVEL and not has_hole(k))
            if unknown_top:
                yield violation(
                    resource,
                    f"{path} has top-level element(s) {', '.join(unknown_top)}; only Version, "
                    "Id and Statement are allowed (case-sensitive), and AWS rejects the "
                    "document (MalformedPolicyDocument: Syntax errors in policy)",
                )
                continue
            if "Statement" not in parsed.body:
                yield violation(
                    resource,
                    f"{path} has no Statement element; AWS rejects the document "
                    "(MalformedPolicyDocument: Syntax errors in policy)",
                )
                continue
            for index, statement in enumerate(parsed.statements()):
                found = _malformed(statement, trust=trust)
                if found is not None:
                    problem, error = found
                    yield violation(
                        resource,
                        f"{statement_label(path, index, statement)} {problem}; AWS rejects the "
                        f"document (MalformedPolicyDocument: {error})",
                    )


_SID = re.compile(r"[0-9A-Za-z]*")
IAM_DOCUMENTS = {**IDENTITY_POLICIES}
IAM_DOCUMENTS["aws_iam_role"] = ("assume_role_policy", "inline_policy.*.policy")


@rule(
    id="AT202",
    service="iam",
    failure_class="policy-document",
    source="https://github.com/aws-cloudformation/cfn-lint/issues/708",
    title="IAM policy statement ID is not alphanumeric or not unique",
    severity=Severity.ERROR,
    resource_types=types_of(IAM_DOCUMENTS),
)
def iam_statement_ids(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents_in(document, IAM_DOCUMENTS):
        if parsed.source.startswith("data."):
            continue  # the provider validates aws_iam_policy_document sids itself (5.82+)
        seen: set[str] = set()
        for index, statement in enumerate(parsed.statements()):
            sid = statement.get("Sid")
            if not isinstance(sid, str) or has_hole(sid):
                continue
            if not _SID.fullmatch(sid):
                yield violation(
                    resource,
                    f'{statement_label(path, index, statement)}: Sid "{sid}" has characters other '
                    "than A-Z, a-z and 0-9; IAM rejects it (MalformedPolicyDocument: Statement "
                    "IDs (SID) must be alpha-numeric); drop the spaces, dashes and underscores",
                )
            elif sid and sid in seen:
                yield violation(
                    resource,
                    f'{statement_label(path, index, statement)}: Sid "{sid}" is used twice; IAM '
                    "rejects it (MalformedPolicyDocument: Statement IDs (SID) in a single "
                    "policy must be unique)",
                )
            seen.add(sid)


@rule(
    id="AT203",
    service="iam",
    failure_class="policy-document",
    source="https://github.com/kubernetes-sigs/external-dns/issues/3085",
    title="IAM role trust policy names a Resource",
    severity=Severity.ERROR,
    resource_types=("aws_iam_role",),
)
def resource_in_trust_policy(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents_in(document, TRUST_POLICIES):
        for index, statement in enumerate(parsed.statements()):
            element = next((e for e in ("Resource", "NotResource") if e in statement), None)
            if element is not None:
                yield violation(
                    resource,
                    f"{statement_label(path, index, statement)} has {element}; a trust policy's "
                    "resource is the role itself, and IAM rejects it (MalformedPolicyDocument: "
                    f"Has prohibited field {element}); remove {element} (permissions belong in "
                    "a role policy)",
                )


# STS actions a trust policy may allow.
_TRUST_ACTION = re.compile(r"^(sts:.*|\*)$", re.IGNORECASE)


@rule(
    id="AT204",
    service="iam",
    failure_class="policy-document",
    source="https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_roles.html",
    title="IAM role trust policy without a Principal or with non-STS actions",
    severity=Severity.ERROR,
    resource_types=("aws_iam_role",),
)
def trust_policy_principal_and_actions(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents_in(document, TRUST_POLICIES):
        for index, statement in enumerate(parsed.statements()):
            where = statement_label(path, index, statement)
            if "Principal" not in statement and "NotPrincipal" not in statement:
                yield violation(
                    resource,
                    f"{where} has no Principal; a trust policy says who may assume the role, "
                    "and IAM rejects it (MalformedPolicyDocument: Missing required field "
                    "Principal)",
                )
            actions = statement.get("Action")
            if actions is UNKNOWN or has_hole(actions):
                continue
            wrong = [
                a for a in as_list(actions) if isinstance(a, str) and not _TRUST_ACTION.match(a)
            ]
            if wrong:
                yield violation(
                    resource,
                    f"{where} allows {', '.join(wrong)}; a trust policy only governs assuming "
                    "the role, and IAM answers other actions with MalformedPolicyDocument; "
                    "grant those permissions in a role policy and keep sts:AssumeRole* here",
                    Severity.WARNING,
                )


# IAM character quotas, counted without whitespace:
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
MANAGED_POLICY_LIMIT = 6144
ROLE_INLINE_LIMIT = 10240
TRUST_POLICY_DEFAULT_LIMIT = 2048  # ACLSizePerRole, raisable to 4096 by a quota request
SIZE_CHECKED = {
    "aws_iam_policy": ("policy",),
    "aws_iam_role": ("assume_role_policy", "inline_policy.*.policy"),
    "aws_iam_role_policy": ("policy",),
}


@rule(
    id="AT208",
    service="iam",
    failure_class="policy-document",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/45533",
    title="IAM policy document larger than IAM's size quota",
    severity=Severity.ERROR,
    resource_types=types_of(SIZE_CHECKED),
)
def policy_size(document: Document) -> Iterator[Violation]:
    # Role -> (a resource to report on, total of inline_policy blocks, total of role policies).
    # A plan repeats aws_iam_role_policy documents in the role's computed inline_policy, so the
    # two totals are not added: the larger one is a lower bound either way.
    role_inline: dict[str, list[Any]] = {}
    for resource, path, parsed in documents_in(document, SIZE_CHECKED):
        size = parsed.known_length
        if size is None:
            continue
        if resource.type == "aws_iam_policy" and size > MANAGED_POLICY_LIMIT:
            yield violation(
                resource,
                f"{path} is at least {size} characters without whitespace; a managed policy "
                f"may have {MANAGED_POLICY_LIMIT}, and IAM rejects it (LimitExceeded: Cannot "
                f"exceed quota for PolicySize: {MANAGED_POLICY_LIMIT}); split it into several "
                "policies",
            )
        elif path == "assume_role_policy" and size > TRUST_POLICY_DEFAULT_LIMIT:
            yield violation(
                resource,
                f"{path} is at least {size} characters without whitespace; the default quota "
                f"is {TRUST_POLICY_DEFAULT_LIMIT} (LimitExceeded: Cannot exceed quota for "
                f"ACLSizePerRole: {TRUST_POLICY_DEFAULT_LIMIT}) unless the account raised it "
                "(at most 4096)",
                Severity.WARNING,
            )
        elif resource.type == "aws_iam_role_policy" or path.startswith("inline_policy"):
            role = _role_key(document, resource)
            if role is None:
                continue
            entry = role_inline.setdefault(role, [resource, 0, 0])
            entry[1 if path.startswith("inline_policy") else 2] += size
    for role, (resource, blocks_total, policies_total) in role_inline.items():
        total = max(blocks_total, policies_total)
        if total > ROLE_INLINE_LIMIT:
            yield violation(
                resource,
                f"the inline policies of {role} add up to at least {total} characters without "
                f"whitespace; a role's inline policies may have {ROLE_INLINE_LIMIT} in total, "
                "and IAM rejects the last one (LimitExceeded: Maximum policy size of "
                f"{ROLE_INLINE_LIMIT} bytes exceeded for role); move statements into managed "
                "policies",
            )


def _role_key(document: Document, resource: Resource) -> str | None:
    if resource.type == "aws_iam_role":
        return resource.address
    role = linked_resource(
        document, resource, path="role", target_types=("aws_iam_role",), name_attribute="name"
    )
    if role is not None:
        return role.address
    return text(resource.values.get("role"))


def _action_problem(action: str) -> str | None:
    if action in ("*", "*:*"):
        return None
    vendor, colon, name = action.partition(":")
    if not colon:
        return "has no service prefix (Actions/Conditions must be prefaced by a vendor)"
    if ":" in name:
        return "has more than one colon (Actions/Condition can contain only one colon)"
    if "*" in vendor or "?" in vendor:
        return "has a wildcard in its service prefix (Action vendors must not contain wildcards)"
    return None


@rule(
    id="AT209",
    title="IAM policy Action or Resource not in the form IAM accepts",
    severity=Severity.ERROR,
    resource_types=types_of(IAM_DOCUMENTS),
    service="iam",
    failure_class="policy-document",
    source="https://github.com/ministryofjustice/modernisation-platform-environments/pull/590",
)
def action_and_resource_format(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents_in(document, IAM_DOCUMENTS):
        trust = path == "assume_role_policy"
        for index, statement in enumerate(parsed.statements()):
            where = statement_label(path, index, statement)
            for element in ("Action", "NotAction"):
                for action in as_list(statement.get(element)):
                    if not isinstance(action, str) or has_hole(action):
                        continue
                    problem = _action_problem(action)
                    if problem is not None:
                        yield violation(
                            resource,
                            f'{where}: {element} "{action}" {problem}; IAM rejects the document '
                            '(MalformedPolicyDocument); write "service:Action", e.g. '
                            '"s3:GetObject"',
                        )
            if trust:
                continue
            for element in ("Resource", "NotResource"):
                for value in as_list(statement.get(element)):
                    if not isinstance(value, str) or has_hole(value):
                        continue
                    if value != "*" and not value.startswith("arn:"):
                        yield violation(
                            resource,
                            f'{where}: {element} "{value}" is not an ARN; IAM rejects the '
                            f"document (MalformedPolicyDocument: Resource {value} must be in ARN "
                            'format or "*"); use the resource\'s ARN (arn:aws:s3:::<bucket>, '
                            "not the bucket name)",
                        )


# -- AT326: managed policies per role -----------------------------------------------------------

ROLE = "aws_iam_role"
ROLE_ATTACHMENT = "aws_iam_role_policy_attachment"
POLICY_ATTACHMENT = "aws_iam_policy_attachment"
# IAM quotas: managed policies attached to a role, 10 by default, adjustable up to 20.
DEFAULT_POLICIES_PER_ROLE = 10
MAX_POLICIES_PER_ROLE = 20


def _attachments_by_role(document: Document) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Policies attached by attachment resources, indexed by role address and by role name.

    One pass over the attachments (not one per role), so large plans stay linear.
    """
    by_address: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    for attachment in document.of_type(ROLE_ATTACHMENT, POLICY_ATTACHMENT):
        if not will_exist(attachment):
            continue
        if attachment.type == ROLE_ATTACHMENT:
            paths = ["role"]
        else:
            roles = attachment.values.get("roles")
            paths = [f"roles.{i}" for i in range(len(roles))] if isinstance(roles, list) else []
        arn = attachment.values.get("policy_arn")
        policy = text(arn) or attachment.reference("policy_arn") or f"@{attachment.address}"
        for path in paths:
            address = attachment.reference(path)
            if address is not None:
                by_address.setdefault(address, []).append(policy)
                continue
            literal = text(get_path(attachment.values, path))
            if literal is not None:
                by_name.setdefault(literal, []).append(policy)
    return by_address, by_name


def _attached_to(
    role: Resource, index: tuple[dict[str, list[str]], dict[str, list[str]]]
) -> set[str] | None:
    """Distinct policies certainly attached to ``role`` (ARNs, or addresses of references)."""
    inline = role.values.get("managed_policy_arns")
    if inline is UNKNOWN:
        return None
    policies: set[str] = set()
    for position, arn in enumerate(inline if isinstance(inline, list) else []):
        key = text(arn) or role.reference(f"managed_policy_arns.{position}") or f"#{position}"
        policies.add(key)
    by_address, by_name = index
    policies.update(by_address.get(role.address, ()))
    role_name = text(role.values.get("name"))
    if role_name is not None:
        policies.update(by_name.get(role_name, ()))
    return policies


@rule(
    id="AT326",
    title="IAM role with more managed policies than IAM's per-role quota",
    severity=Severity.WARNING,
    resource_types=(ROLE, ROLE_ATTACHMENT, POLICY_ATTACHMENT),
    service="iam",
    failure_class="cross-resource",
    source="https://github.com/aws/eks-hybrid/pull/741",
)
def managed_policies_per_role(document: Document) -> Iterator[Violation]:
    index: tuple[dict[str, list[str]], dict[str, list[str]]] | None = None
    for role in document.of_type(ROLE):
        if not will_exist(role):
            continue
        if index is None:
            index = _attachments_by_role(document)
        policies = _attached_to(role, index)
        if policies is None or len(policies) <= DEFAULT_POLICIES_PER_ROLE:
            continue
        count = len(policies)
        hard = count > MAX_POLICIES_PER_ROLE
        yield Violation(
            address=role.address,
            resource=role,
            severity=Severity.ERROR if hard else None,
            message=(
                f"has {count} managed policies attached in this configuration; IAM allows "
                f"{DEFAULT_POLICIES_PER_ROLE} per role by default"
                + (
                    f" and at most {MAX_POLICIES_PER_ROLE} even with a quota increase"
                    if hard
                    else f" ({MAX_POLICIES_PER_ROLE} after a quota increase)"
                )
                + f", and the attachment over the quota fails (LimitExceeded: Cannot exceed "
                f"quota for PoliciesPerRole: {DEFAULT_POLICIES_PER_ROLE}); merge policies into "
                "fewer customer managed policies"
                + ("" if hard else " or confirm the account's raised quota")
            ),
        )
