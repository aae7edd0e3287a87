"""Views of P21 GL entries shared by the payout tests: net amount per account, the entries a
description reference finds, and a JSON view of the `JournalEntry` command we send."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from stripe_p21.connectors.p21.schemas import JournalEntry


def net_by_account(entry: dict[str, Any]) -> dict[str, Decimal]:
    """A P21 GL entry (`/sandbox/state` form) summed per account."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in entry["Lines"]:
        totals[str(line["AccountNumber"])] += Decimal(str(line["Amount"]))
    return dict(totals)


def entries_with(entries: Iterable[dict[str, Any]], reference: str) -> list[dict[str, Any]]:
    """The entries whose every line's description starts with `reference`."""
    return [
        entry
        for entry in entries
        if all(str(line["Description"]).startswith(reference) for line in entry["Lines"])
    ]


def command_view(entry: JournalEntry) -> dict[str, Any]:
    """The P21 command as JSON for snapshots."""
    return {
        "period": entry.period, "year": entry.year, "journal_id": entry.journal_id,
        "transaction_date": entry.transaction_date.isoformat(),
        "description": entry.description,
        "lines": [
            {"account": line.account_number, "amount": str(line.amount),
             "description": line.description}
            for line in entry.lines
        ],
    }  # fmt: skip
