"""The bootstrap stack, asserted on its synthesized Terraform JSON (the shared session synth).

IAM and bucket policies are checked by evaluating them against concrete requests (a small
subset of IAM's evaluation logic below), so a test states what a role can or cannot do rather
than which JSON shape produces that.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.config import ENVIRONMENTS, PROJECT, load_settings
from tests.fixture_paths import REPO_ROOT
from tests.infra.synth_json import policy_statements, stack_name

STACK = "catalog-api-bootstrap"
SETTINGS = load_settings({})  # what the shared fixture synthesizes
REPOSITORY = SETTINGS.github_repository
BUCKET = SETTINGS.state.bucket
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
ACCOUNT = "123456789012"
OIDC = "token.actions.githubusercontent.com"
ENV_NAMES = [env.name for env in SETTINGS.environments]


# --- reading the synthesized stack ----------------------------------------------------------


@pytest.fixture(scope="module")
def stack(synthesized_stacks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return synthesized_stacks[STACK]


def resources(stack: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return stack.get("resource", {}).get(type_, {})


def only(stack: dict[str, Any], type_: str) -> tuple[str, dict[str, Any]]:
    found = resources(stack, type_)
    assert len(found) == 1, f"expected one {type_}, found {sorted(found)}"
    return next(iter(found.items()))


def ref(type_: str, name: str, attribute: str) -> str:
    return "${" + f"{type_}.{name}.{attribute}" + "}"


def role(stack: dict[str, Any], role_name: str) -> tuple[str, dict[str, Any]]:
    matches = [
        (k, v) for k, v in resources(stack, "aws_iam_role").items() if v["name"] == role_name
    ]
    assert len(matches) == 1, f"expected one role named {role_name}"
    return matches[0]


def inline_statements(stack: dict[str, Any], role_name: str) -> list[dict[str, Any]]:
    key, _ = role(stack, role_name)
    role_id = ref("aws_iam_role", key, "id")
    policies = [p for p in resources(stack, "aws_iam_role_policy").values() if p["role"] == role_id]
    assert policies, f"{role_name} has no inline policy"
    return [s for p in policies for s in policy_statements(p["policy"])]


def managed_policy_arns(stack: dict[str, Any], role_name: str) -> set[str]:
    key, _ = role(stack, role_name)
    role_ref = ref("aws_iam_role", key, "name")
    return {
        a["policy_arn"]
        for a in resources(stack, "aws_iam_role_policy_attachment").values()
        if a["role"] == role_ref
    }


def trust_statement(stack: dict[str, Any], role_name: str) -> dict[str, Any]:
    _, values = role(stack, role_name)
    statements = policy_statements(values["assume_role_policy"])
    assert len(statements) == 1
    return statements[0]


# --- a small IAM evaluator: enough for the operators these policies use -----------------------


def wildcard_match(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def condition_holds(condition: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, checks in condition.items():
        for key, expected in checks.items():
            actual = context.get(key)
            wanted = [str(v) for v in as_list(expected)]
            if operator in ("StringEquals", "Bool"):
                ok = actual is not None and actual in wanted
            elif operator in ("StringLike", "ArnLike"):
                ok = actual is not None and any(wildcard_match(w, actual) for w in wanted)
            elif operator == "StringNotLike":
                ok = actual is None or not any(wildcard_match(w, actual) for w in wanted)
            else:
                raise AssertionError(f"evaluator does not know condition operator {operator}")
            if not ok:
                return False
    return True


def statement_applies(
    statement: dict[str, Any], *, action: str, resource: str, context: dict[str, str]
) -> bool:
    if "Action" in statement:
        action_ok = any(
            wildcard_match(a, action, case_sensitive=False) for a in as_list(statement["Action"])
        )
    else:
        action_ok = not any(
            wildcard_match(a, action, case_sensitive=False) for a in as_list(statement["NotAction"])
        )
    if "Resource" in statement:
        resource_ok = any(wildcard_match(r, resource) for r in as_list(statement["Resource"]))
    elif "NotResource" not in statement:
        resource_ok = True  # a role trust policy: the resource is the role itself
    else:
        resource_ok = not any(
            wildcard_match(r, resource) for r in as_list(statement["NotResource"])
        )
    return action_ok and resource_ok and condition_holds(statement.get("Condition", {}), context)


def decision(
    statements: list[dict[str, Any]],
    *,
    action: str,
    resource: str,
    context: dict[str, str] | None = None,
) -> str:
    """ "deny" (explicit), "allow", or "implicit" (nothing matched)."""
    matching = [
        s
        for s in statements
        if statement_applies(s, action=action, resource=resource, context=context or {})
    ]
    if any(s["Effect"] == "Deny" for s in matching):
        return "deny"
    return "allow" if matching else "implicit"


def role_arn(role_name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{role_name}"


def state_arn(env: str) -> str:
    return f"{BUCKET_ARN}/{ENVIRONMENTS[env].state_key}"


def all_ci_roles() -> Iterator[tuple[str, str]]:
    for env in SETTINGS.environments:
        yield env.name, env.plan_role_name
        yield env.name, env.apply_role_name


# --- backend, provider, version -------------------------------------------------------------


def test_state_is_local_until_migrated(stack: dict[str, Any]) -> None:
    assert stack["terraform"]["backend"] == {"local": {"path": "terraform.tfstate"}}
    assert stack["terraform"]["required_version"] == ">= 1.10"


def test_provider_targets_the_state_region_with_bootstrap_tags(stack: dict[str, Any]) -> None:
    (provider,) = stack["provider"]["aws"]
    assert provider["region"] == SETTINGS.state.region
    assert provider["default_tags"][0]["tags"] == {
        "Project": PROJECT,
        "Environment": "bootstrap",
        "ManagedBy": "cdktf",
        "Owner": "platform-team",
    }


def test_outputs_give_the_administrator_every_arn_the_workflows_need(
    stack: dict[str, Any],
) -> None:
    expected = {"account_id", "state_bucket", "state_kms_key_arn", "github_oidc_provider_arn"}
    expected |= {f"{kind}_role_arn_{env}" for env in ENV_NAMES for kind in ("plan", "apply")}
    assert set(stack["output"]) == expected
    key_name, _ = only(stack, "aws_kms_key")
    assert stack["output"]["state_kms_key_arn"]["value"] == ref("aws_kms_key", key_name, "arn")


# --- GitHub OIDC provider and trust policies --------------------------------------------------


def test_github_oidc_provider(stack: dict[str, Any]) -> None:
    _, provider = only(stack, "aws_iam_openid_connect_provider")
    assert provider["url"] == f"https://{OIDC}"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]
    # IAM validates GitHub against its trusted CAs; a pinned thumbprint only breaks on rotation.
    assert "thumbprint_list" not in provider


@pytest.mark.parametrize("env", ENV_NAMES)
@pytest.mark.parametrize("kind", ["plan", "apply"])
def test_trust_policy_requires_sts_audience_and_federates_github(
    stack: dict[str, Any], env: str, kind: str
) -> None:
    config = ENVIRONMENTS[env]
    name = config.plan_role_name if kind == "plan" else config.apply_role_name
    statement = trust_statement(stack, name)
    provider_name, _ = only(stack, "aws_iam_openid_connect_provider")
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {
        "Federated": ref("aws_iam_openid_connect_provider", provider_name, "arn")
    }
    assert statement["Condition"]["StringEquals"][f"{OIDC}:aud"] == "sts.amazonaws.com"


def github_token(sub: str, aud: str = "sts.amazonaws.com") -> dict[str, str]:
    return {f"{OIDC}:sub": sub, f"{OIDC}:aud": aud}


def may_assume(stack: dict[str, Any], role_name: str, token: dict[str, str]) -> bool:
    statement = trust_statement(stack, role_name)
    return (
        decision(
            [statement],
            action="sts:AssumeRoleWithWebIdentity",
            resource=role_arn(role_name),
            context=token,
        )
        == "allow"
    )


@pytest.mark.parametrize("env", ENV_NAMES)
def test_apply_role_is_pinned_to_its_github_environment(stack: dict[str, Any], env: str) -> None:
    name = ENVIRONMENTS[env].apply_role_name
    condition = trust_statement(stack, name)["Condition"]
    # Exact match, no wildcard operator anywhere in the trust policy.
    assert condition == {
        "StringEquals": {
            f"{OIDC}:aud": "sts.amazonaws.com",
            f"{OIDC}:sub": [f"repo:{REPOSITORY}:environment:{env}"],
        }
    }
    assert may_assume(stack, name, github_token(f"repo:{REPOSITORY}:environment:{env}"))
    refused = [
        f"repo:{REPOSITORY}:pull_request",
        f"repo:{REPOSITORY}:ref:refs/heads/main",
        f"repo:{REPOSITORY}:ref:refs/heads/feature",
        f"repo:{REPOSITORY}:environment:{env}-copy",
        f"repo:{REPOSITORY}-fork:environment:{env}",
        f"repo:other-org/catalog-api-infra:environment:{env}",
        *(f"repo:{REPOSITORY}:environment:{other}" for other in ENV_NAMES if other != env),
    ]
    for sub in refused:
        assert not may_assume(stack, name, github_token(sub)), sub
    wrong_audience = github_token(f"repo:{REPOSITORY}:environment:{env}", aud="sigstore")
    assert not may_assume(stack, name, wrong_audience)


@pytest.mark.parametrize("env", ENV_NAMES)
def test_plan_role_serves_pull_requests_and_drift_on_main_only(
    stack: dict[str, Any], env: str
) -> None:
    name = ENVIRONMENTS[env].plan_role_name
    condition = trust_statement(stack, name)["Condition"]
    assert condition["StringLike"] == {
        f"{OIDC}:sub": [
            f"repo:{REPOSITORY}:pull_request",
            f"repo:{REPOSITORY}:ref:refs/heads/main",
        ]
    }
    assert may_assume(stack, name, github_token(f"repo:{REPOSITORY}:pull_request"))
    assert may_assume(stack, name, github_token(f"repo:{REPOSITORY}:ref:refs/heads/main"))
    refused = [
        # The plan role must never be what a deploy job (environment form) receives.
        *(f"repo:{REPOSITORY}:environment:{e}" for e in ENV_NAMES),
        f"repo:{REPOSITORY}:ref:refs/heads/feature",
        f"repo:{REPOSITORY}:ref:refs/tags/v1.0.0",
        "repo:other-org/catalog-api-infra:pull_request",
    ]
    for sub in refused:
        assert not may_assume(stack, name, github_token(sub)), sub
    assert not may_assume(stack, name, github_token(f"repo:{REPOSITORY}:pull_request", aud="x"))


def test_synthesized_trust_policies_name_the_configured_repository() -> None:
    """CATALOG_GITHUB_REPOSITORY reaches every role's trust (the shared synth uses the default)."""
    from cdktf import Testing

    from infra.stacks.bootstrap import BootstrapStack

    settings = load_settings(
        {"CATALOG_GITHUB_REPOSITORY": "acme/platform-infra", "CATALOG_ENVIRONMENTS": "prod"}
    )
    synthesized = json.loads(Testing.synth(BootstrapStack(Testing.app(), STACK, settings=settings)))
    prod = ENVIRONMENTS["prod"]

    assert trust_statement(synthesized, prod.apply_role_name)["Condition"]["StringEquals"][
        f"{OIDC}:sub"
    ] == ["repo:acme/platform-infra:environment:prod"]
    assert trust_statement(synthesized, prod.plan_role_name)["Condition"]["StringLike"][
        f"{OIDC}:sub"
    ] == ["repo:acme/platform-infra:pull_request", "repo:acme/platform-infra:ref:refs/heads/main"]
    assert REPOSITORY not in json.dumps(synthesized)
    # Only the selected environment gets roles.
    assert {r["name"] for r in resources(synthesized, "aws_iam_role").values()} == {
        prod.plan_role_name,
        prod.apply_role_name,
    }


