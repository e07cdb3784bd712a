"""``pipeline.markdown.text``: untrusted text outside code spans renders as text, nothing else.

Plan comments, drift issues, job summaries and the policy pack's Markdown put resource names,
plan values and rule messages (which quote the PR's synthesized JSON) in table cells, headings
and list items. Each is parsed back with markdown-it-py as GitHub would (CommonMark + tables),
with ``text_join`` off so that an escaped character stays its own token, as it does for the
autolinkers of cmark-gfm and markdown-it (they look only inside one run of plain text).

Checked for every hostile value: no link, image, autolink, HTML or emphasis; no block
structure other than the one it was put in; no ``@`` or ``#`` outside a code span, where GitHub
would find a mention or an issue reference after rendering; no ``://`` or ``www.`` in one run
of text; and the reader sees the value itself (whitespace runs as one space, a newline as
``\\n``, an invisible character as its code).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.markdown import CELL_LIMIT, cell, text
from tests.pipeline.test_markdown_code import HOSTILE as CODE_HOSTILE

PARSER = MarkdownIt("commonmark").enable("table").disable("text_join")
LIVE = {
    "link_open",
    "image",
    "html_inline",
    "html_block",
    "autolink",
    "em_open",
    "strong_open",
    "s_open",
    "softbreak",
    "hardbreak",
}

HOSTILE = {
    **CODE_HOSTILE,
    "team mention": "please approve @org/platform-team",
    "mention at the start": "@octocat",
    "email": "mail admin@evil.example now",
    "issue reference": "fixes #123 and org/repo#4",
    "bare URL": "see https://evil.example/x?a=1 now",
    "www autolink": "visit www.evil.example",
    "mailto": "mailto:a",
    "inline link": "[click](https://evil.example)",
    "reference link": "[click][x]\n\n[x]: https://evil.example",
    "image": "![pixel](https://evil.example/p.png)",
    "autolink": "<https://evil.example>",
    "raw HTML": "<img src=x onerror=alert(1)>",
    "details": "</details><details open><summary>x</summary>",
    "HTML entities": "&lt;b&gt; &#64;team &commat;x &amp;",
    "emphasis": "**bold** __b__ *em* _em_ ~~gone~~",
    "heading": "# Approved",
    "setext heading": "ok\n===",
    "quote": "> quoted",
    "list": "- item\n1. one\n+ two",
    "thematic break": "***",
    "indented code": "        indented",
    "tabs": "\t\tx\ty",
    "fenced code": "```\ncode\n```",
    "table row": "a | b\n|---|---|\n| c | d |",
    "backslashes": "a\\b\\\\c\\",
    "bidi override": "abc\u202edef",
    "zero width": "a\u200bb\u200d@team",
    "line separator": "a\u2028b",
    "control": "a\x00b\x1bc",
    "non-ASCII punctuation": "a — b … “c” \uff20d",
    "emoji": "ok ✅ 🚀",
}


def _shown(value: str) -> str:
    """What the reader should see: text() collapses whitespace and marks what is invisible."""
    lines = []
    for line in value.replace("\r", "").split("\n"):
        words = "".join(" " if c.isspace() else c for c in line).split()
        lines.append(" ".join(words))
    flat = "\n".join(lines).strip(" ")
    return "".join(
        "\\n"
        if c == "\n"
        else c
        if unicodedata.category(c)[0] in "LMNPSZ" and c.isprintable()
        else f"\\u{ord(c):04x}"
        for c in flat
    )


def _children(tokens: list[Token]) -> list[Token]:
    return [c for t in tokens if t.type == "inline" for c in t.children or []]


def _assert_inert(tokens: list[Token]) -> None:
    for token in [*tokens, *_children(tokens)]:
        assert token.type not in LIVE, token
    plain = [c.content for c in _children(tokens) if c.type == "text"]
    for run in plain:
        assert "@" not in run and "#" not in run, run  # GitHub mentions and issue refs
        assert "://" not in run and "www." not in run.lower(), run  # autolinks
    # An escaped character is a token of its own: no run of text joins across it.
    for special in (c for c in _children(tokens) if c.type == "text_special"):
        assert special.info == "escape", special


def _seen(inline: Token) -> str:
    """The text a reader sees in one inline token (plain text and code spans)."""
    assert inline.children is not None
    return "".join(c.content for c in inline.children)


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_value_is_text_in_its_own_table_cell(value: str) -> None:
    document = f"| value | next |\n| --- | --- |\n| {cell(value, limit=10_000)} | end |\n"

    tokens = PARSER.parse(document)

    _assert_inert(tokens)
    assert [t.type for t in tokens].count("tr_open") == 2
    inlines = [t for t in tokens if t.type == "inline"]
    assert [_seen(t) for t in inlines] == ["value", "next", _shown(value), "end"]


@pytest.mark.parametrize(
    "value",
    [v for v in HOSTILE.values() if "|" not in v],
    ids=[k for k, v in HOSTILE.items() if "|" not in v],
)
@pytest.mark.parametrize(
    ("template", "before", "after"),
    [
        ("Changed {} today.\n", "Changed ", " today."),
        ("### {}\n", "", ""),
        ("- {}\n", "", ""),
        ("> {}\n", "", ""),
        ("{}\n", "", ""),
    ],
    ids=["paragraph", "heading", "list item", "quote", "line of its own"],
)
def test_a_hostile_value_is_text_in_a_block(
    template: str, before: str, after: str, value: str
) -> None:
    tokens = PARSER.parse(template.format(text(value)))

    _assert_inert(tokens)
    if not before and not _shown(value):
        return  # nothing to show: an empty heading, item or paragraph
    assert [t.type for t in tokens] == [t.type for t in PARSER.parse(template.format("x"))]
    (inline,) = [t for t in tokens if t.type == "inline"]
    assert _seen(inline) == before + _shown(value) + after


def test_mentions_and_references_become_code_spans_that_copy_back_exactly() -> None:
    rendered = text("cc @org/team re #12: [x](y)")

    assert rendered == "cc `@org/team` re `#12:` \\[x\\]\\(y\\)"
    codes = [c.content for c in _children(PARSER.parse(rendered)) if c.type == "code_inline"]
    assert codes == ["@org/team", "#12:"]


def test_plain_prose_stays_readable() -> None:
    assert text("bucket has no encryption") == "bucket has no encryption"
    assert text("aws_s3_bucket.logs: versioning off") == (
        "aws\\_s3\\_bucket\\.logs\\: versioning off"
    )


def test_a_cut_value_is_cut_before_escaping_and_marked() -> None:
    value = "x" * (CELL_LIMIT + 50) + " @team"

    rendered = cell(value)

    (inline,) = [t for t in PARSER.parse(rendered + "\n") if t.type == "inline"]
    assert _seen(inline) == "x" * (CELL_LIMIT - 1) + "…"
    assert "@team" not in rendered


# Every character that means something to Markdown, HTML, GitHub or a table, and some that
# are invisible.
_DANGEROUS = st.text(
    alphabet="`` @#<>[]()!|\\\n\r\t*_~&;:/.-+=wW1aZ\u202e\u200b\u00a0\uff20", max_size=60
)


@settings(max_examples=400, deadline=None)
@given(_DANGEROUS)
def test_no_value_built_from_markdown_syntax_is_more_than_text(value: str) -> None:
    tokens = PARSER.parse(f"| v | n |\n| --- | --- |\n| {cell(value, limit=10_000)} | end |\n")

    _assert_inert(tokens)
    inlines = [t for t in tokens if t.type == "inline"]
    assert [_seen(t) for t in inlines] == ["v", "n", _shown(value), "end"]

    tokens = PARSER.parse(f"- {text(value)}\n")
    _assert_inert(tokens)


# The renderers: each hostile value where the PR's JSON or a plan can put it.
_ATTACK = "aws_s3_bucket.x @org/team #1 [a](https://evil.example) <img src=x> www.evil.example"


def _assert_no_attack_outside_code(markdown: str, *, own_html: set[str] | None = None) -> None:
    tokens = PARSER.parse(markdown)
    for token in [*tokens, *_children(tokens)]:
        if token.type in {"html_block", "html_inline"} and own_html is not None:
            assert token.content.strip() in own_html, token
            continue
        assert token.type not in {"link_open", "image", "autolink", "html_block", "html_inline"}
    plain = [c.content for c in _children(tokens) if c.type == "text"]
    assert not [run for run in plain if "@org" in run or "#1" in run or "://" in run]
    assert not [run for run in plain if "www.evil" in run]


def test_a_hostile_policy_message_and_stack_stay_text() -> None:
    from policies.model import Severity
    from policies.reporters.markdown import render
    from tests.policies.test_policy_reporters import finding, report

    hostile = finding("AT001", "aws_lb.x", Severity.ERROR, message=_ATTACK + "\nline two")
    rendered = render(report((hostile,)))

    own = {"<details open><summary><b>Errors (1)</b></summary>", "</details>"}
    _assert_no_attack_outside_code(rendered, own_html=own)
    assert "line two" in rendered


def test_a_hostile_plan_summary_stays_text(run_cli, write_json) -> None:
    plan = write_json(
        "plan.json",
        {
            "format_version": "1.2",
            "terraform_version": "1.11.4 " + _ATTACK,
            "resource_changes": [
                {
                    "address": "aws_s3_bucket.x",
                    "previous_address": _ATTACK,
                    "mode": "managed",
                    "type": "aws_s3_bucket",
                    "name": "x",
                    "change": {
                        "actions": ["delete", "create"],
                        "before": {"tags": {}},
                        "after": {"tags": {}},
                        "after_unknown": {},
                    },
                    "replace_paths": [["tags", _ATTACK]],
                }
            ],
        },
    )

    result = run_cli("plan-summary", plan)

    assert result.code == 0, result.err
    assert "moved from" in result.out and "forces replacement" in result.out
    _assert_no_attack_outside_code(result.out, own_html={"<sub>", "</sub>"})


def test_a_hostile_terraform_log_cannot_close_its_code_block() -> None:
    from pipeline.comment import render

    log = f"Error: bad value\n```\n{_ATTACK}\n````\n{_ATTACK}\n"
    body = render(
        marker="<!-- m -->",
        environment="dev",
        stack=None,
        summary=None,
        findings=None,
        plan_exit=1,
        policies_exit=None,
        plan_log=log,
        run_url=None,
    )

    tokens = PARSER.parse(body)
    (fence,) = [t for t in tokens if t.type == "fence"]
    assert fence.content == log
    _assert_no_attack_outside_code(body, own_html={"<!-- m -->"})


def test_a_hostile_gate_step_detail_and_log_stay_text(tmp_path: Path) -> None:
    from gate.runner import Status, StepResult
    from gate.summary import write_markdown

    step = StepResult(
        name="checkov", status=Status.FAILED, seconds=1.0, detail=_ATTACK, lines=("```", _ATTACK)
    )
    out = tmp_path / "summary.md"

    write_markdown([step], path=out, total_seconds=1.0, relative_to=tmp_path)

    _assert_no_attack_outside_code(out.read_text(encoding="utf-8"))


def test_a_hostile_finding_in_the_gate_summary_by_file_stays_text() -> None:
    from pipeline.findings import findings_by_source

    findings = [
        {
            "severity": "error",
            "rule_id": _ATTACK,
            "address": "a",
            "stack": _ATTACK,
            "message": _ATTACK,
        }
    ]

    lines = findings_by_source(findings, link_base=None)

    _assert_no_attack_outside_code("\n".join(lines) + "\n")


@pytest.mark.parametrize("field", ["problem", "applied_at", "unfinished_since"])
def test_a_hostile_deployment_record_stays_text(field: str) -> None:
    from pipeline.deployments import Promotion

    values = {
        "environment": "dev",
        "commit": "0123456789abcdef",
        "applied_at": "2026-12-03T10:00:00Z",
        "run_url": None,
        "behind": 0,
        "problem": None,
        "unfinished": "fedcba9876543210",
        "unfinished_since": "2026-12-03T11:00:00Z",
    }
    values[field] = _ATTACK

    markdown = Promotion(**values).markdown()  # type: ignore[arg-type]

    _assert_no_attack_outside_code(markdown)
    assert "aws\\_s3\\_bucket\\.x" in markdown


def test_a_hostile_address_in_the_attribute_details_stays_in_its_html_block(
    run_cli, write_json
) -> None:
    """The per-resource ``<details>`` block is HTML: a blank line in the address would end it."""
    address = 'aws_s3_bucket.y["\n\n' + _ATTACK + '"]'
    plan = write_json(
        "plan.json",
        {
            "format_version": "1.2",
            "terraform_version": "1.11.4",
            "resource_changes": [
                {
                    "address": address,
                    "mode": "managed",
                    "type": "aws_s3_bucket",
                    "name": "y",
                    "change": {
                        "actions": ["update"],
                        "before": {"tags": {"a": "1"}},
                        "after": {"tags": {"a": "2"}},
                        "after_unknown": {},
                    },
                }
            ],
        },
    )

    result = run_cli("plan-summary", plan)

    assert result.code == 0, result.err
    tokens = PARSER.parse(result.out)
    details = [t for t in tokens if t.type == "html_block" and "<details>" in t.content]
    assert len(details) == 1 and "&lt;img src=x&gt;" in details[0].content
    assert "<img" not in details[0].content
    rest = [t for t in tokens if t.type == "html_block" and t not in details]
    assert all(t.content.strip() == "</details>" for t in rest)
    children = _children(tokens)
    assert not [c for c in children if c.type in {"link_open", "image", "autolink"}]
    assert not [c for c in children if c.type == "text" and "@org" in c.content]
