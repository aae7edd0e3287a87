"""Ledger and catalogue capabilities: GL journal entries, open periods and item lookups.

GL entries go to ``/api/accounting/gl/`` as one array of signed lines; P21 answers 500 "Records do
not balance" for an unbalanced entry and refuses closed periods, which arrive as
``P21RejectedError``. Periods and items are read through OData and the inventory REST family.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from stripe_p21.connectors.p21.errors import P21NotFound, P21RejectedError
from stripe_p21.connectors.p21.http import P21Http
from stripe_p21.connectors.p21.odata import any_of, flag, parse_datetime, query_table, quote
from stripe_p21.connectors.p21.schemas import (
    Item,
    JournalEntry,
    Period,
    PostedJournal,
    format_amount,
)

GL_PATH = "/api/accounting/gl/"
PARTS_PATH = "/api/inventory/parts/"
_ITEM_BATCH = 25


def gl_lines(entry: JournalEntry, company_no: str) -> list[dict[str, Any]]:
    """The array P21 takes; amounts as exact JSON numbers, dates as ISO."""
    return [
        {
            "CompanyNo": company_no,
            "AccountNumber": line.account_number,
            "Period": entry.period,
            "YearForPeriod": entry.year,
            "JournalId": entry.journal_id,
            "Amount": Decimal(format_amount(line.amount)),
            "ForeignAmount": Decimal(format_amount(line.foreign_amount or line.amount)),
            "Description": line.description or entry.description,
            "Source": entry.source,
            "TransactionDate": entry.transaction_date.isoformat(),
        }
        for line in entry.lines
    ]


def _item(data: dict[str, Any]) -> Item:
    price = data.get("Price1", data.get("list_price"))
    return Item(
        item_id=str(data.get("ItemId", data.get("item_id"))),
        description=str(data.get("ItemDesc", data.get("item_desc")) or ""),
        price=None if price in (None, "") else Decimal(str(price)),
        unit=data.get("DefaultSellingUnit"),
        deleted=flag(data.get("delete_flag")),
    )


class AccountingOps:
    """Mixed into ``P21Client``; needs ``_http``, ``company_id`` and ``server_tz``."""

    _http: P21Http
    company_id: str
    server_tz: tzinfo

    async def post_journal_entry(self, entry: JournalEntry) -> PostedJournal:
        """Post one balanced entry; P21 assigns the shared ``TransactionNumber``."""
        lines = gl_lines(entry, self.company_id)
        echoed = await self._http.request_json("POST", GL_PATH, json=lines, write=True)
        if not echoed:
            raise P21RejectedError("GL post answered without lines", path=GL_PATH)
        return PostedJournal(str(echoed[0]["TransactionNumber"]), tuple(echoed))

    async def find_journal_by_reference(self, reference: str) -> str | None:
        """The ``TransactionNumber`` of the entry whose line descriptions start with
        ``reference`` (our Stripe id goes first in every description), or None. P21's GL API has
        no idempotency key: this is the lookup-before-retry for journal entries (OData ``gl``)."""
        where = (
            f"company_no eq {quote(self.company_id)} and startswith(description,{quote(reference)})"
        )
        try:
            rows = await query_table(
                self._http, "gl", where=where, select=("transaction_number",),
                orderby="gl_uid", top=1,
            )  # fmt: skip
        except P21NotFound:
            return None
        return str(rows[0]["transaction_number"]) if rows else None

    async def get_journal_entry(self, transaction_number: str) -> PostedJournal | None:
        """The entry's lines; P21 answers ``200 []`` for an unknown number."""
        lines = await self._http.request_json("GET", GL_PATH + transaction_number)
        return PostedJournal(transaction_number, tuple(lines)) if lines else None

    async def list_open_periods(self, year: int | None = None) -> list[Period]:
        where = f"company_no eq '{self.company_id}' and period_closed eq 'N'"
        if year is not None:
            where += f" and year_for_period eq {int(year)}"
        rows = await query_table(
            self._http, "periods", where=where, orderby="year_for_period,period"
        )
        return [
            Period(
                year=int(row["year_for_period"]),
                period=int(row["period"]),
                closed=flag(row.get("period_closed")),
                begins=parse_datetime(row.get("beginning_date"), self.server_tz),
                ends=parse_datetime(row.get("ending_date"), self.server_tz),
            )
            for row in rows
        ]

    async def get_item(self, item_id: str) -> Item:
        """One item from the inventory REST family, or ``P21NotFound``."""
        return _item(await self._http.request_json("GET", PARTS_PATH + item_id))

    async def find_items(self, item_ids: Sequence[str]) -> dict[str, Item]:
        """The known items among ``item_ids`` (OData ``inv_mast``), keyed by id."""
        found: dict[str, Item] = {}
        unique = sorted(set(item_ids))
        for start in range(0, len(unique), _ITEM_BATCH):
            batch = unique[start : start + _ITEM_BATCH]
            rows = await query_table(self._http, "inv_mast", where=any_of("item_id", batch))
            found.update({str(row["item_id"]): _item(row) for row in rows})
        return found
