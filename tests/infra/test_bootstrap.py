"""The bootstrap stack, asserted on its synthesized Terraform JSON (the shared session synth).

IAM, bucket and key policies are checked by evaluating them against concrete requests with a
small evaluator that honours Principal, NotAction/NotResource, conditions, explicit denies and
permissions boundaries (tests/infra/iam_eval.py, tested on its own in test_iam_eval.py), and
every policy document is linted with parliament. A test states what a role can or cannot do,
not which JSON shape produces that.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from infra.config import ENVIRONMENTS, PROJECT, load_settings
from tests.fixture_paths import REPO_ROOT
from tests.infra.iam_eval import Request, as_list, evaluate, resolve_tokens
from tests.infra.synth_json import policy_statements, stack_name

STACK = "catalog-api-bootstrap"
SETTINGS = load_settings({})  # what the shared fixture synthesizes
REPOSITORY = SETTINGS.github.name
# Unset in the shared synthesis: "0", an id no GitHub repository or account has.
REPOSITORY_ID = SETTINGS.github.id
OWNER_ID = SETTINGS.github.owner_id
BUCKET = SETTINGS.state.bucket
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
ACCOUNT = "123456789012"
OTHER_ACCOUNT = "999999999999"
REGION = SETTINGS.state.region
OIDC = "token.actions.githubusercontent.com"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{OIDC}"
STATE_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
ENV_NAMES = [env.name for env in SETTINGS.environments]
WORKFLOWS = f"{REPOSITORY}/.github/workflows"
MAIN = "refs/heads/main"

# The AWS managed policy PowerUserAccess (policy version v5), which the apply roles keep; the
# evaluation below includes it so a denial is real, not an artefact of leaving it out.
POWER_USER_ACCESS = [
    {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
    {
        "Effect": "Allow",
        "Action": [
            "account:GetAccountInformation",
            "account:GetPrimaryEmail",
            "account:ListRegions",
            "iam:CreateServiceLinkedRole",
            "iam:DeleteServiceLinkedRole",
            "iam:ListRoles",
            "organizations:DescribeOrganization",
        ],
        "Resource": "*",
    },
]
ADMINISTRATOR_ACCESS = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]


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


def concrete_tokens(stack: dict[str, Any]) -> dict[str, str]:
    """Every reference the bootstrap's policies hold, mapped to a concrete test value."""
    tokens = {"${data.aws_caller_identity.account.account_id}": ACCOUNT}
    for name in resources(stack, "aws_kms_key"):
        tokens[ref("aws_kms_key", name, "arn")] = STATE_KEY_ARN
        tokens[ref("aws_kms_key", name, "key_id")] = STATE_KEY_ARN.rsplit("/", 1)[1]
    for name in resources(stack, "aws_iam_openid_connect_provider"):
        tokens[ref("aws_iam_openid_connect_provider", name, "arn")] = PROVIDER_ARN
    for name, body in resources(stack, "aws_s3_bucket").items():
        tokens[ref("aws_s3_bucket", name, "id")] = body["bucket"]
        tokens[ref("aws_s3_bucket", name, "arn")] = f"arn:aws:s3:::{body['bucket']}"
    for name, body in resources(stack, "aws_iam_policy").items():
        tokens[ref("aws_iam_policy", name, "arn")] = f"arn:aws:iam::{ACCOUNT}:policy/{body['name']}"
    for name, body in resources(stack, "aws_iam_role").items():
        for attribute in ("id", "name"):
            tokens[ref("aws_iam_role", name, attribute)] = body["name"]
        tokens[ref("aws_iam_role", name, "arn")] = role_arn(body["name"])
    return tokens


@pytest.fixture(scope="module")
def resolved(stack: dict[str, Any]) -> dict[str, Any]:
    """The bootstrap stack with its references replaced by concrete ARNs."""
    concrete = resolve_tokens(stack, concrete_tokens(stack))
    leftovers = set(re.findall(r"\$\{[^}]*\}", json.dumps(concrete.get("resource", {}))))
    assert not leftovers, f"references without a test value: {sorted(leftovers)}"
    return concrete


def role(stack: dict[str, Any], role_name: str) -> tuple[str, dict[str, Any]]:
    matches = [
        (k, v) for k, v in resources(stack, "aws_iam_role").items() if v["name"] == role_name
    ]
    assert len(matches) == 1, f"expected one role named {role_name}"
    return matches[0]


def inline_statements(stack: dict[str, Any], role_name: str) -> list[dict[str, Any]]:
    key, values = role(stack, role_name)
    names = {ref("aws_iam_role", key, "id"), values["name"]}
    policies = [p for p in resources(stack, "aws_iam_role_policy").values() if p["role"] in names]
    assert policies, f"{role_name} has no inline policy"
    return [s for p in policies for s in policy_statements(p["policy"])]


def managed_policy_arns(stack: dict[str, Any], role_name: str) -> set[str]:
    key, values = role(stack, role_name)
    names = {ref("aws_iam_role", key, "name"), values["name"]}
    return {
        a["policy_arn"]
        for a in resources(stack, "aws_iam_role_policy_attachment").values()
        if a["role"] in names
    }


def trust_statement(stack: dict[str, Any], role_name: str) -> dict[str, Any]:
    _, values = role(stack, role_name)
    statements = policy_statements(values["assume_role_policy"])
    assert len(statements) == 1
    return statements[0]


def boundary_statements(resolved: dict[str, Any], env: str) -> list[dict[str, Any]]:
    (policy,) = [
        p
        for p in resources(resolved, "aws_iam_policy").values()
        if p["name"] == f"{PROJECT}-boundary-{env}"
    ]
    return policy_statements(policy["policy"])


