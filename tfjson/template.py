"""A strict reader for Terraform's template and expression syntax, as JSON configuration uses it.

In a ``*.tf.json`` file every string is a template (HCL's template language: literal text,
``${ expression }`` interpolations and ``%{ if }``/``%{ for }`` directives), and a few meta-
arguments (``depends_on``, ``provider``, ``lifecycle.ignore_changes``) are bare traversals.
The PR-plan boundary (pipeline/boundary.py) must know every function a string calls and every
object it refers to, and no pattern over the text can tell that: Terraform reads comments inside
an interpolation, nested quoted templates, heredocs and directives. So this module parses the
text with a recursive-descent reader of the HCL native grammar and returns what it found.

It is deliberately narrower than HCL, never wider: identifiers are ASCII only, nesting is
bounded, and anything it does not recognise raises TemplateError. A string it refuses is
refused by the boundary; a string it accepts has exactly the calls and references it reports
(for-expression and ``%{ for }`` iterator names are local and not references).
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_NESTING = 48  # far deeper than anything CDKTF writes; keeps recursion bounded
MAX_TEXT = 1_000_000  # characters per string

_ID_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_ID_CONTINUE = _ID_START | frozenset("0123456789-")
_DIGITS = frozenset("0123456789")
_SPACE = frozenset(" \t\r\n")
# Longest first, so "==" is not read as "=" and "<=" not as "<".
_BINARY = ("||", "&&", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%")
_STRING_ESCAPES = frozenset('nrt"\\')


class TemplateError(ValueError):
    """The text is not something this reader can vouch for; the message says where."""


@dataclass
class Analysis:
    """Every function name called and every reference made, in the order first seen."""

    functions: list[str] = field(default_factory=list)
    # A reference: the root name and the attribute names after it, e.g. ("var", "x"),
    # ("aws_s3_bucket", "logs", "arn"), ("data", "aws_caller_identity", "caller", "account_id").
    references: list[tuple[str, ...]] = field(default_factory=list)

    def merge(self, other: Analysis) -> None:
        for name in other.functions:
            if name not in self.functions:
                self.functions.append(name)
        for reference in other.references:
            if reference not in self.references:
                self.references.append(reference)


def parse_template(text: str) -> Analysis:
    """Read ``text`` as a Terraform template (every string of a ``*.tf.json`` file)."""
    reader = _Reader(text)
    reader.template(end=None)
    return reader.analysis


def parse_traversal(text: str) -> tuple[str, ...]:
    """Read ``text`` as a static traversal (``aws_s3_bucket.logs``, ``aws.us_east_1``)."""
    reader = _Reader(text)
    parts = [reader.identifier()]
    while not reader.at_end():
        if reader.peek() == ".":
            reader.pos += 1
            parts.append(reader.identifier())
        elif reader.peek() == "[":
            reader.pos += 1
            parts.append(reader.number())
            reader.expect("]")
        else:
            reader.fail("expected `.` or `[` in a traversal")
    return tuple(parts)


class _Reader:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_TEXT:
            raise TemplateError(f"string longer than {MAX_TEXT} characters")
        self.text = text
        self.pos = 0
        self.depth = 0
        self.scopes: list[frozenset[str]] = []
        self.analysis = Analysis()

    # -- low level ------------------------------------------------------------------------

    def fail(self, message: str) -> None:
        raise TemplateError(f"{message} at offset {self.pos}")

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self, length: int = 1) -> str:
        return self.text[self.pos : self.pos + length]

    def expect(self, token: str) -> None:
        if not self.text.startswith(token, self.pos):
            self.fail(f"expected `{token}`")
        self.pos += len(token)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.fail(f"nested more than {MAX_NESTING} levels")

    def leave(self) -> None:
        self.depth -= 1

    def skip_space(self) -> None:
        """Whitespace and the three comment forms HCL reads inside expressions."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in _SPACE:
                self.pos += 1
            elif char == "#" or text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    self.fail("unterminated /* comment")
                self.pos = end + 2
            else:
                return

    def identifier(self) -> str:
        start = self.pos
        if self.at_end() or self.text[self.pos] not in _ID_START:
            if not self.at_end() and not self.text[self.pos].isascii():
                self.fail("non-ASCII character in an expression")
            self.fail("expected a name")
        self.pos += 1
        while not self.at_end() and self.text[self.pos] in _ID_CONTINUE:
            self.pos += 1
        if not self.at_end() and not self.text[self.pos].isascii():
            self.fail("non-ASCII character in a name")
        return self.text[start : self.pos]

    def number(self) -> str:
        start = self.pos
        while not self.at_end() and self.text[self.pos] in _DIGITS:
            self.pos += 1
        if self.pos == start:
            self.fail("expected a number")
        return self.text[start : self.pos]

    def word_ahead(self, word: str) -> bool:
        """``word`` as a whole name at the current position."""
        if not self.text.startswith(word, self.pos):
            return False
        after = self.pos + len(word)
        return after >= len(self.text) or self.text[after] not in _ID_CONTINUE

    # -- templates ------------------------------------------------------------------------

    def template(self, *, end: str | None, heredoc: str | None = None) -> None:
        """Literal text, interpolations and directives up to ``end`` (a quote) or the end.

        ``end`` is '"' inside a quoted template (which has backslash escapes) and None for a
        JSON string; ``heredoc`` is the closing marker of a heredoc body.
        """
        self.enter()
        directives: list[str] = []
        text = self.text
        while True:
            if heredoc is not None and self.heredoc_ends(heredoc):
                break
            if self.at_end():
                if end is not None or heredoc is not None:
                    self.fail("unterminated string")
                break
            char = text[self.pos]
            if end is not None and char == end:
                break
            if text.startswith(("$${", "%%{"), self.pos):
                self.pos += 3
            elif text.startswith("${", self.pos):
                self.pos += 2
                self.strip_marker()
                self.expression()
                self.close_template_sequence()
            elif text.startswith("%{", self.pos):
                self.pos += 2
                self.directive(directives)
            elif end is not None and char == "\\":
                self.escape()
            elif end is not None and char == "\n":
                self.fail("newline in a quoted string")
            else:
                self.pos += 1
        if directives:
            self.fail(f"%{{ {directives[-1]} }} without its end")
        self.leave()

    def strip_marker(self) -> None:
        if self.peek() == "~":
            self.pos += 1

    def close_template_sequence(self) -> None:
        self.skip_space()
        self.strip_marker()
        self.expect("}")

    def escape(self) -> None:
        self.pos += 1
        char = self.peek()
        if char in _STRING_ESCAPES and char:
            self.pos += 1
        elif char in ("u", "U"):
            width = 4 if char == "u" else 8
            digits = self.text[self.pos + 1 : self.pos + 1 + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                self.fail("bad unicode escape")
            self.pos += 1 + width
        else:
            self.fail("unknown escape sequence")

    def directive(self, directives: list[str]) -> None:
        self.strip_marker()
        self.skip_space()
        keyword = self.identifier()
        if keyword == "if":
            self.expression()
            directives.append("if")
        elif keyword == "for":
            names = self.for_names()
            self.scopes.append(frozenset(names))
            directives.append("for")
        elif keyword == "else":
            if not directives or directives[-1] != "if":
                self.fail("%{ else } outside %{ if }")
            directives[-1] = "else"
        elif keyword == "endif":
            if not directives or directives[-1] not in ("if", "else"):
                self.fail("%{ endif } without %{ if }")
            directives.pop()
        elif keyword == "endfor":
            if not directives or directives[-1] != "for":
                self.fail("%{ endfor } without %{ for }")
            directives.pop()
            self.scopes.pop()
        else:
            self.fail(f"unknown template directive `{keyword}`")
        self.close_template_sequence()

    def for_names(self) -> list[str]:
        """``k, v in EXPR`` (the collection is read in the enclosing scope)."""
        self.skip_space()
        names = [self.identifier()]
        self.skip_space()
        if self.peek() == ",":
            self.pos += 1
            self.skip_space()
            names.append(self.identifier())
            self.skip_space()
        if not self.word_ahead("in"):
            self.fail("expected `in`")
        self.pos += 2
        self.expression()
        return names

    def heredoc_ends(self, marker: str) -> bool:
        """At a line start whose content, less leading spaces, is exactly the marker."""
        if self.pos > 0 and self.text[self.pos - 1] != "\n":
            return False
        line_end = self.text.find("\n", self.pos)
        line = self.text[self.pos : len(self.text) if line_end < 0 else line_end]
        if line.strip(" \t") != marker:
            return False
        self.pos += len(line)
        return True

    # -- expressions ----------------------------------------------------------------------

    def expression(self) -> None:
        """A full expression: operands joined by binary operators, then an optional `? :`."""
        self.enter()
        self.operand()
        while True:
            self.skip_space()
            operator = next((op for op in _BINARY if self.text.startswith(op, self.pos)), None)
            # `=>` separates a for-object's key and value; `=` alone ends an object key.
            if operator is None or self.text.startswith(("=>",), self.pos):
                break
            self.pos += len(operator)
            self.operand()
        self.skip_space()
        if self.peek() == "?":
            self.pos += 1
            self.expression()
            self.skip_space()
            self.expect(":")
            self.expression()
        self.leave()

    def operand(self) -> None:
        self.skip_space()
        while self.peek() in ("!", "-") and self.peek():
            self.pos += 1
            self.skip_space()
        self.primary()
        self.postfix()

    def primary(self) -> None:
        self.enter()
        char = self.peek()
        if not char:
            self.fail("expected an expression")
        if char in _DIGITS:
            self.number_literal()
        elif char == '"':
            self.pos += 1
            self.template(end='"')
            self.expect('"')
        elif self.text.startswith("<<", self.pos):
            self.heredoc()
        elif char == "(":
            self.pos += 1
            self.expression()
            self.skip_space()
            self.expect(")")
        elif char == "[":
            self.tuple_or_for()
        elif char == "{":
            self.object_or_for()
        elif char in _ID_START:
            self.name_expression()
        else:
            self.fail(f"unexpected {char!r}")
        self.leave()

    def number_literal(self) -> None:
        self.number()
        if self.peek() == "." and self.text[self.pos + 1 : self.pos + 2] in _DIGITS:
            self.pos += 1
            self.number()
        if self.peek() in ("e", "E"):
            self.pos += 1
            if self.peek() in ("+", "-"):
                self.pos += 1
            self.number()

    def heredoc(self) -> None:
        self.pos += 2
        if self.peek() == "-":
            self.pos += 1
        marker = self.identifier()
        if self.peek() == "\r":
            self.pos += 1
        self.expect("\n")
        self.template(end=None, heredoc=marker)

    def name_expression(self) -> None:
        start = self.pos
        name = self.identifier()
        # Namespaced functions (provider::aws::arn_parse, core::file) are functions too.
        while self.text.startswith("::", self.pos):
            self.pos += 2
            name += "::" + self.identifier()
        after_name = self.pos
        self.skip_space()
        if self.peek() == "(":
            self.call(name)
            return
        if "::" in name:
            self.pos = start
            self.fail("namespaced name without a call")
        self.pos = after_name
        if name in ("true", "false", "null"):
            return
        if any(name in scope for scope in self.scopes):
            return  # an iterator of an enclosing for
        self.reference(name)

    def call(self, name: str) -> None:
        if name not in self.analysis.functions:
            self.analysis.functions.append(name)
        self.expect("(")
        self.skip_space()
        while self.peek() != ")":
            self.expression()
            self.skip_space()
            if self.text.startswith("...", self.pos):
                self.pos += 3
                self.skip_space()
            if self.peek() == ",":
                self.pos += 1
                self.skip_space()
            elif self.peek() != ")":
                self.fail("expected `,` or `)` in a call")
        self.pos += 1

    def reference(self, root: str) -> None:
        """The static attribute names after ``root``: as many as name the object."""
        parts = [root]
        wanted = 3 if root == "data" else 2
        while len(parts) < wanted and self.peek() == "." and self.text[self.pos + 1 : self.pos + 2]:
            if self.text[self.pos + 1] not in _ID_START:
                break
            self.pos += 1
            parts.append(self.identifier())
        reference = tuple(parts)
        if reference not in self.analysis.references:
            self.analysis.references.append(reference)

    def postfix(self) -> None:
        """Attribute access, indexes and splats after an operand."""
        while True:
            mark = self.pos
            self.skip_space()
            char = self.peek()
            if char == "." and self.text[self.pos + 1 : self.pos + 2] != ".":
                self.pos += 1
                nxt = self.peek()
                if nxt == "*":
                    self.pos += 1
                elif nxt and nxt in _DIGITS:
                    self.number()
                else:
                    self.identifier()
            elif char == "[":
                self.pos += 1
                self.skip_space()
                if self.peek() == "*":
                    self.pos += 1
                else:
                    self.expression()
                self.skip_space()
                self.expect("]")
            else:
                self.pos = mark
                return

    def tuple_or_for(self) -> None:
        self.pos += 1
        self.skip_space()
        if self.word_ahead("for"):
            self.for_head()
            self.expression()
            self.for_tail("]")
            return
        while self.peek() != "]":
            self.expression()
            self.skip_space()
            if self.peek() == ",":
                self.pos += 1
                self.skip_space()
            elif self.peek() != "]":
                self.fail("expected `,` or `]`")
        self.pos += 1

    def for_head(self) -> None:
        """`for NAMES :` of a for expression; its names are in scope until for_tail."""
        self.pos += 3
        names = self.for_names()
        self.skip_space()
        self.expect(":")
        self.scopes.append(frozenset(names))

    def for_tail(self, closer: str) -> None:
        """The optional `if CONDITION` (names still in scope), then the closing bracket."""
        self.skip_space()
        if self.word_ahead("if"):
            self.pos += 2
            self.expression()
        self.scopes.pop()
        self.skip_space()
        self.expect(closer)

    def object_or_for(self) -> None:
        self.pos += 1
        self.skip_space()
        if self.word_ahead("for"):
            self.for_head()
            self.expression()
            self.skip_space()
            self.expect("=>")
            self.expression()
            self.skip_space()
            if self.text.startswith("...", self.pos):
                self.pos += 3
            self.for_tail("}")
            return
        while self.peek() != "}":
            self.object_key()
            self.skip_space()
            if self.peek() in ("=", ":") and not self.text.startswith("==", self.pos):
                self.pos += 1
            else:
                self.fail("expected `=` or `:` after an object key")
            self.expression()
            self.skip_space()
            if self.peek() == ",":
                self.pos += 1
            self.skip_space()
            if self.at_end():
                self.fail("unterminated object")
        self.pos += 1

    def object_key(self) -> None:
        """A bare name followed by `=`/`:` is a literal key; anything else an expression."""
        if self.peek() in _ID_START:
            mark = self.pos
            self.identifier()
            self.skip_space()
            if self.peek() == ":" or (
                self.peek() == "=" and not self.text.startswith("==", self.pos)
            ):
                return
            self.pos = mark
        self.expression()
