"""``pipeline.markdown.code``: a value in a code span can never leave it.

Values in plan comments, drift issues and job summaries come from Terraform plans and from a
PR's synthesized JSON, so they are hostile. Each is parsed back with a real CommonMark parser
(markdown-it-py, with GitHub's table extension), as GitHub would: exactly one code span holding
exactly the value, nothing else in the cell, no link, image or raw HTML anywhere, and no text
outside the span where GitHub could find an @mention or a bare URL.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.markdown import CELL_LIMIT, code

PARSER = MarkdownIt("commonmark").enable("table")
LIVE = {"link_open", "image", "html_inline", "html_block", "autolink"}

HOSTILE = {
    "plain": "aws_s3_bucket.logs",
    "one backtick": "a`b",
    "two backticks (the old break-out)": "x`` @org/team ``y",
    "three backticks": "a```b",
    "a long run": "`````````` then text",
    "starts with a backtick": "`start",
    "ends with a backtick": "end`",
    "only backticks": "``",
    "backtick space backtick": "` `",
    "mention": "@octocat and @org/platform-team",
    "link": "`` [click](https://evil.example/x) ``",
    "image": "``![i](https://evil.example/p.png)``",
    "reference definition": "``\n[x]: https://evil.example\n``",
    "autolink": "`<https://evil.example>`",
    "bare URL": "`` https://evil.example www.evil.example ``",
    "HTML": "``<img src=x onerror=alert(1)>``",
    "HTML comment": "``<!-- hidden -->``",
    "details block": "``</code></details><details open>``",
    "newline then mention": "a``\n@team please approve",
    "CRLF": "a\r\n``b``",
    "pipe": "a | b `|` c",
    "backslash pipe": "a\\|b",
    "trailing backslash": "`a\\`",
    "emphasis": "**bold** _em_ ``~~strike~~``",
    "entities": "&amp; &#96; &lt;script&gt;",
    "spaces both ends": " spaced ",
    "only spaces": "   ",
    "empty": "",
}


def _shown(value: str) -> str:
    """What the reader sees: one line (cell() writes a newline as the two characters \\n)."""
    return value.replace("\r", "").replace("\n", "\\n") or " "


def _inline_tokens(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.type == "inline"]


def _assert_nothing_live(tokens: list[Token]) -> None:
    for token in tokens:
        assert token.type not in LIVE, token
        for child in token.children or []:
            assert child.type not in LIVE, child


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_value_is_one_code_span_in_its_own_table_cell(value: str) -> None:
    document = f"| value | next |\n| --- | --- |\n| {code(value)} | end |\n"

    tokens = PARSER.parse(document)

    _assert_nothing_live(tokens)
    assert [t.type for t in tokens].count("tr_open") == 2
    header, value_cell, next_cell = _inline_tokens(tokens)[1:]  # first: "value"
    assert header.content == "next"
    # Exactly one code span, nothing beside it: no text where a mention or URL could live.
    assert [(c.type, c.content) for c in value_cell.children] == [("code_inline", _shown(value))]
    assert next_cell.content == "end"


@pytest.mark.parametrize(
    "value",
    [v for v in HOSTILE.values() if "|" not in v],
    ids=[k for k, v in HOSTILE.items() if "|" not in v],
)
def test_a_hostile_value_is_one_code_span_in_a_paragraph(value: str) -> None:
    tokens = PARSER.parse(f"Changed {code(value)} today.\n")

    _assert_nothing_live(tokens)
    (inline,) = _inline_tokens(tokens)
    assert [(c.type, c.content) for c in inline.children] == [
        ("text", "Changed "),
        ("code_inline", _shown(value)),
        ("text", " today."),
    ]


def test_the_fence_is_one_backtick_longer_than_the_longest_run() -> None:
    assert code("plain") == "`plain`"
    assert code("a``b") == "```a``b```"
    assert code("`x`") == "`` `x` ``"
    assert code("a" + "`" * 7 + "b").startswith("`" * 8 + "a")


def test_a_cut_value_still_closes_its_span() -> None:
    value = "x" * (CELL_LIMIT - 2) + "````" + "@team"

    tokens = PARSER.parse(f"| v |\n| --- |\n| {code(value)} |\n")

    _assert_nothing_live(tokens)
    cell = _inline_tokens(tokens)[1]
    assert [c.type for c in cell.children] == ["code_inline"]
    assert cell.children[0].content.endswith("…")


# Every character that means something to Markdown, HTML, GitHub or a table.
_DANGEROUS = st.text(alphabet="`` @<>[]()!|\\\n\r*_~&#:/.aZ", max_size=40)


@settings(max_examples=400, deadline=None)
@given(_DANGEROUS)
def test_no_value_built_from_markdown_syntax_escapes_the_span(value: str) -> None:
    tokens = PARSER.parse(f"| v | n |\n| --- | --- |\n| {code(value)} | end |\n")

    _assert_nothing_live(tokens)
    _, _, value_cell, next_cell = _inline_tokens(tokens)
    assert [(c.type, c.content) for c in value_cell.children] == [("code_inline", _shown(value))]
    assert next_cell.content == "end"


def test_a_hostile_address_in_a_policy_finding_stays_in_its_code_span() -> None:
    """The policy pack's Markdown (a PR plan comment quotes it) uses the same code span."""
    from policies.model import Severity
    from policies.reporters.markdown import render
    from tests.policies.test_policy_reporters import finding, report

    address = "aws_lb.x`` @org/team [a](https://evil.example) <b>y</b> ``z"
    text = render(report((finding("AT001", address, Severity.ERROR, message="bad"),)))

    tokens = PARSER.parse(text)
    children = [c for t in _inline_tokens(tokens) for c in t.children or []]
    assert address in [c.content for c in children if c.type == "code_inline"]
    assert not [c for c in children if c.type in LIVE]
    outside = [c.content for c in children if c.type != "code_inline"]
    outside += [t.content for t in tokens if t.type == "html_block"]
    assert not [part for part in outside if "@org" in part or "evil.example" in part]