def bucket_policy_of(resolved: dict[str, Any]) -> list[dict[str, Any]]:
    _, policy = only(resolved, "aws_s3_bucket_policy")
    return policy_statements(policy["policy"])


def decision(
    statements: Sequence[Mapping[str, Any]],
    *,
    action: str,
    resource: str,
    context: Mapping[str, Any] | None = None,
) -> str:
    """One policy on its own: a resource policy when its statements name principals."""
    context = dict(context or {})
    request = Request(
        action=action,
        resource=resource,
        principal=str(context.get("aws:PrincipalArn", "")),
        context=context,
    )
    if statements and all("Principal" in s for s in statements):
        return evaluate(request, resource=statements)
    return evaluate(request, identity=statements)


def role_arn(role_name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:role/{role_name}"


def state_arn(env: str) -> str:
    return f"{BUCKET_ARN}/{ENVIRONMENTS[env].state_key}"


def all_ci_roles() -> Iterator[tuple[str, str]]:
    for env in SETTINGS.environments:
        yield env.name, env.plan_role_name
        yield env.name, env.apply_role_name


def as_role(
    resolved: dict[str, Any],
    role_name: str,
    *,
    action: str,
    resource: str,
    context: Mapping[str, Any] | None = None,
    with_bucket_policy: bool = True,
) -> str:
    """What the CI role may do: its inline and managed policies, and the state bucket policy."""
    identity = list(inline_statements(resolved, role_name))
    if "arn:aws:iam::aws:policy/PowerUserAccess" in managed_policy_arns(resolved, role_name):
        identity += POWER_USER_ACCESS
    principal = role_arn(role_name)
    request = Request(
        action=action,
        resource=resource,
        principal=principal,
        context={"aws:PrincipalArn": principal, "aws:SecureTransport": "true", **(context or {})},
    )
    on_bucket = with_bucket_policy and resource.startswith(BUCKET_ARN)
    return evaluate(
        request, identity=identity, resource=bucket_policy_of(resolved) if on_bucket else None
    )


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
    expected |= {f"permissions_boundary_arn_{env}" for env in ENV_NAMES}
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


def sub(
    context: str,
    workflow: str,
    ref_: str = MAIN,
    repository: str = REPOSITORY,
    *,
    repository_id: str = REPOSITORY_ID,
    owner_id: str = OWNER_ID,
) -> str:
    """A `sub` under the repository's custom template: repository_owner_id, repository_id,
    context, job_workflow_ref, each written ``key:value`` in that order (GitHub's format)."""
    workflow_ref = f"{repository}/.github/workflows/{workflow}@{ref_}"
    return (
        f"repository_owner_id:{owner_id}:repository_id:{repository_id}"
        f":{context}:job_workflow_ref:{workflow_ref}"
    )


def name_sub(context: str, workflow: str) -> str:
    """The previous template (repo, context, job_workflow_ref): names only, no ids."""
    workflow_ref = f"{REPOSITORY}/.github/workflows/{workflow}@{MAIN}"
    return f"repo:{REPOSITORY}:{context}:job_workflow_ref:{workflow_ref}"


def may_assume(
    resolved: dict[str, Any], role_name: str, subject: str, *, aud: str = "sts.amazonaws.com"
) -> bool:
    """AssumeRoleWithWebIdentity by GitHub's token issuer, with the given claims."""
    request = Request(
        action="sts:AssumeRoleWithWebIdentity",
        resource=role_arn(role_name),
        principal=PROVIDER_ARN,
        principal_type="Federated",
        context={f"{OIDC}:sub": subject, f"{OIDC}:aud": aud},
    )
    _, values = role(resolved, role_name)
    return evaluate(request, resource=policy_statements(values["assume_role_policy"])) == "allow"


def test_no_trust_policy_accepts_a_pull_request(stack: dict[str, Any]) -> None:
    trust = [r["assume_role_policy"] for r in resources(stack, "aws_iam_role").values()]
    assert trust
    assert not [t for t in trust if "pull_request" in t]


@pytest.mark.parametrize("env", ENV_NAMES)
@pytest.mark.parametrize("kind", ["plan", "apply"])
def test_trust_policy_requires_sts_audience_and_federates_github_only(
    resolved: dict[str, Any], env: str, kind: str
) -> None:
    config = ENVIRONMENTS[env]
    name = config.plan_role_name if kind == "plan" else config.apply_role_name
    statement = trust_statement(resolved, name)
    assert statement["Principal"] == {"Federated": PROVIDER_ARN}
    assert statement["Condition"]["StringEquals"][f"{OIDC}:aud"] == "sts.amazonaws.com"
    # Exact subjects only: no wildcard operator in any trust policy.
    assert set(statement["Condition"]) == {"StringEquals"}
    good = (
        sub(f"environment:{env}", "deploy-environment.yml")
        if kind == "apply"
        else sub(f"ref:{MAIN}", "deploy-environment.yml")
    )
    assert may_assume(resolved, name, good)
    assert not may_assume(resolved, name, good, aud="sigstore")
    # Another principal than GitHub's issuer (say an IAM role) gets nothing from this policy.
    as_a_role = Request(
        action="sts:AssumeRoleWithWebIdentity",
        principal=role_arn("Administrator"),
        context={f"{OIDC}:sub": good, f"{OIDC}:aud": "sts.amazonaws.com"},
    )
    assert evaluate(as_a_role, resource=[statement]) == "implicit"


@pytest.mark.parametrize("env", ENV_NAMES)
def test_apply_role_trusts_only_the_deploy_workflow_on_main_in_its_environment(
    resolved: dict[str, Any], env: str
) -> None:
    name = ENVIRONMENTS[env].apply_role_name
    assert trust_statement(resolved, name)["Condition"]["StringEquals"][f"{OIDC}:sub"] == [
        sub(f"environment:{env}", "deploy-environment.yml")
    ]
    refused = [
        # GitHub's default template (before scripts/configure-oidc-subject.sh ran): the
        # environment form alone, which any workflow declaring the environment would get.
        f"repo:{REPOSITORY}:environment:{env}",
        f"repo:{REPOSITORY}:pull_request",
        sub("pull_request", "pr.yml"),
        sub(f"ref:{MAIN}", "deploy-environment.yml"),  # the plan job, no environment
        sub(f"environment:{env}", "deploy-environment.yml", ref_="refs/heads/feature"),
        sub(f"environment:{env}", "other.yml"),
        sub(f"environment:{env}", "deploy.yml"),
        sub(f"environment:{env}-copy", "deploy-environment.yml"),
        sub(f"environment:{env}", "deploy-environment.yml", repository="evil/fork"),
        *(sub(f"environment:{o}", "deploy-environment.yml") for o in ENV_NAMES if o != env),
        # Names only (the previous template), and a repository registered under the same
        # names after a rename: new ids, so no match.
        name_sub(f"environment:{env}", "deploy-environment.yml"),
        sub(f"environment:{env}", "deploy-environment.yml", repository_id="987654321"),
        sub(f"environment:{env}", "deploy-environment.yml", owner_id="123456789"),
    ]
    for subject in refused:
        assert not may_assume(resolved, name, subject), subject


@pytest.mark.parametrize("env", ENV_NAMES)
def test_plan_role_trusts_the_three_plan_workflows_on_main_only(
    resolved: dict[str, Any], env: str
) -> None:
    name = ENVIRONMENTS[env].plan_role_name
    for workflow in ("deploy-environment.yml", "pr-plan.yml", "drift.yml"):
        assert may_assume(resolved, name, sub(f"ref:{MAIN}", workflow)), workflow
    refused = [
        f"repo:{REPOSITORY}:pull_request",
        f"repo:{REPOSITORY}:ref:{MAIN}",  # default template: any workflow on main
        sub("pull_request", "pr.yml"),
        sub("pull_request", "pr-plan.yml"),
        sub(f"ref:{MAIN}", "pr.yml"),  # the PR workflow runs PR code; never a role
        sub("ref:refs/heads/feature", "pr-plan.yml", ref_="refs/heads/feature"),
        sub(f"ref:{MAIN}", "pr-plan.yml", ref_="refs/heads/feature"),
        *(sub(f"environment:{e}", "deploy-environment.yml") for e in ENV_NAMES),
        sub(f"ref:{MAIN}", "drift.yml", repository="evil/fork"),
        name_sub(f"ref:{MAIN}", "drift.yml"),
        sub(f"ref:{MAIN}", "drift.yml", repository_id="987654321", owner_id="123456789"),
    ]
    for subject in refused:
        assert not may_assume(resolved, name, subject), subject


def test_the_subject_template_script_sets_the_claims_the_trust_policies_expect() -> None:
    from infra.components.iam_statements.github_trust import SUBJECT_CLAIM_KEYS

    script = (REPO_ROOT / "scripts" / "configure-oidc-subject.sh").read_text(encoding="utf-8")
    keys = re.search(r"CLAIM_KEYS='(\[[^']*\])'", script)
    assert keys, "the script names its claim keys in CLAIM_KEYS='[...]'"
    assert tuple(json.loads(keys.group(1))) == SUBJECT_CLAIM_KEYS
    assert "actions/oidc/customization/sub" in script


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
def bucket_policy(
    stack: dict[str, Any], resolved: dict[str, Any], bucket_ref: str
) -> list[dict[str, Any]]:
    _, policy = only(stack, "aws_s3_bucket_policy")
    assert policy["bucket"] == bucket_ref
    return bucket_policy_of(resolved)


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
    own_plan = f"{BUCKET_ARN}/plans/{env}/x.tfplan"
    assert decision(bucket_policy, action="s3:PutObject", resource=own_plan, context=context) != (
        "deny"
    )
    foreign = [state_arn(other) for other in ENVIRONMENTS if other != env]
    foreign += [f"{BUCKET_ARN}/plans/{other}/x.tfplan" for other in ENVIRONMENTS if other != env]
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
    resolved: dict[str, Any], env: str, role_name: str
) -> None:
    del env
    _, key = only(resolved, "aws_kms_key")
    statements = policy_statements(key["policy"])
    context = {"aws:PrincipalArn": role_arn(role_name)}
    for action in ("kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"):
        assert decision(statements, action=action, resource="*", context=context) == "allow"
    for action in ("kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey"):
        assert decision(statements, action=action, resource="*", context=context) == "deny"
    admin = {"aws:PrincipalArn": role_arn("Administrator")}
    assert decision(statements, action="kms:PutKeyPolicy", resource="*", context=admin) == ("allow")


