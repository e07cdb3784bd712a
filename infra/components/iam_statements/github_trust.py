"""Trust policies for GitHub Actions' OIDC tokens: which workflow job may assume a role."""

from __future__ import annotations

from typing import Literal

from infra.components.iam import Statement
from infra.config import GithubRepository

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"
AUD_CLAIM = f"{GITHUB_OIDC_HOST}:aud"
SUB_CLAIM = f"{GITHUB_OIDC_HOST}:sub"

# The repository's OIDC subject template, set once by scripts/configure-oidc-subject.sh
# (`gh api`). The repository is named by GitHub's numeric ids, which are never reassigned: a
# repository or account registered under a freed name gets new ids, so its tokens match no
# trust policy. With `job_workflow_ref` in `sub`, a trust policy also names the workflow file
# and the branch it ran from, not only "some job on main" or "some job using environment prod".
SUBJECT_CLAIM_KEYS = ("repository_owner_id", "repository_id", "context", "job_workflow_ref")
DEFAULT_BRANCH_REF = "refs/heads/main"
# The workflows that may assume each role (file names under .github/workflows/).
DEPLOY_WORKFLOW = "deploy-environment.yml"  # reusable: the plan job and the apply job
PR_PLAN_WORKFLOW = "pr-plan.yml"  # workflow_run: plans a PR's checked, synthesized stacks
DRIFT_WORKFLOW = "drift.yml"
PLAN_ROLE_WORKFLOWS = (DEPLOY_WORKFLOW, PR_PLAN_WORKFLOW, DRIFT_WORKFLOW)


def subject(*, github: GithubRepository, context: str, workflow: str) -> str:
    """The ``sub`` of a job under the custom template (SUBJECT_CLAIM_KEYS), on main.

    GitHub writes each key as ``key:value``, in the template's order. ``context`` is
    ``environment:<env>`` for a job that declares an environment and ``ref:refs/heads/main``
    otherwise; ``workflow`` is the file whose job asks for the token (a reusable workflow's
    own file, not its caller's). ``job_workflow_ref`` is written with names by GitHub; the ids
    before it are what a re-registered name cannot reproduce.
    """
    workflow_ref = f"{github.name}/.github/workflows/{workflow}@{DEFAULT_BRANCH_REF}"
    return (
        f"repository_owner_id:{github.owner_id}:repository_id:{github.id}"
        f":{context}:job_workflow_ref:{workflow_ref}"
    )


def environment_subject(*, github: GithubRepository, environment: str) -> str:
    """The deploy workflow's apply job for ``environment``, run from main."""
    return subject(github=github, context=f"environment:{environment}", workflow=DEPLOY_WORKFLOW)


def plan_subjects(*, github: GithubRepository) -> tuple[str, ...]:
    """The deploy plan job, the PR plan (workflow_run) and drift: jobs on main, no environment.

    No ``pull_request`` subject: PR code never holds an AWS role (docs/trust-model.md).
    """
    context = f"ref:{DEFAULT_BRANCH_REF}"
    return tuple(
        subject(github=github, context=context, workflow=workflow)
        for workflow in PLAN_ROLE_WORKFLOWS
    )


def web_identity_trust_statements(
    *,
    provider_arn: str,
    subject_operator: Literal["StringEquals", "StringLike"],
    subjects: tuple[str, ...],
) -> list[Statement]:
    condition: dict[str, dict[str, object]] = {"StringEquals": {AUD_CLAIM: STS_AUDIENCE}}
    # Merge, not overwrite: with StringEquals both claims share one operator block.
    condition.setdefault(subject_operator, {})[SUB_CLAIM] = list(subjects)
    return [
        {
            "Sid": "GitHubActionsWebIdentity",
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition,
        }
    ]
