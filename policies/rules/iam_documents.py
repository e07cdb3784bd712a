"""IAM and KMS policy documents AWS rejects when the resource is created (MalformedPolicyDocument).

The provider only checks that a ``policy`` argument is JSON; IAM, S3, KMS, SQS and SNS check the
grammar. Documents are read by ``_documents`` (known JSON, CDKTF templates with unknown parts,
``aws_iam_policy_document`` data sources); an element that is unknown is never judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN, Document, Resource, Severity, Violation
from policies.registry import rule
from policies.rules._documents import (
    PolicyDocument,
    action_matches,
    as_list,
    has_hole,
    parliament_findings,
    policy_arguments,
    read_document,
)
from policies.rules._helpers import flag, linked_resource, text

# Where each kind of document lives: resource type -> argument paths.
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


def _types(*tables: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(sorted({t for table in tables for t in table}))


def documents(
    document: Document, table: Mapping[str, tuple[str, ...]]
) -> Iterator[tuple[Resource, str, PolicyDocument]]:
    """(resource, argument path, parsed document) for every readable document in ``table``."""
    for resource in document.of_type(*table):
        for path in policy_arguments(resource, table[resource.type]):
            parsed = read_document(document, resource, path)
            if parsed is not None:
                yield resource, path, parsed


def _where(path: str, index: int, statement: Mapping[str, Any]) -> str:
    sid = statement.get("Sid")
    label = f"Statement[{index}]"
    if isinstance(sid, str) and sid and not has_hole(sid):
        label += f' (Sid "{sid}")'
    return f"{path.replace('.0.', '[0].')} {label}"


def _violation(resource: Resource, message: str, severity: Severity | None = None) -> Violation:
    return Violation(
        address=resource.address, resource=resource, message=message, severity=severity
    )


@rule(
    id="AT200",
    service="iam",
    failure_class="policy-document",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/10419",
    title="IAM identity policy names a Principal",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=_types(IDENTITY_POLICIES),
)
def principal_in_identity_policy(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents(document, IDENTITY_POLICIES):
        for index, statement in enumerate(parsed.statements()):
            element = next((e for e in ("Principal", "NotPrincipal") if e in statement), None)
            if element is not None:
                yield _violation(
                    resource,
                    f"{_where(path, index, statement)} has {element}; an identity policy "
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
    category="apply-time",
    resource_types=_types(IDENTITY_POLICIES, TRUST_POLICIES, RESOURCE_POLICIES),
)
def malformed_statement(document: Document) -> Iterator[Violation]:
    for table, trust in (
        (IDENTITY_POLICIES, False),
        (TRUST_POLICIES, True),
        (RESOURCE_POLICIES, False),
    ):
        for resource, path, parsed in documents(document, table):
            unknown_top = sorted(k for k in parsed.body if k not in _TOP_LEVEL and not has_hole(k))
            if unknown_top:
                yield _violation(
                    resource,
                    f"{path} has top-level element(s) {', '.join(unknown_top)}; only Version, "
                    "Id and Statement are allowed (case-sensitive), and AWS rejects the "
                    "document (MalformedPolicyDocument: Syntax errors in policy)",
                )
                continue
            if "Statement" not in parsed.body:
                yield _violation(
                    resource,
                    f"{path} has no Statement element; AWS rejects the document "
                    "(MalformedPolicyDocument: Syntax errors in policy)",
                )
                continue
            for index, statement in enumerate(parsed.statements()):
                found = _malformed(statement, trust=trust)
                if found is not None:
                    problem, error = found
                    yield _violation(
                        resource,
                        f"{_where(path, index, statement)} {problem}; AWS rejects the "
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
    category="apply-time",
    resource_types=_types(IAM_DOCUMENTS),
)
def iam_statement_ids(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents(document, IAM_DOCUMENTS):
        if parsed.source.startswith("data."):
            continue  # the provider validates aws_iam_policy_document sids itself (5.82+)
        seen: set[str] = set()
        for index, statement in enumerate(parsed.statements()):
            sid = statement.get("Sid")
            if not isinstance(sid, str) or has_hole(sid):
                continue
            if not _SID.fullmatch(sid):
                yield _violation(
                    resource,
                    f'{_where(path, index, statement)}: Sid "{sid}" has characters other '
                    "than A-Z, a-z and 0-9; IAM rejects it (MalformedPolicyDocument: Statement "
                    "IDs (SID) must be alpha-numeric); drop the spaces, dashes and underscores",
                )
            elif sid and sid in seen:
                yield _violation(
                    resource,
                    f'{_where(path, index, statement)}: Sid "{sid}" is used twice; IAM '
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
    category="apply-time",
    resource_types=("aws_iam_role",),
)
def resource_in_trust_policy(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents(document, TRUST_POLICIES):
        for index, statement in enumerate(parsed.statements()):
            element = next((e for e in ("Resource", "NotResource") if e in statement), None)
            if element is not None:
                yield _violation(
                    resource,
                    f"{_where(path, index, statement)} has {element}; a trust policy's "
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
    category="apply-time",
    resource_types=("aws_iam_role",),
)
def trust_policy_principal_and_actions(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents(document, TRUST_POLICIES):
        for index, statement in enumerate(parsed.statements()):
            where = _where(path, index, statement)
            if "Principal" not in statement and "NotPrincipal" not in statement:
                yield _violation(
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
                yield _violation(
                    resource,
                    f"{where} allows {', '.join(wrong)}; a trust policy only governs assuming "
                    "the role, and IAM answers other actions with MalformedPolicyDocument; "
                    "grant those permissions in a role policy and keep sts:AssumeRole* here",
                    Severity.WARNING,
                )


@rule(
    id="AT205",
    service="s3",
    failure_class="policy-document",
    source="https://github.com/cn-terraform/terraform-aws-s3-static-website/issues/38",
    title="Resource-based policy statement without a Principal",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=_types(RESOURCE_POLICIES),
)
def resource_policy_without_principal(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents(document, RESOURCE_POLICIES):
        for index, statement in enumerate(parsed.statements()):
            if "Principal" in statement or "NotPrincipal" in statement:
                continue
            yield _violation(
                resource,
                f"{_where(path, index, statement)} has no Principal; a resource-based policy "
                f"({resource.type}) must say who it applies to, and AWS rejects it "
                "(S3: MalformedPolicy: Missing required field Principal; KMS: "
                "MalformedPolicyDocumentException); add a Principal",
            )


def _principal_values(statement: Mapping[str, Any]) -> list[Any] | None:
    """Every principal string of an Allow statement; None when any part is unknown."""
    principal = statement.get("Principal")
    if principal is UNKNOWN:
        return None
    if isinstance(principal, str):
        return [principal]
    if isinstance(principal, Mapping):
        values: list[Any] = []
        for item in principal.values():
            if item is UNKNOWN:
                return None
            values.extend(as_list(item))
        return values
    return []


def _allows_put_key_policy(statement: Mapping[str, Any]) -> bool | None:
    return action_matches(statement.get("Action"), "kms:putkeypolicy")


@rule(
    id="AT206",
    service="kms",
    failure_class="policy-document",
    source="https://github.com/trussworks/terraform-aws-cloudtrail/issues/178",
    title="KMS key policy lets no one change it again (lockout)",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=_types(KMS_KEY_POLICIES),
)
def key_policy_lockout(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents(document, KMS_KEY_POLICIES):
        bypass = resource.values.get("bypass_policy_lockout_safety_check")
        if bypass is not None and flag(bypass) is not False:
            continue  # the safety check is bypassed on purpose (or cannot tell)
        statements = parsed.statements()
        if parsed.body.get("Statement") is UNKNOWN or not statements:
            continue
        grants: bool | None = False
        for statement in statements:
            effect = statement.get("Effect")
            if effect is UNKNOWN or has_hole(effect):
                grants = None
                break
            if effect != "Allow" or "NotAction" in statement or "NotPrincipal" in statement:
                if "NotAction" in statement and effect == "Allow":
                    grants = None  # NotAction may well include PutKeyPolicy: cannot tell
                    break
                continue
            allowed = _allows_put_key_policy(statement)
            principals = _principal_values(statement)
            if allowed is None or principals is None:
                grants = None
                break
            if allowed and principals:
                grants = True
                break
        if grants is False:
            yield _violation(
                resource,
                f"{path} has no Allow statement granting kms:PutKeyPolicy (kms:* or "
                "kms:PutKeyPolicy) to any principal, so no one could ever change the key "
                "policy again; KMS refuses it (MalformedPolicyDocumentException: The new key "
                "policy will not allow you to update the key policy in the future); keep the "
                'default statement that allows the account root "kms:*"',
            )


_S3_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::(?P<bucket>[^/]+)(?P<object>/.*)?$")


@rule(
    id="AT207",
    service="s3",
    failure_class="policy-document",
    source="https://github.com/ministryofjustice/modernisation-platform/pull/10762",
    title="S3 bucket policy statement whose actions or resources do not fit the bucket",
    severity=Severity.ERROR,
    category="apply-time",
    resource_types=("aws_s3_bucket_policy", "aws_s3_bucket"),
)
def bucket_policy_resources(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents(document, S3_BUCKET_POLICIES):
        bucket = _bucket_name(document, resource)
        for index, statement in enumerate(parsed.statements()):
            where = _where(path, index, statement)
            resources = statement.get("Resource")
            if resources is None or has_hole(resources):
                continue
            arns = [r for r in as_list(resources) if isinstance(r, str)]
            if bucket is not None:
                foreign = [
                    arn
                    for arn in arns
                    if (match := _S3_ARN.match(arn))
                    and "*" not in match["bucket"]
                    and "?" not in match["bucket"]
                    and match["bucket"] != bucket
                ]
                if foreign:
                    yield _violation(
                        resource,
                        f"{where} names {', '.join(foreign)}, outside bucket {bucket}; a "
                        "bucket policy may only name its own bucket and objects, and S3 "
                        "rejects it (MalformedPolicy: Policy has invalid resource)",
                    )
                    continue
            actions = statement.get("Action")
            if actions is None or has_hole(actions) or has_hole(statement.get("Effect")):
                continue
            literal = {
                a for a in as_list(actions) if isinstance(a, str) and "*" not in a and "?" not in a
            }
            if not literal or not all(_S3_ARN.match(a) for a in arns):
                continue
            mismatched = sorted(
                {
                    entry["action"]
                    for issue, detail in parliament_findings(statement)
                    if issue == "RESOURCE_MISMATCH" and isinstance(detail, list)
                    for entry in detail
                    if isinstance(entry, Mapping) and entry.get("action") in literal
                }
            )
            if mismatched:
                yield _violation(
                    resource,
                    f"{where}: {', '.join(mismatched)} apply to none of its resources "
                    f"({', '.join(arns)}); bucket actions need arn:aws:s3:::<bucket>, object "
                    "actions arn:aws:s3:::<bucket>/*, and S3 rejects the policy "
                    "(MalformedPolicy: Action does not apply to any resource(s) in statement)",
                )


def _bucket_name(document: Document, policy: Resource) -> str | None:
    literal = text(policy.values.get("bucket"))
    if literal is not None:
        return literal
    bucket = linked_resource(
        document, policy, path="bucket", target_types=("aws_s3_bucket",), name_attribute="bucket"
    )
    return text(bucket.values.get("bucket")) if bucket is not None else None


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
    category="apply-time",
    resource_types=_types(SIZE_CHECKED),
)
def policy_size(document: Document) -> Iterator[Violation]:
    # Role -> (a resource to report on, total of inline_policy blocks, total of role policies).
    # A plan repeats aws_iam_role_policy documents in the role's computed inline_policy, so the
    # two totals are not added: the larger one is a lower bound either way.
    role_inline: dict[str, list[Any]] = {}
    for resource, path, parsed in documents(document, SIZE_CHECKED):
        size = parsed.known_length
        if size is None:
            continue
        if resource.type == "aws_iam_policy" and size > MANAGED_POLICY_LIMIT:
            yield _violation(
                resource,
                f"{path} is at least {size} characters without whitespace; a managed policy "
                f"may have {MANAGED_POLICY_LIMIT}, and IAM rejects it (LimitExceeded: Cannot "
                f"exceed quota for PolicySize: {MANAGED_POLICY_LIMIT}); split it into several "
                "policies",
            )
        elif path == "assume_role_policy" and size > TRUST_POLICY_DEFAULT_LIMIT:
            yield _violation(
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
            yield _violation(
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
    category="apply-time",
    resource_types=_types(IAM_DOCUMENTS),
    service="iam",
    failure_class="policy-document",
    source="https://github.com/ministryofjustice/modernisation-platform-environments/pull/590",
)
def action_and_resource_format(document: Document) -> Iterator[Violation]:
    for resource, path, parsed in documents(document, IAM_DOCUMENTS):
        trust = path == "assume_role_policy"
        for index, statement in enumerate(parsed.statements()):
            where = _where(path, index, statement)
            for element in ("Action", "NotAction"):
                for action in as_list(statement.get(element)):
                    if not isinstance(action, str) or has_hole(action):
                        continue
                    problem = _action_problem(action)
                    if problem is not None:
                        yield _violation(
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
                        yield _violation(
                            resource,
                            f'{where}: {element} "{value}" is not an ARN; IAM rejects the '
                            f"document (MalformedPolicyDocument: Resource {value} must be in ARN "
                            'format or "*"); use the resource\'s ARN (arn:aws:s3:::<bucket>, '
                            "not the bucket name)",
                        )
