"""Binds a parsed ``$filter`` to a table's columns and compiles it to parameterised SQLite SQL.

Binding is where P21's 404s come from: unknown columns, comparing a number column with a string
literal (or the reverse), functions P21 does not know. Strings compare case-insensitively, like
P21's SQL Server collation.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from stripe_p21.sandbox.p21.odata_parser import (
    FUNCTIONS,
    Call,
    Column,
    Compare,
    Ignored,
    Literal,
    Logical,
    Node,
    Not,
    ODataNotFound,
    ODataSyntaxError,
)
from stripe_p21.sandbox.p21.tables import ColumnType

Columns = Mapping[str, tuple[str, ColumnType]]
"""Visible name → (SQL column, type); OData uses the names as they are, the Entity API maps."""

_SQL_OPS = {"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_FAMILY = {"number": "number", "decimal": "number", "string": "string", "datetime": "datetime"}


def sql_column(name: str, kind: ColumnType) -> str:
    return f"CAST({name} AS REAL)" if kind == "decimal" else name


def datetime_value(text: str) -> str:
    """A datetime literal as the store's zone-less UTC text; a bad date is a syntax error."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ODataSyntaxError(f"The literal '{text}' is not a valid datetime.") from exc
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S")


class _Compiler:
    def __init__(self, columns: Columns) -> None:
        self.columns = columns
        self.params: list[Any] = []

    def column(self, node: Column) -> tuple[str, ColumnType]:
        if node.name not in self.columns:
            raise ODataNotFound(f"Could not find a property named '{node.name}'.")
        return self.columns[node.name]

    def boolean(self, node: Node) -> str:
        if isinstance(node, Logical):
            return f"({self.boolean(node.left)} {node.op.upper()} {self.boolean(node.right)})"
        if isinstance(node, Not):
            return f"(NOT {self.boolean(node.operand)})"
        if isinstance(node, Ignored):
            return "1=1"
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, Literal) and node.kind == "bool":
            return "1=1" if node.value else "1=0"
        raise ODataNotFound("The $filter expression must evaluate to a boolean value.")

    def call(self, node: Call) -> str:
        if node.name not in FUNCTIONS:
            raise ODataNotFound(f"Unknown function '{node.name}'.")
        if len(node.args) != 2:
            raise ODataSyntaxError(f"Function '{node.name}' takes two arguments.")
        target, pattern = node.args
        if not isinstance(target, Column) or not isinstance(pattern, Literal):
            raise ODataNotFound(f"'{node.name}' needs a column and a string literal.")
        name, kind = self.column(target)
        if kind != "string" or pattern.kind != "string":
            raise ODataNotFound(f"'{node.name}' is not defined for the type of '{target.name}'.")
        text = str(pattern.value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        shapes = {"startswith": f"{text}%", "endswith": f"%{text}", "contains": f"%{text}%"}
        self.params.append(shapes[node.name])
        return f"{name} LIKE ? ESCAPE '\\'"

    def compare(self, node: Compare) -> str:
        left, right = node.left, node.right
        if isinstance(left, Literal) and isinstance(right, Column):
            left, right = right, left
        if isinstance(right, Literal) and right.kind == "bool":
            positive = (right.value is True) == (node.op == "eq")
            if node.op not in ("eq", "ne"):
                raise ODataNotFound("Booleans compare only with eq or ne.")
            inner = self.boolean(left)
            return inner if positive else f"(NOT {inner})"
        lsql, lkind = self.operand(left)
        rsql, rkind = self.operand(right)
        if "null" in (lkind, rkind):
            if node.op not in ("eq", "ne"):
                raise ODataNotFound("null compares only with eq or ne.")
            other = rsql if lkind == "null" else lsql
            return f"{other} IS {'NOT ' if node.op == 'ne' else ''}NULL"
        if _FAMILY.get(lkind, lkind) != _FAMILY.get(rkind, rkind):
            raise ODataNotFound(f"A binary operator with incompatible types ({lkind}, {rkind}).")
        collate = " COLLATE NOCASE" if lkind == "string" else ""
        return f"{lsql} {_SQL_OPS[node.op]} {rsql}{collate}"

    def operand(self, node: Node) -> tuple[str, str]:
        if isinstance(node, Column):
            name, kind = self.column(node)
            return sql_column(name, kind), kind
        if isinstance(node, Literal):
            if node.kind == "null":
                return "NULL", "null"
            if node.kind == "bool":
                raise ODataNotFound("No column here is boolean.")
            value = datetime_value(str(node.value)) if node.kind == "datetime" else node.value
            self.params.append(value)
            return "?", node.kind
        raise ODataNotFound("Only columns and literals can be compared.")


def compile_filter(node: Node, columns: Columns) -> tuple[str, list[Any]]:
    """SQL for a WHERE clause and its parameters."""
    compiler = _Compiler(columns)
    return compiler.boolean(node), compiler.params
