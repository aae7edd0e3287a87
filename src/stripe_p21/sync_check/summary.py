"""The demo's summary: events by status, orders, payments, credit memos, GL entries, payouts
reconciled and review items by queue — from our database and the P21 state."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.sync_check import db


@dataclass(slots=True)
class Summary:
    events: Counter[str] = field(default_factory=Counter)
    orders: int = 0
    payments: int = 0
    credit_memos: int = 0
    gl_entries: int = 0
    payouts_reconciled: Counter[str] = field(default_factory=Counter)
    review_items: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        def pairs(counter: Counter[str]) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "none"

        return [
            f"Events          : {sum(self.events.values())} ({pairs(self.events)})",
            f"Orders          : {self.orders} sales orders, {self.payments} payments on "
            "existing orders/invoices",
            f"Credit memos    : {self.credit_memos}",
            f"GL entries      : {self.gl_entries}",
            f"Payouts         : {sum(self.payouts_reconciled.values())} reconciled "
            f"({pairs(self.payouts_reconciled)})",
            f"Review items    : {sum(self.review_items.values())} ({pairs(self.review_items)})",
        ]

    def text(self) -> str:
        return "\n".join(self.lines())

    def as_json(self) -> dict[str, Any]:
        return {
            "events": dict(self.events),
            "orders": self.orders,
            "payments": self.payments,
            "credit_memos": self.credit_memos,
            "gl_entries": self.gl_entries,
            "payouts_reconciled": dict(self.payouts_reconciled),
            "review_items": dict(self.review_items),
        }


async def summarise(
    *, p21_state: dict[str, Any], sessions: async_sessionmaker[AsyncSession]
) -> Summary:
    """Counts for the demo: what arrived, what P21 got, what a person must look at."""
    ours = await db.load(sessions)
    return Summary(
        events=ours.events,
        orders=len(ours.links_of("order")),
        payments=len(ours.links_of("payment")),
        credit_memos=len(p21_state.get("rmas", [])),
        gl_entries=len(p21_state.get("gl_entries", [])),
        payouts_reconciled=Counter(run.status for run in ours.runs),
        review_items=Counter(item.queue for item in ours.review_items),
    )