def test_trust_policies_follow_the_configured_repository() -> None:
    from infra.components.github_oidc import (
        environment_subject,
        plan_subjects,
        web_identity_trust_statements,
    )

    settings = load_settings({"CATALOG_GITHUB_REPOSITORY": "acme/platform-infra"})
    (statement,) = web_identity_trust_statements(
        provider_arn="arn:aws:iam::123456789012:oidc-provider/" + OIDC,
        subject_operator="StringEquals",
        subjects=(environment_subject(repository=settings.github_repository, environment="dev"),),
    )
    assert statement["Condition"]["StringEquals"][f"{OIDC}:sub"] == [
        "repo:acme/platform-infra:environment:dev"
    ]
    assert plan_subjects(repository=settings.github_repository) == (
        "repo:acme/platform-infra:pull_request",
        "repo:acme/platform-infra:ref:refs/heads/main",
    )


# --- the state bucket ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bucket_ref(stack: dict[str, Any]) -> str:
    name, bucket = only(stack, "aws_s3_bucket")
    assert bucket["bucket"] == BUCKET
    return ref("aws_s3_bucket", name, "id")


def test_bucket_and_key_refuse_destroy(stack: dict[str, Any]) -> None:
    _, bucket = only(stack, "aws_s3_bucket")
    _, key = only(stack, "aws_kms_key")
    assert bucket["lifecycle"] == {"prevent_destroy": True}
    assert key["lifecycle"] == {"prevent_destroy": True}
    assert not bucket.get("force_destroy", False)


