"""Runs an OData table query (``$filter $select $orderby $top $skip $count``) against the store.

Mirrors P21: no ``$top`` returns the whole table, there is never an ``@odata.nextLink``, unknown
tables and columns are 404, malformed options are 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from stripe_p21.sandbox.p21.odata_parser import ODataNotFound, ODataSyntaxError, parse_filter
from stripe_p21.sandbox.p21.odata_sql import Columns, compile_filter, sql_column
from stripe_p21.sandbox.p21.store import Store
from stripe_p21.sandbox.p21.tables import TABLES, ColumnType

SUPPORTED_OPTIONS = frozenset({"$filter", "$select", "$orderby", "$top", "$skip", "$count"})
_ORDER_ITEM = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?\s*$", re.IGNORECASE)


def table_columns(table: str) -> Columns:
    if table not in TABLES:
        raise ODataNotFound(f"No HTTP resource was found that matches the table '{table}'.")
    return {name: (name, kind) for name, kind in TABLES[table].items()}


def _count(value: str | None, option: str) -> int | None:
    if value is None:
        return None
    if not value.strip().isdigit():
        raise ODataSyntaxError(f"Invalid value '{value}' for {option}; expected an integer >= 0.")
    return int(value)


def _select(value: str | None, columns: Columns) -> list[str]:
    if value is None or value.strip() == "*":
        return list(columns)
    names = [part.strip() for part in value.split(",")]
    if any(not name for name in names):
        raise ODataSyntaxError(f"Syntax error in $select '{value}'.")
    for name in names:
        if name not in columns:
            raise ODataNotFound(f"Could not find a property named '{name}'.")
    return names


def _orderby(value: str | None, columns: Columns) -> str:
    if value is None:
        return ""
    terms = []
    for part in value.split(","):
        match = _ORDER_ITEM.match(part)
        if match is None:
            raise ODataSyntaxError(f"Syntax error in $orderby '{value}'.")
        name, direction = match.group(1), (match.group(2) or "asc").upper()
        if name not in columns:
            raise ODataNotFound(f"Could not find a property named '{name}'.")
        terms.append(f"{sql_column(*columns[name])} {direction}")
    return " ORDER BY " + ", ".join(terms)


def decode_row(row: Mapping[str, Any], kinds: Mapping[str, ColumnType]) -> dict[str, Any]:
    """Decimals stored as text come back as exact ``Decimal``s."""
    return {
        name: Decimal(value) if kinds.get(name) == "decimal" and value is not None else value
        for name, value in row.items()
    }


def run_query(
    store: Store, table: str, options: Mapping[str, str], base_url: str
) -> dict[str, Any]:
    """The OData answer body for ``GET /odataservice/odata/table/{table}?…``."""
    columns = table_columns(table)
    for key in options:
        if key.startswith("$") and key not in SUPPORTED_OPTIONS:
            raise ODataSyntaxError(f"The query parameter '{key}' is not supported.")
    where, params = "", list[Any]()
    if options.get("$filter") is not None:
        condition, params = compile_filter(parse_filter(options["$filter"]), columns)
        where = f" WHERE {condition}"
    selected = _select(options.get("$select"), columns)
    order = _orderby(options.get("$orderby"), columns)
    top, skip = _count(options.get("$top"), "$top"), _count(options.get("$skip"), "$skip")
    limit = f" LIMIT {top if top is not None else -1} OFFSET {skip or 0}"
    sql = f"SELECT {', '.join(selected)} FROM {table}{where}{order}{limit}"  # noqa: S608
    rows = [decode_row(row, TABLES[table]) for row in store.rows(sql, params)]
    body: dict[str, Any] = {"@odata.context": f"{base_url}/odataservice/odata/$metadata#{table}"}
    count_flag = (options.get("$count") or "false").lower()
    if count_flag not in ("true", "false"):
        raise ODataSyntaxError(f"Invalid value '{count_flag}' for $count.")
    if count_flag == "true":
        total = store.row(f"SELECT COUNT(*) AS n FROM {table}{where}", params)  # noqa: S608
        body["@odata.count"] = (total or {}).get("n", 0)
    body["value"] = rows
    return body
