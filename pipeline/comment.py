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
    verdict = _verdict(refused=refused, plan_exit=plan_exit, policies_exit=policies_exit)
    stack_note = f" ({code(stack)})" if stack else ""
    head = f"{marker}\n## Plan: {code(environment)}{stack_note} — {verdict}\n\n"

    sections: list[Section] = []
    if refused is not None:
        head += "No AWS role was used. Fix what the checks below report and push again.\n\n"
        sections.append(_log_section("### Why", refused.splitlines(), noun="check log lines"))
    elif plan_exit != 0:
        tail_lines = (plan_log or "").splitlines()[-LOG_TAIL_LINES:]
        sections.append(_log_section("### Terraform log (end)", tail_lines, noun="log lines"))
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


def _verdict(*, refused: str | None, plan_exit: int | None, policies_exit: int | None) -> str:
    if refused is not None:
        return "⛔ not planned: the checks refused this PR's synthesized stacks"
    if plan_exit != 0:
        return "❌ terraform plan failed"
    if policies_exit == 1:
        return "❌ blocking policy findings"
    if policies_exit not in (0, None):
        return "❌ the policy check could not run"
    return "✅ plan ready for review"


def _log_section(heading: str, lines: list[str], *, noun: str) -> Section:
    """Log lines in a fence longer than any backtick run in them, so none can close it."""
    fence = code_fence(lines)
    return Section(
        heading=f"{heading}\n\n{fence}text\n",
        items=[line + "\n" for line in lines],
        noun=noun,
        footer=f"{fence}\n\n",
    )
