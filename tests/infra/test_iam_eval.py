"""The test IAM evaluator itself (tests/infra/iam_eval.py): each rule it implements, and refuses."""

from __future__ import annotations

import pytest

from tests.infra.iam_eval import Request, evaluate, resolve_tokens

ACCOUNT = "123456789012"
OTHER = "999999999999"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
FOREIGN_ROLE = f"arn:aws:iam::{OTHER}:role/app"
BUCKET = "arn:aws:s3:::b"


def allow(**extra):
    return {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*", **extra}


def test_identity_allow_and_implicit_deny() -> None:
    request = Request(action="s3:GetObject", resource=f"{BUCKET}/k", principal=ROLE)
    assert evaluate(request, identity=[allow()]) == "allow"
    assert evaluate(Request(action="s3:PutObject", resource=f"{BUCKET}/k"), identity=[allow()]) == (
        "implicit"
    )
    assert evaluate(request, identity=[]) == "implicit"


def test_action_matching_ignores_case_and_takes_wildcards() -> None:
    request = Request(action="S3:getobject", resource=f"{BUCKET}/k")
    assert evaluate(request, identity=[allow(Action="s3:Get*")]) == "allow"


def test_resource_matching_is_case_sensitive() -> None:
    request = Request(action="s3:GetObject", resource="arn:aws:s3:::B/k")
    assert evaluate(request, identity=[allow()]) == "implicit"


def test_explicit_deny_wins_over_any_allow() -> None:
    deny = {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}
    request = Request(action="s3:GetObject", resource=f"{BUCKET}/k", principal=ROLE)
    assert evaluate(request, identity=[allow(), deny]) == "deny"
    assert evaluate(request, identity=[allow()], boundary=[deny]) == "deny"
    resource_deny = {**deny, "Principal": "*"}
    assert evaluate(request, identity=[allow()], resource=[resource_deny]) == "deny"


def test_not_action_and_not_resource() -> None:
    statement = {"Effect": "Deny", "NotAction": "s3:ListBucket", "NotResource": f"{BUCKET}/own/*"}
    outside = Request(action="s3:GetObject", resource=f"{BUCKET}/other")
    inside = Request(action="s3:GetObject", resource=f"{BUCKET}/own/k")
    listing = Request(action="s3:ListBucket", resource=f"{BUCKET}/other")
    assert evaluate(outside, identity=[statement]) == "deny"
    assert evaluate(inside, identity=[statement]) == "implicit"
    assert evaluate(listing, identity=[statement]) == "implicit"


def test_resource_policy_matches_principal_not_anyone() -> None:
    """The defect of the old evaluator: it ignored Principal, so any account passed."""
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    ours = Request(action="kms:Decrypt", principal=ROLE)
    theirs = Request(action="kms:Decrypt", principal=FOREIGN_ROLE)
    assert evaluate(ours, resource=[statement]) == "allow"
    assert evaluate(theirs, resource=[statement]) == "implicit"
    exact = {**statement, "Principal": {"AWS": [ROLE]}}
    assert evaluate(ours, resource=[exact]) == "allow"
    assert evaluate(Request(action="kms:Decrypt", principal=ROLE + "2"), resource=[exact]) == (
        "implicit"
    )


def test_principal_kinds_do_not_mix() -> None:
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    trust = {
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    federated = Request(
        action="sts:AssumeRoleWithWebIdentity", principal=provider, principal_type="Federated"
    )
    as_role = Request(action="sts:AssumeRoleWithWebIdentity", principal=provider)
    assert evaluate(federated, resource=[trust]) == "allow"
    assert evaluate(as_role, resource=[trust]) == "implicit"
    assert evaluate(federated, resource=[{**trust, "Principal": "*"}]) == "allow"


def test_resource_policy_statement_needs_a_principal() -> None:
    with pytest.raises(AssertionError, match="without Principal"):
        evaluate(Request(action="s3:GetObject"), resource=[allow()])


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        ({"StringEquals": {"k": "v"}}, {"k": "v"}, "allow"),
        ({"StringEquals": {"k": "v"}}, {"k": "V"}, "implicit"),  # values are case-sensitive
        ({"StringEquals": {"K": "v"}}, {"k": "v"}, "allow"),  # keys are not
        ({"StringEquals": {"k": "v"}}, {}, "implicit"),  # missing key: positive operator fails
        ({"StringNotEquals": {"k": "v"}}, {}, "allow"),  # missing key: negated operator holds
        ({"StringNotEquals": {"k": "v"}}, {"k": "v"}, "implicit"),
        ({"StringEquals": {"k": ["a", "b"]}}, {"k": "b"}, "allow"),  # any listed value
        ({"StringLike": {"k": "a*"}}, {"k": "abc"}, "allow"),
        ({"StringNotLike": {"k": "a*"}}, {"k": "abc"}, "implicit"),
        ({"ArnLike": {"k": "arn:aws:iam::*:role/x-*"}}, {"k": ROLE}, "implicit"),
        ({"ArnLike": {"k": "arn:aws:iam::*:role/a*"}}, {"k": ROLE}, "allow"),
        ({"Bool": {"k": "false"}}, {"k": "False"}, "allow"),
        ({"StringEquals": {"a": "1"}, "Bool": {"b": "true"}}, {"a": "1", "b": "false"}, "implicit"),
    ],
)
def test_condition_operators(condition, context, expected) -> None:
    request = Request(action="s3:GetObject", resource=f"{BUCKET}/k", context=context)
    assert evaluate(request, identity=[allow(Condition=condition)]) == expected


def test_an_unknown_operator_is_an_error_not_a_pass() -> None:
    statement = allow(Condition={"NumericLessThan": {"k": "3"}})
    with pytest.raises(AssertionError, match="NumericLessThan"):
        evaluate(Request(action="s3:GetObject", resource=f"{BUCKET}/k"), identity=[statement])


def test_boundary_caps_identity_grants() -> None:
    request = Request(action="iam:CreateRole", resource=ROLE)
    grant = {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}
    boundary = [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]
    assert evaluate(request, identity=[grant]) == "allow"
    assert evaluate(request, identity=[grant], boundary=boundary) == "implicit"
    # A boundary alone grants nothing.
    s3 = Request(action="s3:GetObject", resource=f"{BUCKET}/k")
    assert evaluate(s3, identity=[], boundary=boundary) == "implicit"


def test_resolve_tokens_reaches_nested_values() -> None:
    document = {"Resource": ["${aws_kms_key.k.arn}", {"x": "a-${aws_kms_key.k.arn}"}]}
    assert resolve_tokens(document, {"${aws_kms_key.k.arn}": "K"}) == {
        "Resource": ["K", {"x": "a-K"}]
    }
