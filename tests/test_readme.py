"""The README is a landing page: short, Quickstart first, and every link it gives resolves."""

from __future__ import annotations

import re

from tests.fixture_paths import REPO_ROOT

README = REPO_ROOT / "README.md"
LINES = README.read_text(encoding="utf-8").splitlines()


def test_readme_is_at_most_200_lines() -> None:
    assert len(LINES) <= 200


def test_quickstart_comes_first_with_exactly_the_two_commands() -> None:
    start = LINES.index("## Quickstart")
    assert start < 40
    fence = LINES.index("```sh", start)
    end = LINES.index("```", fence + 1)
    assert end < 40
    assert LINES[fence + 1 : end] == ["scripts/pre-validate-iac.sh", "scripts/run-tests.sh"]
    assert not any(line.startswith("## ") for line in LINES[start + 1 : fence])


def test_sections_are_in_landing_page_order() -> None:
    headings = [line for line in LINES if line.startswith("## ")]
    order = [
        "## Quickstart",
        "## How a change reaches production",
        "## One-time setup",
        "## Layout",
    ]
    assert [h for h in headings if h in order] == order
    # The flow diagram is the first thing after Quickstart.
    flow = LINES.index(order[1])
    assert LINES[flow + 2] == "```mermaid"


def test_no_dated_measurements_in_prose() -> None:
    text = "\n".join(LINES)
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text)
    assert not re.search(r"\bMeasured\b", text)


def test_every_relative_link_resolves() -> None:
    documents = [README, *sorted((REPO_ROOT / "docs").glob("*.md"))]
    missing = []
    for document in documents:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", document.read_text("utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # an external URL
            path = (document.parent / target).resolve()
            if not path.exists():
                missing.append(f"{document.name}: {target}")
    assert missing == []
