"""Markdown pieces for GitHub: table cells, and documents that fit GitHub's size limits.

GitHub rejects comment and issue bodies over 65,536 characters and truncates job summaries
over 1 MiB, so every Markdown document is assembled under ``MARKDOWN_LIMIT`` and says what it cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.values import render

MARKDOWN_LIMIT = 60_000
CELL_LIMIT = 200
# Room kept for the "output cut" note itself.
_NOTE_RESERVE = 400


def cell(text: str, *, limit: int = CELL_LIMIT) -> str:
    """Text safe inside a table cell: one line, pipes escaped, long text shortened."""
    flat = text.replace("\r", "").replace("\n", "\\n")
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return flat.replace("|", "\\|")


def code(text: str, *, limit: int = CELL_LIMIT) -> str:
    """A code span for a table cell; code spans keep values from being read as Markdown/HTML."""
    body = cell(text, limit=limit)
    fence = "``" if "`" in body else "`"
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def value_cell(value: object) -> str:
    """A masked value as a table cell."""
    return code(render(value))


@dataclass(kw_only=True)
class Section:
    """A part of a document that may be cut: a fixed heading, then items cut from the end."""

    heading: str
    items: list[str] = field(default_factory=list)
    noun: str = "items"
    footer: str = ""


def assemble(*, head: str, sections: list[Section], tail: str = "", limit: int) -> str:
    """``head``, the sections in order, then ``tail``; cut items from the end to fit ``limit``.

    Sections are in priority order: once one item does not fit, it and every later item are
    left out, and a note names how many of each kind were cut.
    """
    # A head longer than the limit (a huge --title) leaves no room: every item is cut.
    budget = max(0, limit - len(head) - len(tail) - _NOTE_RESERVE)
    parts = [head]
    used = 0
    cut: list[tuple[int, int, str]] = []
    full = True
    for section in sections:
        if not section.items:
            continue
        kept = 0
        if full:
            frame = len(section.heading) + len(section.footer)
            if used + frame + len(section.items[0]) <= budget:
                parts.append(section.heading)
                used += frame
                for item in section.items:
                    if used + len(item) > budget:
                        full = False
                        break
                    parts.append(item)
                    used += len(item)
                    kept += 1
                parts.append(section.footer)
            else:
                full = False
        if kept < len(section.items):
            cut.append((len(section.items) - kept, len(section.items), section.noun))
    if cut:
        what = "; ".join(f"{n:,} of {total:,} {noun}" for n, total, noun in cut)
        parts.append(
            f"\n> [!WARNING]\n> Output cut to stay under {limit:,} characters: "
            f"{what} not shown. The JSON format and the workflow artifact have everything.\n"
        )
    parts.append(tail)
    return "".join(parts)
