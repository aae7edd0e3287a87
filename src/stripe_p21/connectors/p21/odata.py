"""Reads through P21's OData table service: literal quoting, date handling and paging.

OData is the read side of P21 (snake_case columns, dates without a zone). It has no next link,
so callers page with ``$top``/``$skip`` until a short page, and ``in (...)`` is silently ignored
by P21, so lists of values are sent as ``or`` chains.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any

from stripe_p21.connectors.p21.http import P21Http

ODATA_PREFIX = "/odataservice/odata/table/"


def quote(value: str) -> str:
    """An OData string literal: single quotes, inner quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def any_of(column: str, values: Sequence[str]) -> str:
    """``column eq 'a' or column eq 'b'`` — P21 ignores ``in (...)``, so never use it."""
    return " or ".join(f"{column} eq {quote(v)}" for v in values)


def datetime_literal(value: datetime, server_tz: tzinfo = UTC) -> str:
    """A timezone-aware moment as P21's wall-clock time, in OData's literal form."""
    if value.tzinfo is None:
        raise ValueError("datetimes sent to P21 must be timezone-aware")
    local = value.astimezone(server_tz).replace(microsecond=0)
    return local.isoformat().replace("+00:00", "Z")


def parse_datetime(value: object, server_tz: tzinfo = UTC) -> datetime | None:
    """P21's zone-less ISO timestamps, read in the server's zone and made aware."""
    if value in (None, ""):
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=server_tz)


def flag(value: object) -> bool:
    """P21's 'Y'/'N' flags."""
    return str(value or "N").upper() == "Y"


def to_int(value: object) -> int | None:
    if value in (None, ""):
        return None
    return int(Decimal(str(value)))


async def query_table(
    http: P21Http,
    table: str,
    *,
    where: str | None = None,
    select: Sequence[str] = (),
    orderby: str | None = None,
    top: int | None = None,
    skip: int | None = None,
) -> list[dict[str, Any]]:
    """One OData request; ``value`` rows as dicts (decimals exact)."""
    params: dict[str, str] = {}
    if where:
        params["$filter"] = where
    if select:
        params["$select"] = ",".join(select)
    if orderby:
        params["$orderby"] = orderby
    if top is not None:
        params["$top"] = str(top)
    if skip:
        params["$skip"] = str(skip)
    body = await http.request_json("GET", ODATA_PREFIX + table, params=params)
    rows = (body or {}).get("value") or []
    return [dict(row) for row in rows]
