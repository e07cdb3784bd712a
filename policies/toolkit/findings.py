"""A finding on a resource, as a rule yields it."""

from __future__ import annotations

from policies.model import Resource, Severity, Violation


def violation(resource: Resource, message: str, severity: Severity | None = None) -> Violation:
    """A violation on ``resource``; ``severity`` overrides the rule's own when given."""
    return Violation(
        address=resource.address, resource=resource, message=message, severity=severity
    )
