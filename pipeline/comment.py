"""The sticky PR comment for one environment's plan: verdict, plan summary, policy findings,
and on failure the end of the terraform log, under GitHub's 65,536-character comment limit.

``scripts/plan.sh`` writes it with ``pipeline plan-comment``; ``scripts/post-plan-comment.sh``
posts it, finding the comment to update by its first line (``facts.project``).
"""

from __future__ import annotations

from pipeline.markdown import MARKDOWN_LIMIT, Section, assemble, code, code_fence, text_section

GITHUB_COMMENT_LIMIT = 65_536
LOG_TAIL_LINES = 60


def render(
    *,
    marker: str,
    environment: str,
    stack: str | None,
    summary: str | None,
    findings: str | None,
    plan_exit: int | None,
    policies_exit: int | None,
    plan_log: str | None,
    run_url: str | None,
    refused: str | None = None,
    limit: int = MARKDOWN_LIMIT,
) -> str:
    """The comment body. ``refused`` is the log of the checks that refused a PR's synthesized
    stacks before any plan: then nothing was planned and no AWS role was used."""
    if refused is not None:
        verdict = "⛔ not planned: the checks refused this PR's synthesized stacks"
    elif plan_exit != 0:
        verdict = "❌ terraform plan failed"
    elif policies_exit == 1:
        verdict = "❌ blocking policy findings"
    elif policies_exit not in (0, None):
        verdict = "❌ the policy check could not run"
    else:
        verdict = "✅ plan ready for review"
    stack_note = f" ({code(stack)})" if stack else ""
    head = f"{marker}\n## Plan: {code(environment)}{stack_note} — {verdict}\n\n"

    sections: list[Section] = []
    if refused is not None:
        head += "No AWS role was used. Fix what the checks below report and push again.\n\n"
        refused_lines = refused.splitlines()
        fence = code_fence(refused_lines)
        sections.append(
            Section(
                heading=f"### Why\n\n{fence}text\n",
                items=[line + "\n" for line in refused_lines],
                noun="check log lines",
                footer=f"{fence}\n\n",
            )
        )
    elif plan_exit != 0:
        tail_lines = (plan_log or "").splitlines()[-LOG_TAIL_LINES:]
        fence = code_fence(tail_lines)
        sections.append(
            Section(
                heading=f"### Terraform log (end)\n\n{fence}text\n",
                items=[line + "\n" for line in tail_lines],
                noun="log lines",
                footer=f"{fence}\n\n",
            )
        )
    if summary:
        sections.append(
            text_section(summary.strip() + "\n", noun="plan summary lines", footer="\n")
        )
    if findings:
        sections.append(
            text_section(
                findings.strip() + "\n",
                heading="### Policy findings\n\n",
                noun="policy finding lines",
                footer="\n",
            )
        )
    artifact = f"the `plan-{environment}` artifact" + (
        f" of [this run]({run_url})" if run_url else ""
    )
    tail = (
        f"<sub>Updated by [run]({run_url}). This comment is replaced on every push.</sub>\n"
        if run_url
        else ""
    )
    return assemble(
        head=head,
        sections=sections,
        tail=tail,
        limit=min(limit, GITHUB_COMMENT_LIMIT),
        everything_in=f"{artifact} (plan.log, plan.redacted.json, policies.md)",
    )