def test_key_policy_grants_nothing_to_another_account(resolved: dict[str, Any]) -> None:
    """The old evaluator ignored Principal, so this passed for any account."""
    _, key = only(resolved, "aws_kms_key")
    statements = policy_statements(key["policy"])
    foreign = {"aws:PrincipalArn": role_arn("Administrator", account=OTHER_ACCOUNT)}
    for action in ("kms:Decrypt", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"):
        assert decision(statements, action=action, resource="*", context=foreign) != "allow"


# --- plan roles: refresh reads, no secret values, no lock ------------------------------------


@pytest.mark.parametrize("env", ENV_NAMES)
def test_plan_role_has_no_managed_policy_and_no_read_only_access(
    resolved: dict[str, Any], env: str
) -> None:
    assert managed_policy_arns(resolved, ENVIRONMENTS[env].plan_role_name) == set()
    assert "ReadOnlyAccess" not in json.dumps(resolved)


@pytest.mark.parametrize("env", ENV_NAMES)
def test_plan_role_refreshes_the_project_resource_types(resolved: dict[str, Any], env: str) -> None:
    name = ENVIRONMENTS[env].plan_role_name
    for action in (
        "ec2:DescribeVpcs",
        "ec2:DescribeSecurityGroupRules",
        "ecs:DescribeServices",
        "rds:DescribeDBClusters",
        "elasticloadbalancing:DescribeLoadBalancers",
        "cloudfront:GetDistribution",
        "logs:DescribeLogGroups",
        "secretsmanager:DescribeSecret",
        "s3:GetBucketPolicy",
        "iam:GetRole",
        "kms:DescribeKey",
        "route53:ListResourceRecordSets",
    ):
        assert as_role(resolved, name, action=action, resource="*") == "allow", action
    for action in ("ec2:CreateVpc", "rds:DeleteDBCluster", "iam:PassRole", "s3:PutBucketPolicy"):
        assert as_role(resolved, name, action=action, resource="*") != "allow", action
    own_bucket = f"arn:aws:s3:::{PROJECT}-{env}-logs-{ACCOUNT}"
    other_bucket = f"arn:aws:s3:::{PROJECT}-other-logs-{ACCOUNT}"
    assert as_role(resolved, name, action="s3:ListBucket", resource=own_bucket) == "allow"
    assert as_role(resolved, name, action="s3:ListBucket", resource=other_bucket) != "allow"
    assert as_role(resolved, name, action="s3:GetObject", resource=own_bucket + "/x") == "deny"


@pytest.mark.parametrize("env", ENV_NAMES)
def test_plan_role_cannot_read_secret_values_log_events_or_parameters(
    resolved: dict[str, Any], env: str
) -> None:
    name = ENVIRONMENTS[env].plan_role_name
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{PROJECT}-{env}-db-AbCdEf"
    denied = [
        ("secretsmanager:GetSecretValue", secret),
        ("ssm:GetParameter", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/x"),
        ("ssm:GetParametersByPath", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/"),
        ("logs:GetLogEvents", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:x:log-stream:y"),
        ("logs:FilterLogEvents", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:x"),
        ("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:x"),
        ("kms:Decrypt", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/other"),
        ("s3:GetObject", f"arn:aws:s3:::{PROJECT}-{env}-logs/alb/AWSLogs/x.gz"),
    ]
    for action, resource in denied:
        assert as_role(resolved, name, action=action, resource=resource) == "deny", action


@pytest.mark.parametrize("env", ENV_NAMES)
def test_plan_role_reads_its_state_and_never_writes_state_or_lock(
    resolved: dict[str, Any], env: str
) -> None:
    name = ENVIRONMENTS[env].plan_role_name
    own, lock = state_arn(env), state_arn(env) + ".tflock"
    record = f"{BUCKET_ARN}/{PROJECT}/{env}/deployment.json"
    assert as_role(resolved, name, action="s3:GetObject", resource=own) == "allow"
    assert as_role(resolved, name, action="s3:GetObject", resource=record) == "allow"
    for action in ("s3:PutObject", "s3:DeleteObject"):
        for resource in (own, lock, record, f"{BUCKET_ARN}/anything.tflock"):
            assert as_role(resolved, name, action=action, resource=resource) == "deny", resource
    # Identity policy alone, too (a bucket policy edit must not be what keeps the lock safe).
    assert (
        as_role(resolved, name, action="s3:PutObject", resource=lock, with_bucket_policy=False)
        == "deny"
    )
    # Plans go to plans/<env>/ only.
    plan = f"{BUCKET_ARN}/plans/{env}/0123abc.tfplan"
    assert as_role(resolved, name, action="s3:PutObject", resource=plan) == "allow"
    for other in ENV_NAMES:
        if other != env:
            foreign = f"{BUCKET_ARN}/plans/{other}/0123abc.tfplan"
            assert as_role(resolved, name, action="s3:PutObject", resource=foreign) == "deny"
            assert as_role(resolved, name, action="s3:GetObject", resource=state_arn(other)) == (
                "deny"
            )
    assert as_role(resolved, name, action="kms:GenerateDataKey", resource=STATE_KEY_ARN) == (
        "allow"
    )


# --- apply roles: no way up -----------------------------------------------------------------


def boundary_arn(env: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy/{PROJECT}-boundary-{env}"


@pytest.mark.parametrize("env", ENV_NAMES)
def test_apply_role_reads_and_writes_its_state_record_and_lock(
    resolved: dict[str, Any], env: str
) -> None:
    name = ENVIRONMENTS[env].apply_role_name
    own, lock = state_arn(env), state_arn(env) + ".tflock"
    record = f"{BUCKET_ARN}/{PROJECT}/{env}/deployment.json"
    for action in ("s3:GetObject", "s3:PutObject"):
        assert as_role(resolved, name, action=action, resource=own) == "allow"
        assert as_role(resolved, name, action=action, resource=record) == "allow"
    assert as_role(resolved, name, action="s3:DeleteObject", resource=lock) == "allow"
    plan = f"{BUCKET_ARN}/plans/{env}/0123abc.tfplan"
    assert as_role(resolved, name, action="s3:GetObject", resource=plan) == "allow"
    assert managed_policy_arns(resolved, name) == {"arn:aws:iam::aws:policy/PowerUserAccess"}


@pytest.mark.parametrize(
    ("env", "other"), [("dev", "prod"), ("dev", "staging"), ("staging", "prod")]
)
def test_apply_role_cannot_touch_another_environments_state(
    resolved: dict[str, Any], env: str, other: str
) -> None:
    """PowerUserAccess allows s3:* everywhere; the bucket policy's deny is what holds."""
    name = ENVIRONMENTS[env].apply_role_name
    targets = [
        state_arn(other),
        state_arn(other) + ".tflock",
        f"{BUCKET_ARN}/{PROJECT}/{other}/deployment.json",
        f"{BUCKET_ARN}/plans/{other}/x.tfplan",
        f"{BUCKET_ARN}/{PROJECT}/bootstrap/terraform.tfstate",
    ]
    for resource in targets:
        for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
            assert as_role(resolved, name, action=action, resource=resource) == "deny", (
                action,
                resource,
            )
    for action in ("s3:PutBucketPolicy", "s3:DeleteBucket"):
        assert as_role(resolved, name, action=action, resource=BUCKET_ARN) == "deny"


@pytest.mark.parametrize("env", ENV_NAMES)
def test_apply_role_cannot_create_or_widen_a_role_without_the_boundary(
    resolved: dict[str, Any], env: str
) -> None:
    name = ENVIRONMENTS[env].apply_role_name
    target = role_arn(f"{PROJECT}-{env}-x")
    bounded = {"iam:PermissionsBoundary": boundary_arn(env)}
    for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"):
        assert as_role(resolved, name, action=action, resource=target) == "deny", action
        assert as_role(resolved, name, action=action, resource=target, context=bounded) == (
            "allow"
        ), action
        for other in ENV_NAMES:
            if other != env:
                foreign = {"iam:PermissionsBoundary": boundary_arn(other)}
                assert as_role(resolved, name, action=action, resource=target, context=foreign) == (
                    "deny"
                )
    # Outside the environment's prefix, nothing even with the boundary.
    elsewhere = role_arn(f"{PROJECT}-admin")
    assert as_role(
        resolved, name, action="iam:CreateRole", resource=elsewhere, context=bounded
    ) != ("allow")
    for action in ("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"):
        assert as_role(resolved, name, action=action, resource=target) == "deny"


@pytest.mark.parametrize("env", ENV_NAMES)
def test_apply_role_cannot_touch_ci_roles_or_boundaries(resolved: dict[str, Any], env: str) -> None:
    name = ENVIRONMENTS[env].apply_role_name
    bounded = {"iam:PermissionsBoundary": boundary_arn(env)}
    for _, ci_role in all_ci_roles():
        for action in (
            "iam:UpdateAssumeRolePolicy",
            "iam:PutRolePolicy",
            "iam:AttachRolePolicy",
            "iam:PassRole",
        ):
            assert (
                as_role(resolved, name, action=action, resource=role_arn(ci_role), context=bounded)
                == "deny"
            ), (action, ci_role)
    for boundary_env in ENV_NAMES:
        for action in (
            "iam:CreatePolicyVersion",
            "iam:SetDefaultPolicyVersion",
            "iam:DeletePolicy",
        ):
            assert as_role(resolved, name, action=action, resource=boundary_arn(boundary_env)) == (
                "deny"
            )


@pytest.mark.parametrize("env", ENV_NAMES)
def test_apply_role_passes_roles_only_to_their_services(resolved: dict[str, Any], env: str) -> None:
    name = ENVIRONMENTS[env].apply_role_name
    target = role_arn(f"{PROJECT}-{env}-task")
    for service in ("ecs-tasks.amazonaws.com", "monitoring.rds.amazonaws.com"):
        context = {"iam:PassedToService": service}
        assert as_role(resolved, name, action="iam:PassRole", resource=target, context=context) == (
            "allow"
        )
    for service in ("lambda.amazonaws.com", "ec2.amazonaws.com"):
        context = {"iam:PassedToService": service}
        assert as_role(resolved, name, action="iam:PassRole", resource=target, context=context) != (
            "allow"
        )


def test_every_ci_statement_that_creates_or_changes_roles_carries_the_boundary_condition(
    resolved: dict[str, Any],
) -> None:
    risky = {"iam:createrole", "iam:putrolepolicy", "iam:attachrolepolicy"}
    checked = 0
    for _, ci_role in all_ci_roles():
        for statement in inline_statements(resolved, ci_role):
            actions = {a.lower() for a in as_list(statement.get("Action", []))}
            if statement["Effect"] == "Allow" and (actions & risky or "iam:*" in actions):
                checked += 1
                assert "iam:PermissionsBoundary" in json.dumps(statement["Condition"]), statement
    assert checked == len(ENV_NAMES)


@pytest.mark.parametrize("env", ENV_NAMES)
def test_a_role_under_the_boundary_cannot_reach_state_ci_roles_or_iam(
    resolved: dict[str, Any], env: str
) -> None:
    """Even with AdministratorAccess attached, a bounded role stays a workload role."""
    boundary = boundary_statements(resolved, env)

    def bounded(action: str, resource: str) -> str:
        request = Request(
            action=action, resource=resource, principal=role_arn(f"{PROJECT}-{env}-x")
        )
        return evaluate(request, identity=ADMINISTRATOR_ACCESS, boundary=boundary)

    assert bounded("s3:GetObject", state_arn(env)) == "deny"
    assert bounded("s3:PutObject", state_arn("prod")) == "deny"
    assert bounded("kms:Decrypt", STATE_KEY_ARN) == "deny"
    for _, ci_role in all_ci_roles():
        assert bounded("sts:AssumeRole", role_arn(ci_role)) == "deny"
    assert bounded("iam:CreateRole", role_arn(f"{PROJECT}-{env}-y")) == "implicit"
    assert bounded("iam:CreatePolicyVersion", boundary_arn(env)) == "deny"
    # What the workloads need still works.
    assert bounded(
        "secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:x"
    ) == ("allow")
    assert bounded("logs:PutLogEvents", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:x") == "allow"


@pytest.mark.parametrize("env", ENV_NAMES)
def test_every_role_of_an_environment_stack_carries_its_boundary(
    synthesized_stacks: dict[str, dict[str, Any]], env: str
) -> None:
    roles = resources(synthesized_stacks[stack_name(env)], "aws_iam_role")
    assert roles, "the environment stack defines IAM roles"
    account = "${data.aws_caller_identity.caller.account_id}"
    expected = f"arn:aws:iam::{account}:policy/{PROJECT}-boundary-{env}"
    for name, body in roles.items():
        assert body.get("permissions_boundary") == expected, name
        assert body["name"].startswith(f"{PROJECT}-{env}-"), "inside the apply role's prefix"


@pytest.mark.parametrize("env", ENV_NAMES)
def test_apply_role_manages_its_environments_roles(
    synthesized_stacks: dict[str, dict[str, Any]], resolved: dict[str, Any], env: str
) -> None:
    name = ENVIRONMENTS[env].apply_role_name
    bounded = {"iam:PermissionsBoundary": boundary_arn(env)}
    for body in resources(synthesized_stacks[stack_name(env)], "aws_iam_role").values():
        target = role_arn(body["name"])
        for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRole", "iam:TagRole"):
            assert as_role(resolved, name, action=action, resource=target, context=bounded) == (
                "allow"
            ), (action, body["name"])


def test_synthesized_trust_policies_name_the_configured_repository(tmp_path: Path) -> None:
    """CATALOG_GITHUB_REPOSITORY and its ids reach every role's trust (the shared synth uses
    the defaults)."""
    from cdktf import Testing

    from infra.stacks.bootstrap import BootstrapStack

    settings = load_settings(
        {
            "CATALOG_GITHUB_REPOSITORY": "acme/platform-infra",
            "CATALOG_GITHUB_REPOSITORY_ID": "700000001",
            "CATALOG_GITHUB_REPOSITORY_OWNER_ID": "800000002",
            "CATALOG_ENVIRONMENTS": "prod",
        }
    )
    ids = {"repository_id": "700000001", "owner_id": "800000002"}
    synthesized = json.loads(
        Testing.synth(BootstrapStack(Testing.app(outdir=str(tmp_path)), STACK, settings=settings))
    )
    prod = ENVIRONMENTS["prod"]
    apply_subjects = trust_statement(synthesized, prod.apply_role_name)["Condition"][
        "StringEquals"
    ][f"{OIDC}:sub"]
    assert apply_subjects == [
        sub("environment:prod", "deploy-environment.yml", repository="acme/platform-infra", **ids)
    ]
    assert apply_subjects[0].startswith(
        "repository_owner_id:800000002:repository_id:700000001:environment:prod:"
    )
    plan_subjects = trust_statement(synthesized, prod.plan_role_name)["Condition"]["StringEquals"][
        f"{OIDC}:sub"
    ]
    assert plan_subjects == [
        sub(f"ref:{MAIN}", workflow, repository="acme/platform-infra", **ids)
        for workflow in ("deploy-environment.yml", "pr-plan.yml", "drift.yml")
    ]
    assert REPOSITORY not in json.dumps(synthesized)
    # Only the selected environment gets roles and a boundary.
    assert {r["name"] for r in resources(synthesized, "aws_iam_role").values()} == {
        prod.plan_role_name,
        prod.apply_role_name,
    }
    assert {p["name"] for p in resources(synthesized, "aws_iam_policy").values()} == {
        f"{PROJECT}-boundary-prod"
    }


# --- parliament: every policy document, with justified ignores only ----------------------------

# (issue, what it is about) -> why it is accepted. Matched narrowly in accepted() below.
ACCEPTED_PARLIAMENT_FINDINGS = {
    ("MALFORMED", "trust"): "trust policies have no Resource; parliament lints every document "
    "as an identity policy",
    ("UNKNOWN_FEDERATION_SOURCE", "trust"): "parliament knows the web identity providers "
    "(Cognito, Google, Amazon, Facebook), not an IAM OIDC provider ARN such as GitHub's",
    ("RESOURCE_STAR", "key policy"): "in a KMS key policy Resource * means this key",
    ("RESOURCE_STAR", "plan refresh"): "Describe/Get/List of resources whose ARNs are generated "
    "at apply time; data-plane reads are denied explicitly in the same policy",
    ("RESOURCE_STAR", "boundary"): "a boundary caps; its Deny statements do the narrowing",
    ("MISMATCHED_TYPE_BUT_USABLE", "iam:PermissionsBoundary"): "StringEquals is the operator "
    "AWS's own iam:PermissionsBoundary examples use",
    ("UNKNOWN_CONDITION_FOR_ACTION", "kms:EncryptionContext:aws:logs:arn"): "the CloudWatch "
    "Logs key-policy form AWS documents",
    ("MISMATCHED_TYPE", "kms:EncryptionContext:aws:logs:arn"): "ArnLike on the logs encryption "
    "context is the form AWS documents",
}
ENVIRONMENT_TOKENS = {
    "${data.aws_caller_identity.caller.account_id}": ACCOUNT,
    "${data.aws_elb_service_account.elb-account.arn}": "arn:aws:iam::897822967062:root",
}
_ENV_REFERENCE = re.compile(r"\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([^}]+)\}")


def _concrete_arn(match: re.Match[str]) -> str:
    type_, name, attribute = match.groups()
    if type_ == "aws_s3_bucket":
        return f"arn:aws:s3:::{name.lower().replace('_', '-')}"
    services = {
        "aws_cloudwatch_log_group": f"logs:{REGION}:{ACCOUNT}:log-group:{name}",
        "aws_kms_key": f"kms:{REGION}:{ACCOUNT}:key/{name}",
        "aws_secretsmanager_secret": f"secretsmanager:{REGION}:{ACCOUNT}:secret:{name}",
        "aws_rds_cluster": f"secretsmanager:{REGION}:{ACCOUNT}:secret:{name}",
    }
    assert type_ in services, f"no test ARN for {match.group(0)} ({attribute})"
    return f"arn:aws:{services[type_]}"


def policy_documents(stacks: dict[str, dict[str, Any]]) -> Iterator[tuple[str, str, str]]:
    """(where, kind, document) for every policy document in every stack, references resolved."""
    bootstrap_tokens = concrete_tokens(stacks[STACK])
    fields = {
        "aws_iam_role": ("assume_role_policy", "trust"),
        "aws_iam_role_policy": ("policy", "identity"),
        "aws_iam_policy": ("policy", "identity"),
        "aws_s3_bucket_policy": ("policy", "resource"),
        "aws_kms_key": ("policy", "key policy"),
    }
    for stack_id, stack_json in stacks.items():
        for type_, (attribute, kind) in fields.items():
            for name, body in resources(stack_json, type_).items():
                document = resolve_tokens(body[attribute], bootstrap_tokens | ENVIRONMENT_TOKENS)
                document = _ENV_REFERENCE.sub(_concrete_arn, document)
                assert "${" not in document, (stack_id, name, document)
                yield f"{stack_id}:{type_}.{name}", kind, document


def accepted(kind: str, document: str, issue: str, detail: Any) -> bool:
    text = json.dumps(detail)
    if issue == "UNKNOWN_FEDERATION_SOURCE":
        return kind == "trust" and detail == PROVIDER_ARN
    if issue == "MALFORMED":
        return kind == "trust" and "neither Resource nor NotResource" in text
    if issue == "RESOURCE_STAR":
        if kind == "key policy":
            return True
        statements = json.loads(document)["Statement"]
        sids = {s.get("Sid") for s in statements}
        if "RefreshProjectResourceTypes" in sids:
            from infra.components.iam_statements.actions import PLAN_READ_ACTIONS

            return set(as_list(detail)) <= set(PLAN_READ_ACTIONS)
        return "WorkloadServicesNoIam" in sids
    if issue == "MISMATCHED_TYPE_BUT_USABLE":
        return "iam:PermissionsBoundary" in document and "StringEquals" in text + document
    if issue in ("UNKNOWN_CONDITION_FOR_ACTION", "MISMATCHED_TYPE"):
        return kind == "key policy" and "kms:EncryptionContext:aws:logs:arn" in document
    return False


def test_every_policy_document_passes_parliament(
    synthesized_stacks: dict[str, dict[str, Any]],
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # parliament imports pkg_resources, which warns
        from parliament import analyze_policy_string

    documents = list(policy_documents(synthesized_stacks))
    assert len(documents) >= 30
    unexplained = []
    for where, kind, document in documents:
        for finding in analyze_policy_string(document).findings:
            if not accepted(kind, document, finding.issue, finding.detail):
                unexplained.append((where, finding.issue, finding.detail))
    assert unexplained == []


def test_parliament_catches_what_it_is_here_for() -> None:
    """The lint is live: a typo in an action and a mismatched resource are reported."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from parliament import analyze_policy_string

    bad = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket"},
            ],
        }
    )
    issues = {f.issue for f in analyze_policy_string(bad).findings}
    assert {"UNKNOWN_ACTION", "RESOURCE_MISMATCH"} <= issues


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


def test_s3_backend_switch_matches_the_environment_stacks(tmp_path: Path) -> None:
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
    synthesized = json.loads(
        Testing.synth(BootstrapStack(Testing.app(outdir=str(tmp_path)), STACK, settings=settings))
    )
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


# --- lateral movement: role chaining, trust rewrites, remote commands (issue 15) ---------------

INSTANCE = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0123456789abcdef0"
RUN_SHELL = f"arn:aws:ssm:{REGION}::document/AWS-RunShellScript"
TASK = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{PROJECT}-prod/0123456789abcdef0123456789abcdef"
# Roles an attacker holding a CI or workload session would like to hop into.
HOP_TARGETS = (
    role_arn("OrganizationAccountAccessRole"),
    role_arn("OrganizationAccountAccessRole", OTHER_ACCOUNT),
    role_arn(f"{PROJECT}-prod-task"),
    role_arn(f"{PROJECT}-dev-execution"),
    *(role_arn(ci_role) for _, ci_role in all_ci_roles()),
)
REMOTE_COMMANDS = (
    ("ssm:SendCommand", INSTANCE),
    ("ssm:SendCommand", RUN_SHELL),
    ("ssm:StartSession", INSTANCE),
    ("ssm:ResumeSession", f"arn:aws:ssm:{REGION}:{ACCOUNT}:session/attacker-0123456789"),
    ("ecs:ExecuteCommand", TASK),
)


def apply_identity(resolved: dict[str, Any], env: str, *, extra: Sequence[Any] = ()) -> list:
    """The apply role's identity policies, PowerUserAccess included, plus ``extra``."""
    name = ENVIRONMENTS[env].apply_role_name
    assert "arn:aws:iam::aws:policy/PowerUserAccess" in managed_policy_arns(resolved, name)
    return [*inline_statements(resolved, name), *POWER_USER_ACCESS, *extra]


def as_apply_role(
    resolved: dict[str, Any], env: str, action: str, resource: str, *, extra: Sequence[Any] = ()
) -> str:
    principal = role_arn(ENVIRONMENTS[env].apply_role_name)
    request = Request(
        action=action,
        resource=resource,
        principal=principal,
        context={"aws:PrincipalArn": principal},
    )
    return evaluate(request, identity=apply_identity(resolved, env, extra=extra))


@pytest.mark.parametrize("env", ENV_NAMES)
def test_apply_role_assumes_no_role(resolved: dict[str, Any], env: str) -> None:
    """PowerUserAccess allows sts:*; the apply role's own Deny takes role chaining away."""
    for target in HOP_TARGETS:
        for action in ("sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"):
            assert as_apply_role(resolved, env, action, target) == "deny", (action, target)
            # Even with AdministratorAccess attached later.
            assert as_apply_role(resolved, env, action, target, extra=ADMINISTRATOR_ACCESS) == (
                "deny"
            )


@pytest.mark.parametrize("env", ENV_NAMES)
def test_apply_role_runs_no_command_on_instances_or_containers(
    resolved: dict[str, Any], env: str
) -> None:
    for action, resource in REMOTE_COMMANDS:
        assert as_apply_role(resolved, env, action, resource) == "deny", (action, resource)


@pytest.mark.parametrize("env", ENV_NAMES)
def test_apply_role_rewrites_trust_only_of_its_environments_roles(
    resolved: dict[str, Any], env: str
) -> None:
    own = role_arn(f"{PROJECT}-{env}-task")
    assert as_apply_role(resolved, env, "iam:UpdateAssumeRolePolicy", own) == "allow"
    outside = [
        role_arn("Administrator"),
        role_arn("OrganizationAccountAccessRole"),
        role_arn(f"{PROJECT}-admin"),
        *(role_arn(f"{PROJECT}-{other}-task") for other in ENV_NAMES if other != env),
        *(role_arn(ci_role) for _, ci_role in all_ci_roles()),
    ]
    for target in outside:
        # An explicit Deny: it holds even when a broader policy is attached later.
        assert as_apply_role(
            resolved, env, "iam:UpdateAssumeRolePolicy", target, extra=ADMINISTRATOR_ACCESS
        ) == ("deny"), target


@pytest.mark.parametrize("env", ENV_NAMES)
def test_apply_role_keeps_what_a_deploy_needs(resolved: dict[str, Any], env: str) -> None:
    """The new denials take nothing an apply of the environment stack uses."""
    needed = [
        ("ec2:CreateVpc", "*"),
        ("ecs:UpdateService", f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{PROJECT}-{env}/x"),
        ("ecs:RegisterTaskDefinition", "*"),
        ("rds:ModifyDBCluster", f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:{PROJECT}-{env}"),
        ("cloudfront:UpdateDistribution", f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1"),
        ("secretsmanager:CreateSecret", "*"),
        ("ssm:GetParameter", f"arn:aws:ssm:{REGION}::parameter/aws/service/ecs/x"),
        ("iam:CreateServiceLinkedRole", "*"),
        ("iam:GetRole", role_arn(f"{PROJECT}-{env}-task")),
    ]
    for action, resource in needed:
        assert as_apply_role(resolved, env, action, resource) == "allow", action
    name = ENVIRONMENTS[env].apply_role_name
    assert as_role(resolved, name, action="s3:PutObject", resource=state_arn(env)) == "allow"
    passed = {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    assert (
        as_role(
            resolved,
            name,
            action="iam:PassRole",
            resource=role_arn(f"{PROJECT}-{env}-task"),
            context=passed,
        )
        == "allow"
    )


@pytest.mark.parametrize("env", ENV_NAMES)
def test_plan_role_assumes_no_role_and_runs_no_command(resolved: dict[str, Any], env: str) -> None:
    name = ENVIRONMENTS[env].plan_role_name
    for target in HOP_TARGETS:
        assert as_role(resolved, name, action="sts:AssumeRole", resource=target) != "allow"
    for action, resource in REMOTE_COMMANDS:
        assert as_role(resolved, name, action=action, resource=resource) != "allow", action
    assert (
        as_role(resolved, name, action="iam:UpdateAssumeRolePolicy", resource=HOP_TARGETS[2])
        != "allow"
    )


@pytest.mark.parametrize("env", ENV_NAMES)
def test_a_role_under_the_boundary_cannot_hop_rewrite_trust_or_run_commands(
    resolved: dict[str, Any], env: str
) -> None:
    """A workload role given AdministratorAccess by a malicious apply still gets none of these."""
    boundary = boundary_statements(resolved, env)

    def bounded(action: str, resource: str) -> str:
        request = Request(
            action=action, resource=resource, principal=role_arn(f"{PROJECT}-{env}-task")
        )
        return evaluate(request, identity=ADMINISTRATOR_ACCESS, boundary=boundary)

    for target in HOP_TARGETS:
        assert bounded("sts:AssumeRole", target) == "deny", target
    for target in (role_arn(f"{PROJECT}-{env}-task"), role_arn("Administrator")):
        assert bounded("iam:UpdateAssumeRolePolicy", target) == "deny", target
    for action, resource in REMOTE_COMMANDS:
        assert bounded(action, resource) == "deny", (action, resource)
    # What the workloads do still works.
    assert bounded("ecs:DescribeTasks", TASK) == "allow"
    assert bounded("kms:Decrypt", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/app") == "allow"
    assert bounded("logs:CreateLogStream", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:x") == (
        "allow"
    )
