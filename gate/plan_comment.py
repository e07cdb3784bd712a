"""Render the sticky PR comment for one environment's plan: summary, policy findings, and on
failure the end of the terraform log, kept under GitHub's 65,536-character comment limit.

When the parts do not fit, each is cut at a line boundary to a fair share of the budget and the
comment says what was cut and where the full text is (the run's artifacts).

    python -m gate.plan_comment --env dev --stack catalog-api-dev \\
        --summary reports/plan/dev/summary.md --findings reports/plan/dev/policies.md \\
        --plan-exit 0 --policies-exit 0 --output reports/plan/dev/comment.md
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click

GITHUB_COMMENT_LIMIT = 65_536
# Headroom for the header, notes and footer, and for GitHub counting characters differently.
BODY_BUDGET = GITHUB_COMMENT_LIMIT - 4_000
LOG_TAIL_LINES = 60


def marker(environment: str) -> str:
    """The hidden first line that identifies this environment's sticky comment."""
    return f"<!-- catalog-api-plan:{environment} -->"


@dataclass(frozen=True, kw_only=True)
class Section:
    title: str
    text: str
    # Where a reader finds the full text when this section is cut.
    full_text_at: str


@dataclass(frozen=True, kw_only=True)
class Cut:
    title: str
    kept_chars: int
    total_chars: int
    dropped_lines: int
    full_text_at: str


def fit(sections: list[Section], *, budget: int) -> tuple[list[Section], list[Cut]]:
    """Cut sections to fit ``budget`` characters; short sections keep everything."""
    if sum(len(s.text) for s in sections) <= budget:
        return sections, []
    shares: dict[int, int] = {}
    remaining = budget
    order = sorted(range(len(sections)), key=lambda i: len(sections[i].text))
    for position, index in enumerate(order):
        fair = remaining // (len(order) - position)
        shares[index] = min(len(sections[index].text), fair)
        remaining -= shares[index]
    fitted, cuts = [], []
    for index, section in enumerate(sections):
        kept = _cut_at_line(section.text, shares[index])
        if len(kept) < len(section.text):
            cuts.append(
                Cut(
                    title=section.title,
                    kept_chars=len(kept),
                    total_chars=len(section.text),
                    dropped_lines=section.text.count("\n") - kept.count("\n"),
                    full_text_at=section.full_text_at,
                )
            )
            kept = _close_fences(kept) + "\n\n_… cut here, see the note below._"
        fitted.append(Section(title=section.title, text=kept, full_text_at=section.full_text_at))
    return fitted, cuts


def _cut_at_line(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[:limit]
    newline = head.rfind("\n")
    return head[:newline] if newline > 0 else head


def _close_fences(text: str) -> str:
    # An unclosed ``` would swallow the rest of the comment into a code block.
    fences = sum(1 for line in text.splitlines() if line.lstrip().startswith("```"))
    return text + "\n```" if fences % 2 else text


def render(
    *,
    environment: str,
    stack: str,
    summary: str | None,
    findings: str | None,
    plan_exit: int,
    policies_exit: int | None,
    plan_log: str | None,
    run_url: str | None,
) -> str:
    artifacts = f"the `plan-{environment}` artifact" + (
        f" of [this run]({run_url})" if run_url else ""
    )
    sections: list[Section] = []
    if plan_exit != 0:
        tail = "\n".join((plan_log or "").splitlines()[-LOG_TAIL_LINES:])
        sections.append(
            Section(
                title="terraform log (end)",
                text=f"```text\n{tail}\n```",
                full_text_at=f"the job log of {artifacts}",
            )
        )
    if summary:
        sections.append(
            Section(
                title="plan summary",
                text=summary.strip(),
                full_text_at=f"{artifacts} (plan.redacted.json)",
            )
        )
    if findings:
        sections.append(
            Section(
                title="policy findings",
                text=findings.strip(),
                full_text_at=f"{artifacts} (policies.md)",
            )
        )
    fitted, cuts = fit(sections, budget=BODY_BUDGET)

    if plan_exit != 0:
        verdict = "❌ terraform plan failed"
    elif policies_exit == 1:
        verdict = "❌ blocking policy findings"
    elif policies_exit not in (0, None):
        verdict = "❌ the policy check could not run"
    else:
        verdict = "✅ plan ready for review"
    out = [marker(environment), f"## Plan: `{environment}` (`{stack}`) — {verdict}", ""]
    for section in fitted:
        if section.title != "plan summary":
            out += [f"### {section.title[0].upper()}{section.title[1:]}", ""]
        out += [section.text, ""]
    if cuts:
        out.append("> [!NOTE]")
        out.append("> This comment was shortened to stay under GitHub's 65,536-character limit:")
        for cut in cuts:
            out.append(
                f"> - {cut.title}: kept {cut.kept_chars:,} of {cut.total_chars:,} characters "
                f"({cut.dropped_lines:,} lines cut); full text in {cut.full_text_at}."
            )
        out.append("")
    if run_url:
        out.append(
            f"<sub>Updated by [run]({run_url}). This comment is replaced on every push.</sub>"
        )
    body = "\n".join(out) + "\n"
    if len(body) > GITHUB_COMMENT_LIMIT:  # cannot happen with the budget above; never post it
        raise click.ClickException("rendered comment exceeds GitHub's limit")
    return body


def _read(path: Path | None) -> str | None:
    if path is None or not path.is_file():
        return None
    return path.read_text(encoding="utf-8", errors="replace")


def _run_url() -> str | None:
    server, repo, run = (
        os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--env", "environment", required=True, help="Environment name.")
@click.option("--stack", required=True, help="Stack name.")
@click.option("--summary", type=click.Path(path_type=Path), help="Plan summary (Markdown).")
@click.option("--findings", type=click.Path(path_type=Path), help="Policy findings (Markdown).")
@click.option("--plan-exit", type=int, required=True, help="Exit code of terraform plan.")
@click.option("--policies-exit", type=int, help="Exit code of the policy check, if it ran.")
@click.option("--plan-log", type=click.Path(path_type=Path), help="terraform's output.")
@click.option("--output", type=click.Path(path_type=Path), required=True, help="Comment file.")
def command(
    *,
    environment: str,
    stack: str,
    summary: Path | None,
    findings: Path | None,
    plan_exit: int,
    policies_exit: int | None,
    plan_log: Path | None,
    output: Path,
) -> None:
    """Render the sticky plan comment for one environment."""
    body = render(
        environment=environment,
        stack=stack,
        summary=_read(summary),
        findings=_read(findings),
        plan_exit=plan_exit,
        policies_exit=policies_exit,
        plan_log=_read(plan_log),
        run_url=_run_url(),
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(body, encoding="utf-8")
    click.echo(f"wrote {output} ({len(body):,} characters)")


if __name__ == "__main__":
    command()