def test_bucket_versioning_is_enabled(stack: dict[str, Any], bucket_ref: str) -> None:
    _, versioning = only(stack, "aws_s3_bucket_versioning")
    assert versioning["bucket"] == bucket_ref
    assert versioning["versioning_configuration"] == {"status": "Enabled"}


def test_bucket_default_encryption_uses_the_rotated_state_key(
    stack: dict[str, Any], bucket_ref: str
) -> None:
    key_name, key = only(stack, "aws_kms_key")
    _, encryption = only(stack, "aws_s3_bucket_server_side_encryption_configuration")
    assert encryption["bucket"] == bucket_ref
    (rule,) = encryption["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": ref("aws_kms_key", key_name, "arn"),
    }
    assert rule["bucket_key_enabled"] is True
    assert key["enable_key_rotation"] is True
    assert 7 <= key["deletion_window_in_days"] <= 30


def test_bucket_blocks_all_public_access_and_disables_acls(
    stack: dict[str, Any], bucket_ref: str
) -> None:
    _, block = only(stack, "aws_s3_bucket_public_access_block")
    assert block == {
        "bucket": bucket_ref,
        "block_public_acls": True,
        "block_public_policy": True,
        "ignore_public_acls": True,
        "restrict_public_buckets": True,
    }
    _, ownership = only(stack, "aws_s3_bucket_ownership_controls")
    assert ownership["bucket"] == bucket_ref
    assert ownership["rule"] == {"object_ownership": "BucketOwnerEnforced"}


