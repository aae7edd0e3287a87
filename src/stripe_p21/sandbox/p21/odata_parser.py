"""A parser for the ``$filter`` subset P21's OData service understands, into a small syntax tree.

Comparison (``eq ne gt ge lt le``), ``and or not``, parentheses, ``startswith endswith contains``,
``null``, string/number/datetime literals, and ``in (...)`` (which P21 silently ignores). A
syntax error is P21's 400; anything it cannot bind (unknown column, wrong type) is its 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

COMPARISONS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
FUNCTIONS = frozenset({"startswith", "endswith", "contains"})
MAX_DEPTH = 40


class ODataSyntaxError(ValueError):
    """The query is not OData: P21 answers 400."""


class ODataNotFound(LookupError):
    """The query names something that does not exist or does not fit: P21 answers 404."""


@dataclass(frozen=True)
class Column:
    name: str


@dataclass(frozen=True)
class Literal:
    value: str | int | float | bool | None
    kind: str
    """string, number, datetime, null or bool."""


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Logical:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class Ignored:
    """``x in (...)``: accepted and ignored, as P21 does."""


Node = Union[Column, Literal, Call, Compare, Logical, Not, Ignored]  # noqa: UP007

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<datetime>\d{4}-\d{2}-\d{2}
        (?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})?)?)
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDfFlL]?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_/]*)
    | (?P<punct>[(),])
    )""",
    re.VERBOSE,
)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ODataSyntaxError(f"Syntax error at position {position} in '{text}'.")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0

    def fail(self, what: str) -> ODataSyntaxError:
        return ODataSyntaxError(f"{what} at token {self.pos} in '{self.text}'.")

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise self.fail("Unexpected end of expression")
        self.pos += 1
        return token

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[0] == "name" and token[1].lower() in words:
            self.pos += 1
            return token[1].lower()
        return None

    def expect(self, punct: str) -> None:
        if self.take() != ("punct", punct):
            raise self.fail(f"Expected '{punct}'")

    def parse(self) -> Node:
        node = self.expression()
        if self.peek() is not None:
            raise self.fail("Unexpected token")
        return node

    def expression(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail("Expression nested too deeply")
        node = self.conjunction()
        while self.keyword("or"):
            node = Logical("or", node, self.conjunction())
        self.depth -= 1
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        while self.keyword("and"):
            node = Logical("and", node, self.negation())
        return node

    def negation(self) -> Node:
        count = 0
        while self.keyword("not"):
            count += 1
        node = self.comparison()
        return Not(node) if count % 2 else node

    def comparison(self) -> Node:
        left = self.operand()
        op = self.keyword(*COMPARISONS)
        if op is not None:
            return Compare(op, left, self.operand())
        if self.keyword("in"):
            self.expect("(")
            while self.take() != ("punct", ")"):
                pass
            return Ignored()
        return left

    def operand(self) -> Node:
        kind, value = self.take()
        if (kind, value) == ("punct", "("):
            node = self.expression()
            self.expect(")")
            return node
        if kind == "string":
            return Literal(value[1:-1].replace("''", "'"), "string")
        if kind == "number":
            return _number(value)
        if kind == "datetime":
            return Literal(value, "datetime")
        if kind == "name":
            return self.name(value)
        raise self.fail(f"Unexpected '{value}'")

    def name(self, value: str) -> Node:
        lowered = value.lower()
        if self.peek() == ("punct", "("):
            self.pos += 1
            args: list[Node] = []
            if self.peek() != ("punct", ")"):
                args.append(self.expression())
                while self.peek() == ("punct", ","):
                    self.pos += 1
                    args.append(self.expression())
            self.expect(")")
            return Call(lowered, tuple(args))
        if lowered == "null":
            return Literal(None, "null")
        if lowered in ("true", "false"):
            return Literal(lowered == "true", "bool")
        return Column(value)


def _number(text: str) -> Literal:
    stripped = text.rstrip("mMdDfFlL")
    if re.fullmatch(r"-?\d+", stripped):
        return Literal(int(stripped), "number")
    return Literal(float(stripped), "number")


def parse_filter(text: str) -> Node:
    """The tree of a ``$filter`` expression, or ``ODataSyntaxError``."""
    if not text.strip():
        raise ODataSyntaxError("The $filter expression is empty.")
    return _Parser(text).parse()
