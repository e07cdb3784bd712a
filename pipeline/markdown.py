"""Markdown pieces for GitHub: table cells, and documents that fit GitHub's size limits.

GitHub rejects comment and issue bodies over 65,536 characters and truncates job summaries
over 1 MiB, so every Markdown document is assembled under ``MARKDOWN_LIMIT`` and says what it cut.
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass, field
from itertools import groupby

from pipeline.values import render

MARKDOWN_LIMIT = 60_000
CELL_LIMIT = 200


def text(value: str, *, limit: int | None = None) -> str:
    """Untrusted text as inert Markdown: whatever ``value`` holds, the reader sees it as text.

    The one escaping routine for text that is not in a code span (table cells, headings,
    paragraphs, list items) of every PR comment, job summary and issue body. It is an
    allowlist: letters, digits, marks, symbols and non-ASCII punctuation pass as they are;
    every ASCII punctuation character, all of which CommonMark lets a backslash escape, is
    escaped, so no emphasis, link, image, autolink (``https:``, ``www.``), HTML, entity,
    table pipe or block marker (``#``, ``>``, ``-``, ``1.``) can start. Runs of whitespace
    become one space, a newline the two characters ``\\n``, and an invisible or control
    character (bidi overrides, zero-width characters) its code, ``\\u202e``.

    Escaping cannot stop what GitHub does after rendering: it finds @mentions and issue
    references (``#123``, ``owner/repo#1``) in the rendered text, where ``\\@`` or ``&#64;``
    is a plain ``@`` again. So a word holding ``@`` or ``#`` is shown as a code span
    (``code()``), which GitHub leaves alone and which copies back exactly as written.
    """
    lines = value.replace("\r", "").split("\n")
    flat = "\n".join(" ".join(_words(line)) for line in lines).strip(" ")
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return "\\n".join(
        " ".join(_inert_word(word) for word in line.split(" ")) for line in flat.split("\n")
    )


def cell(value: str, *, limit: int = CELL_LIMIT) -> str:
    """Untrusted text as one table cell: ``text()``, shortened to ``limit`` characters."""
    return text(value, limit=limit)


def _words(line: str) -> list[str]:
    return "".join(" " if char.isspace() else char for char in line).split()


def _inert_word(word: str) -> str:
    shown = "".join(_visible(char) for char in word)
    if "@" in shown or "#" in shown:
        return code(shown, limit=len(shown))
    # string.punctuation is exactly the ASCII punctuation CommonMark lets a backslash escape.
    return "".join("\\" + char if char in string.punctuation else char for char in shown)


def _visible(char: str) -> str:
    if unicodedata.category(char)[0] in "LMNPS" and char.isprintable():
        return char
    return f"\\u{ord(char):04x}"  # bidi overrides, zero-width and control characters


def _one_line(value: str, *, limit: int) -> str:
    """A value on one line for a code span: a newline shown as ``\\n``, cut to ``limit``."""
    flat = value.replace("\r", "").replace("\n", "\\n")
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return flat.replace("|", "\\|")


def code(value: str, *, limit: int = CELL_LIMIT) -> str:
    """An inline code span, for a table cell, that nothing in ``value`` can end early.

    Inside a code span Markdown, HTML, links and @mentions are inert, and CommonMark ends the
    span only at a backtick run exactly as long as the opening one. So the fence is one backtick
    longer than the longest run in the value, and a value that starts or ends with a backtick
    (which would merge with the fence) is padded with a space, which the parser strips again.
    """
    body = _one_line(value, limit=limit)
    longest = max((len(list(run)) for char, run in groupby(body) if char == "`"), default=0)
    fence = "`" * (longest + 1)
    # The parser strips one space from each end when both ends are spaces (and the content is
    # not all spaces), so such a value is padded too, to come out unchanged. An empty value
    # would make "``", which is no code span at all: it is shown as one space.
    stripped_by_parser = body.startswith(" ") and body.endswith(" ") and body.strip(" ") != ""
    if body.startswith("`") or body.endswith("`") or stripped_by_parser:
        body = f" {body} "
    return f"{fence}{body or ' '}{fence}"


def code_fence(lines: list[str]) -> str:
    """The fence of a code block holding ``lines`` (a log), which no line in them can close.

    A line of three backticks would end a fixed three-backtick block and turn the rest of the
    log (Terraform echoes the PR's values) into live Markdown; the fence is longer than any
    backtick run in the lines, at least three.
    """
    longest = max(
        (len(list(run)) for line in lines for char, run in groupby(line) if char == "`"),
        default=0,
    )
    return "`" * max(3, longest + 1)


def value_cell(value: object) -> str:
    """A masked value as a table cell."""
    return code(render(value))


@dataclass(kw_only=True)
class Section:
    """A part of a document that may be cut: a fixed heading, items cut from the end, a footer.

    Items are table rows, blocks or lines of text. Sections of the same ``priority`` share the
    room fairly; a later priority gets only what the earlier ones leave, and nothing once an
    earlier one had to be cut.
    """

    heading: str
    items: list[str] = field(default_factory=list)
    noun: str = "items"
    footer: str = ""
    priority: int = 0

    @property
    def size(self) -> int:
        return len(self.heading) + len(self.footer) + sum(len(item) for item in self.items)


def text_section(text: str, *, heading: str = "", noun: str = "lines", footer: str = "") -> Section:
    """A Markdown text cut at line boundaries (e.g. a report rendered by another tool)."""
    return Section(heading=heading, items=text.splitlines(keepends=True), noun=noun, footer=footer)


def assemble(
    *,
    head: str,
    sections: list[Section],
    tail: str = "",
    limit: int,
    everything_in: str = "the JSON format and the workflow artifact",
) -> str:
    """``head``, the sections in order, then ``tail``, in at most ``limit`` characters.

    The one size-fitting routine of every PR comment, job summary and issue body. When the
    sections do not fit, each keeps a fair share of the room (a short section keeps
    everything), items are cut from the end, and a note says how many of each kind were cut
    and where everything is (``everything_in``).
    """
    kept = _fit(
        sections,
        max(
            0,
            limit
            - len(head)
            - len(tail)
            - _note_size(sections, limit=limit, everything_in=everything_in),
        ),
    )
    parts = [head]
    cut: list[tuple[int, int, str]] = []
    for section, count in zip(sections, kept, strict=True):
        if not section.items:
            continue
        if count:
            shown = section.items[:count]
            parts += [section.heading, *shown, _closing_fence(shown), section.footer]
        if count < len(section.items):
            cut.append((len(section.items) - count, len(section.items), section.noun))
    if cut:
        parts.append(_note(cut, limit=limit, everything_in=everything_in))
    parts.append(tail)
    return "".join(parts)


def _fit(sections: list[Section], budget: int) -> list[int]:
    """How many items of each section fit ``budget``: fair shares within a priority."""
    kept = [0] * len(sections)
    remaining = budget
    for priority in sorted({section.priority for section in sections}):
        group = sorted(
            (i for i, s in enumerate(sections) if s.priority == priority and s.items),
            key=lambda i: sections[i].size,
        )
        complete = True
        for position, index in enumerate(group):
            share = remaining // (len(group) - position)
            kept[index], used = _take(sections[index], share)
            remaining -= used
            complete = complete and kept[index] == len(sections[index].items)
        if not complete:
            break  # later priorities only get room an earlier one did not need
    return kept


def _take(section: Section, share: int) -> tuple[int, int]:
    """(items kept, characters used) for ``section`` within ``share`` characters."""
    used = len(section.heading) + len(section.footer) + len("```\n")  # room to close a fence
    count = 0
    for item in section.items:
        if used + len(item) > share:
            break
        used += len(item)
        count += 1
    return (count, used) if count else (0, 0)


def _closing_fence(items: list[str]) -> str:
    # A cut inside a ``` block would swallow the rest of the document into code.
    fences = sum(1 for item in items if item.lstrip().startswith("```"))
    return "```\n" if fences % 2 else ""


def _note(cut: list[tuple[int, int, str]], *, limit: int, everything_in: str) -> str:
    what = "; ".join(f"{n:,} of {total:,} {noun}" for n, total, noun in cut)
    return (
        f"\n> [!WARNING]\n> Output cut to stay under {limit:,} characters: {what} not shown. "
        f"Everything is in {everything_in}.\n\n"
    )


def _note_size(sections: list[Section], *, limit: int, everything_in: str) -> int:
    """The longest the cut note can be: every section cut entirely."""
    worst = [(len(s.items), len(s.items), s.noun) for s in sections if s.items]
    return len(_note(worst, limit=limit, everything_in=everything_in)) if worst else 0