def test_lifecycle_rule_has_a_filter_and_expires_noncurrent_state_after_90_days(
    stack: dict[str, Any], bucket_ref: str
) -> None:
    _, lifecycle = only(stack, "aws_s3_bucket_lifecycle_configuration")
    assert lifecycle["bucket"] == bucket_ref
    (rule,) = lifecycle["rule"]
    assert rule["status"] == "Enabled"
    assert rule["filter"] == [{"prefix": ""}]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 90}]
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    # Versioning must exist before a noncurrent-version rule can be applied.
    versioning_name, _ = only(stack, "aws_s3_bucket_versioning")
    assert f"aws_s3_bucket_versioning.{versioning_name}" in lifecycle["depends_on"]


@pytest.fixture(scope="module")
def bucket_policy(stack: dict[str, Any], bucket_ref: str) -> list[dict[str, Any]]:
    _, policy = only(stack, "aws_s3_bucket_policy")
    assert policy["bucket"] == bucket_ref
    return policy_statements(policy["policy"])


@pytest.mark.parametrize("resource", [BUCKET_ARN, f"{BUCKET_ARN}/catalog-api/dev/x"])
def test_bucket_policy_denies_requests_without_tls(
    bucket_policy: list[dict[str, Any]], resource: str
) -> None:
    admin = {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/Administrator"}
    insecure = admin | {"aws:SecureTransport": "false"}
    secure = admin | {"aws:SecureTransport": "true"}
    for action in ("s3:GetObject", "s3:PutObject", "s3:ListBucket"):
        assert decision(bucket_policy, action=action, resource=resource, context=insecure) == (
            "deny"
        )
        assert decision(bucket_policy, action=action, resource=resource, context=secure) != ("deny")


@pytest.mark.parametrize(("env", "role_name"), list(all_ci_roles()))
def test_bucket_policy_confines_each_ci_role_to_its_state_prefix(
    bucket_policy: list[dict[str, Any]], env: str, role_name: str
) -> None:
    """Holds even though ReadOnlyAccess / PowerUserAccess allow s3:* on every bucket."""
    context = {"aws:PrincipalArn": role_arn(role_name), "aws:SecureTransport": "true"}
    own = state_arn(env)
    for action in ("s3:GetObject", "s3:PutObject"):
        assert decision(bucket_policy, action=action, resource=own, context=context) != "deny"
    assert decision(
        bucket_policy, action="s3:ListBucket", resource=BUCKET_ARN, context=context
    ) != ("deny")
    foreign = [state_arn(other) for other in ENVIRONMENTS if other != env]
    foreign.append(f"{BUCKET_ARN}/{PROJECT}/bootstrap/terraform.tfstate")
    for resource in foreign:
        for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion"):
            assert decision(bucket_policy, action=action, resource=resource, context=context) == (
                "deny"
            ), (action, resource)
    for action in ("s3:PutBucketPolicy", "s3:DeleteBucket", "s3:PutLifecycleConfiguration"):
        assert decision(bucket_policy, action=action, resource=BUCKET_ARN, context=context) == (
            "deny"
        )


def test_bucket_policy_leaves_the_administrator_in_control(
    bucket_policy: list[dict[str, Any]],
) -> None:
    context = {
        "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/Administrator",
        "aws:SecureTransport": "true",
    }
    for action, resource in [
        ("s3:PutBucketPolicy", BUCKET_ARN),
        ("s3:GetObject", f"{BUCKET_ARN}/{PROJECT}/bootstrap/terraform.tfstate"),
        ("s3:PutObject", state_arn("prod")),
    ]:
        assert decision(bucket_policy, action=action, resource=resource, context=context) != (
            "deny"
        )


@pytest.mark.parametrize(("env", "role_name"), list(all_ci_roles()))
def test_key_policy_lets_ci_roles_use_but_never_administer_the_state_key(
    stack: dict[str, Any], env: str, role_name: str
) -> None:
    del env
    _, key = only(stack, "aws_kms_key")
    statements = policy_statements(key["policy"])
    context = {"aws:PrincipalArn": role_arn(role_name)}
    for action in ("kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"):
        assert decision(statements, action=action, resource="*", context=context) == "allow"
    for action in ("kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey"):
        assert decision(statements, action=action, resource="*", context=context) == "deny"
    admin = {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/Administrator"}
    assert decision(statements, action="kms:PutKeyPolicy", resource="*", context=admin) == ("allow")


# --- role permissions, scoped to one environment's state ------------------------------------


@pytest.mark.parametrize("env", ENV_NAMES)
def test_plan_role_reads_its_state_and_takes_its_lock_only(stack: dict[str, Any], env: str) -> None:
    statements = inline_statements(stack, ENVIRONMENTS[env].plan_role_name)
    own, lock = state_arn(env), state_arn(env) + ".tflock"
    assert decision(statements, action="s3:GetObject", resource=own) == "allow"
    assert decision(statements, action="s3:PutObject", resource=own) == "implicit"
    for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
        assert decision(statements, action=action, resource=lock) == "allow"
    listing = {"s3:prefix": f"{PROJECT}/{env}/terraform.tfstate"}
    assert decision(statements, action="s3:ListBucket", resource=BUCKET_ARN, context=listing) == (
        "allow"
    )
    assert managed_policy_arns(stack, ENVIRONMENTS[env].plan_role_name) == {
        "arn:aws:iam::aws:policy/ReadOnlyAccess"
    }


@pytest.mark.parametrize("env", ENV_NAMES)
def test_apply_role_reads_and_writes_its_state_only(stack: dict[str, Any], env: str) -> None:
    statements = inline_statements(stack, ENVIRONMENTS[env].apply_role_name)
    own, lock = state_arn(env), state_arn(env) + ".tflock"
    for action in ("s3:GetObject", "s3:PutObject"):
        assert decision(statements, action=action, resource=own) == "allow"
    # Terraform never deletes a state object; only the lock file is deleted on unlock.
    assert decision(statements, action="s3:DeleteObject", resource=own) == "implicit"
    assert decision(statements, action="s3:DeleteObject", resource=lock) == "allow"
    assert managed_policy_arns(stack, ENVIRONMENTS[env].apply_role_name) == {
        "arn:aws:iam::aws:policy/PowerUserAccess"
    }


@pytest.mark.parametrize("env", ENV_NAMES)
@pytest.mark.parametrize("kind", ["plan", "apply"])
def test_roles_cannot_touch_another_environments_state(
    stack: dict[str, Any], env: str, kind: str
) -> None:
    config = ENVIRONMENTS[env]
    statements = inline_statements(
        stack, config.plan_role_name if kind == "plan" else config.apply_role_name
    )
    for other in ENVIRONMENTS:
        if other == env:
            continue
        for resource in (state_arn(other), state_arn(other) + ".tflock"):
            for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
                assert decision(statements, action=action, resource=resource) == "implicit"
        listing = {"s3:prefix": f"{PROJECT}/{other}/"}
        assert decision(
            statements, action="s3:ListBucket", resource=BUCKET_ARN, context=listing
        ) == ("implicit")
    key_name, _ = only(stack, "aws_kms_key")
    kms = [s for s in statements if any(a.startswith("kms:") for a in as_list(s["Action"]))]
    assert kms
    assert all(s["Resource"] == ref("aws_kms_key", key_name, "arn") for s in kms)


@pytest.mark.parametrize("env", ENV_NAMES)
def test_apply_role_manages_its_environments_iam_but_not_the_ci_roles(
    synthesized_stacks: dict[str, dict[str, Any]], env: str
) -> None:
    bootstrap = synthesized_stacks[STACK]
    statements = inline_statements(bootstrap, ENVIRONMENTS[env].apply_role_name)
    env_roles = [
        r["name"] for r in resources(synthesized_stacks[stack_name(env)], "aws_iam_role").values()
    ]
    assert env_roles, "the environment stack defines IAM roles the apply role must manage"
    for name in env_roles:
        for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:PassRole"):
            assert decision(statements, action=action, resource=role_arn(name)) == "allow", name
    for _, ci_role in all_ci_roles():
        for action in ("iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:AttachRolePolicy"):
            assert decision(statements, action=action, resource=role_arn(ci_role)) == "implicit"
    for other in ENVIRONMENTS:
        if other != env:
            foreign = role_arn(f"{PROJECT}-{other}-task")
            assert decision(statements, action="iam:CreateRole", resource=foreign) == "implicit"


# --- the policy pack ------------------------------------------------------------------------------


def test_policy_pack_reports_no_error_on_the_bootstrap_stack(synth_dir: Path) -> None:
    stack_dir = synth_dir / "stacks" / STACK
    assert (stack_dir / "cdk.tf.json").is_file()
    result = subprocess.run(
        [sys.executable, "-m", "policies", "check", str(stack_dir), "--format", "json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    errors = [f for f in report["findings"] if f["severity"] == "error" and not f.get("waived")]
    assert errors == [], errors
    assert result.returncode == 0, result.stderr


# --- migrating the bootstrap state to S3 ------------------------------------------------------


def test_s3_backend_switch_matches_the_environment_stacks() -> None:
    """CATALOG_BOOTSTRAP_BACKEND=s3: the stack after `terraform init -migrate-state`.

    The one synthesis outside the shared fixture: a single small stack in this process, where
    the AWS bindings are already loaded by the session fixture's import.
    """
    from cdktf import Testing

    from infra.stacks.bootstrap import BootstrapStack

    settings = load_settings(
        {
            "CATALOG_BOOTSTRAP_BACKEND": "s3",
            "CATALOG_STATE_KMS_KEY_ID": "alias/catalog-api-terraform-state",
        }
    )
    synthesized = json.loads(Testing.synth(BootstrapStack(Testing.app(), STACK, settings=settings)))
    assert synthesized["terraform"]["backend"] == {
        "s3": {
            "bucket": BUCKET,
            "key": f"{PROJECT}/bootstrap/terraform.tfstate",
            "region": SETTINGS.state.region,
            "encrypt": True,
            "kms_key_id": "alias/catalog-api-terraform-state",
            "use_lockfile": True,
        }
    }


def test_unknown_bootstrap_backend_is_a_one_line_config_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from infra.app import main

    assert main([], environ={"CATALOG_BOOTSTRAP_BACKEND": "dynamodb"}) == 2
    err = capsys.readouterr().err
    assert err == "error: CATALOG_BOOTSTRAP_BACKEND must be one of local, s3, got 'dynamodb'\n"
