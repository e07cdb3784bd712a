"""Project facts: names and markers that scripts, workflows and three packages must agree on."""

from __future__ import annotations

from collections.abc import Mapping

PROJECT = "catalog-api"
# The repository when CI does not say (CATALOG_GITHUB_REPOSITORY / GITHUB_REPOSITORY).
DEFAULT_GITHUB_REPOSITORY = "example-org/catalog-api-infra"


def plan_comment_marker(environment: str) -> str:
    """The hidden first line of an environment's sticky PR plan comment; the poster finds the
    comment to update by it."""
    return f"<!-- {PROJECT}-plan:{environment} -->"


def drift_issue_marker(environment: str) -> str:
    """The hidden first line of an environment's drift issue, stable across runs and report
    changes: the drift workflow finds the open issue by it."""
    return f"<!-- {PROJECT}-drift:{environment} -->"


def run_url(environ: Mapping[str, str]) -> str | None:
    """The URL of the running GitHub Actions run, or None outside Actions."""
    repository, run_id = environ.get("GITHUB_REPOSITORY"), environ.get("GITHUB_RUN_ID")
    if not repository or not run_id:
        return None
    server = environ.get("GITHUB_SERVER_URL") or "https://github.com"
    return f"{server.rstrip('/')}/{repository}/actions/runs/{run_id}"
