"""The body of the one drift issue per environment, found again through a hidden marker."""

from __future__ import annotations

from facts.project import drift_issue_marker
from infra.config import ENVIRONMENTS, ConfigError


def marker(environment: str) -> str:
    """Stable across runs and report changes: the workflow finds the open issue by it."""
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"unknown environment '{environment}' (known: {', '.join(ENVIRONMENTS)})")
    return drift_issue_marker(environment)


def issue_head(environment: str) -> str:
    return (
        f"{marker(environment)}\n"
        f"The scheduled drift check found changes made outside Terraform in **{environment}**. "
        "This issue is updated while the drift lasts and closed when it is gone.\n\n"
    )


def issue_tail(run_url: str | None) -> str:
    tail = "\n---\n"
    if run_url:
        tail += f"Last checked by [this workflow run]({run_url}). "
    tail += (
        "To resolve: revert the manual change, or change the code to match and deploy, "
        "or let the next deploy put it back (see *Next deploy* above).\n"
    )
    return tail
