"""IAM plan-time rules: a role replaced under the same name while other resources hold it.

Found by name in the plan's prior state (``policies.prior_state``), not by Terraform address.
"""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import Document, Severity, Violation
from policies.registry import rule
from policies.rules._plan_time import DESTROY_FIRST, change_text, known_text, user_list

ROLE = "aws_iam_role"
PROFILES = ("aws_iam_instance_profile",)
ATTACHMENTS = ("aws_iam_role_policy_attachment", "aws_iam_role_policy")


@rule(
    id="PLAN170",
    title="IAM role replaced under the same name while an instance profile or policy holds it",
    severity=Severity.ERROR,
    service="iam",
    failure_class="plan-time",
    source="https://github.com/hashicorp/terraform-provider-aws/issues/1270",
    category="plan",
    resource_types=(ROLE,),
    applies_to=("plan",),
)
def role_replaced_in_place_of_itself(document: Document) -> Iterator[Violation]:
    changing: dict[str, tuple[str, ...]] | None = None
    for role in document.of_type(ROLE):
        if role.actions != DESTROY_FIRST:
            continue  # create-before-destroy with the same name is PLAN100
        name = known_text(role.before, "name")
        prior = document.prior_state
        if name is None or prior is None or known_text(role.values, "name") != name:
            continue  # a new name reaches every holder as an in-place update
        if changing is None:
            changing = {r.address: r.actions for r in document.resources}
        # Holders whose role argument does not change stay as they are: no-op in the plan.
        holders = [
            use
            for use in prior.users_of([name], paths=("role",), types=PROFILES + ATTACHMENTS)
            if changing.get(use.user.address, ("no-op",)) in (("no-op",), ("read",))
        ]
        profiles = [u for u in holders if u.user.type in PROFILES]
        policies = [u for u in holders if u.user.type not in PROFILES]
        if not profiles and not policies:
            continue
        parts = []
        if profiles:
            parts.append(
                f"the provider removes it from {user_list(profiles)} before DeleteRole and "
                "nothing adds it back (the profile's role argument did not change), so "
                "instances using the profile lose their credentials until the next apply "
                "(AWS: the instance profile ... has no role)"
            )
        if policies:
            parts.append(
                f"{user_list(policies)} does not change in the plan: the provider detaches or "
                "deletes the old role's policies to delete it (else DeleteConflict: Cannot "
                "delete entity, must detach all policies first) and nothing puts them on the "
                "new role, which starts without its permissions"
            )
        yield Violation(
            address=role.address,
            resource=role,
            message=(
                f"{change_text(role)} under the same name {name!r}; "
                + "; ".join(parts)
                + "; fix: add lifecycle { replace_triggered_by = [aws_iam_role.<name>] } to the "
                "holders, or use name_prefix with create_before_destroy so the name changes"
            ),
        )
