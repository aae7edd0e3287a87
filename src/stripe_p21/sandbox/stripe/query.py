"""SQL for Stripe-style list pages: newest first, id cursors, and the filters lists accept.

Kept apart from the store so the paging rules (`starting_after`, `ending_before`) live in one place.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_OPS = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "like": "LIKE", "in": "IN"}
_COLUMNS = {"created", "payout", "id"}
_FIELD = re.compile(r"^[a-z_][a-z0-9_.]*$")


@dataclass(frozen=True, slots=True)
class Filter:
    """`field op value`; `field` is a column (created, payout) or a dotted JSON path."""

    field: str
    op: str
    value: Any

    def sql(self) -> tuple[str, list[Any]]:
        if self.op not in _OPS or not _FIELD.match(self.field):
            raise ValueError(f"unsupported filter {self.field} {self.op}")
        target = self.field if self.field in _COLUMNS else f"json_extract(body, '$.{self.field}')"
        if self.op == "in":
            values = list(self.value)
            marks = ", ".join("?" for _ in values) or "NULL"
            return f"{target} IN ({marks})", values
        return f"{target} {_OPS[self.op]} ?", [self.value]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: objects newest first and whether more exist beyond the cursor."""

    data: list[dict[str, Any]]
    has_more: bool


def _cursor(db: sqlite3.Connection, object_id: str) -> tuple[int, int]:
    row = db.execute("SELECT created, seq FROM objects WHERE id = ?", (object_id,)).fetchone()
    if row is None:
        raise LookupError(object_id)
    return int(row[0]), int(row[1])


def page_query(
    db: sqlite3.Connection,
    object_type: str,
    filters: Sequence[Filter],
    limit: int,
    starting_after: str | None,
    ending_before: str | None,
) -> tuple[str, list[Any]]:
    """SELECT for one page (limit + 1 rows, to tell whether there are more)."""
    clauses: list[str] = ["object = ?"]
    params: list[Any] = [object_type]
    for item in filters:
        clause, values = item.sql()
        clauses.append(clause)
        params.extend(values)
    order = "DESC"
    if starting_after is not None:
        created, seq = _cursor(db, starting_after)
        clauses.append("(created < ? OR (created = ? AND seq < ?))")
        params.extend([created, created, seq])
    elif ending_before is not None:
        created, seq = _cursor(db, ending_before)
        clauses.append("(created > ? OR (created = ? AND seq > ?))")
        params.extend([created, created, seq])
        order = "ASC"
    where = " AND ".join(clauses)
    sql = f"SELECT body FROM objects WHERE {where} ORDER BY created {order}, seq {order} LIMIT ?"  # noqa: S608
    params.append(limit + 1)
    return sql, params
