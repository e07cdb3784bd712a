"""tfjson.template: every function call and reference Terraform would see, or a refusal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfjson.template import TemplateError, parse_template, parse_traversal

FILE = 'file("/proc/self/environ")'

# (template, functions, references)
READ = [
    ("plain text", [], []),
    ("$${file(1)} and %%{ if x }", [], []),  # escapes: literal text
    ("${aws_s3_bucket.logs.arn}", [], [("aws_s3_bucket", "logs")]),
    (
        "${data.aws_caller_identity.caller.account_id}",
        [],
        [("data", "aws_caller_identity", "caller")],
    ),
    ("${tolist(aws_subnet.a[*].id)}", ["tolist"], [("aws_subnet", "a")]),
    (f"${{{FILE}}}", ["file"], []),
    (f"${{file/**/({FILE[5:]}}}", ["file"], []),  # comment between name and call
    (f"${{file # line comment\n({FILE[5:]}}}", ["file"], []),
    (f"${{file // line comment\n({FILE[5:]}}}", ["file"], []),
    (f'%{{ if {FILE} != "" }}x%{{ else }}y%{{ endif }}', ["file"], []),
    (f'%{{~ for l in split("\\n", {FILE}) ~}}${{l}}%{{ endfor ~}}', ["split", "file"], []),
    (f'${{"nested ${{{FILE}}}"}}', ["file"], []),
    (f'${{"quote \\" and ${{{FILE}}}"}}', ["file"], []),
    (f"${{<<EOT\nheredoc ${{{FILE}}}\nEOT\n}}", ["file"], []),
    (f'${{<<-EOT\n  %{{ if {FILE} == "" }}x%{{ endif }}\n  EOT\n}}', ["file"], []),
    (f"${{core::{FILE}}}", ["core::file"], []),
    (
        "${provider::aws::arn_parse(var.arn).account_id}",
        ["provider::aws::arn_parse"],
        [("var", "arn")],
    ),
    ('${{ (file("x")) = 1, k = local.v }}', ["file"], [("local", "v")]),
    ('${[for s in var.xs : upper(s) if s != ""]}', ["upper"], [("var", "xs")]),
    ("${{for k, v in var.m : k => v...}}", [], [("var", "m")]),
    ("${a ? b.c : -1.5e3 + d.e[0] * 2}", [], [("a",), ("b", "c"), ("d", "e")]),
    ("${each.value}-${count.index}", [], [("each", "value"), ("count", "index")]),
    ('${jsonencode({a = [1, 2,], "b": null})}', ["jsonencode"], []),
]


@pytest.mark.parametrize(("text", "functions", "references"), READ)
def test_reads_every_call_and_reference(text: str, functions: list, references: list) -> None:
    analysis = parse_template(text)
    assert analysis.functions == functions
    assert analysis.references == references


REFUSED = [
    '${f\u0456le("x")}',  # Cyrillic i: not a name this reader vouches for
    '${file("x")',  # unterminated
    "${ /* unterminated comment }",
    "%{ if true }x",  # directive without its end
    "%{ endif }",
    "%{ while x }%{ endwhile }",
    '${"newline\nin quotes"}',
    '${"\\q"}',  # unknown escape
    "${<<EOT\nno end marker\n}",
    "${core::file}",  # namespace without a call
    "${" + "(" * 200 + "1" + ")" * 200 + "}",  # deeper than MAX_NESTING
    "${@}",
]


@pytest.mark.parametrize("text", REFUSED)
def test_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(TemplateError):
        parse_template(text)


def test_traversals() -> None:
    assert parse_traversal("aws.us_east_1") == ("aws", "us_east_1")
    assert parse_traversal("aws_subnet.a[0]") == ("aws_subnet", "a", "0")
    for text in ('file("x")', "aws.", "a b", "${a.b}"):
        with pytest.raises(TemplateError):
            parse_traversal(text)


_PIECES = st.sampled_from(
    ["${", "}", "%{", "if ", "endif", "for ", " in ", "endfor", "else", "file", "(", ")",
     '"', "\\", "/*", "*/", "#", "\n", "<<EOT\n", "EOT", "$${", "~", "var.x", "::", "[", "]",
     "{", ":", "=>", "?", ",", "...", "1e3", "\u0456"]
)  # fmt: skip


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=40).map("".join))
def test_fuzz_reads_or_refuses_never_crashes(text: str) -> None:
    """Any text either parses or raises TemplateError (never another exception), and what a
    parse reports is made of ASCII names only."""
    try:
        analysis = parse_template(text)
    except TemplateError:
        return
    for name in [*analysis.functions, *(p for ref in analysis.references for p in ref)]:
        assert name.isascii() and name.replace("::", "").replace("_", "").replace("-", "").isalnum()
