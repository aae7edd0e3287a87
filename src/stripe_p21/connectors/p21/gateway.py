"""``P21Gateway``: the capabilities the pipeline needs from P21, as a protocol.

The pipeline depends on this protocol, not on ``P21Client``, so tests and the dry-run can hand it
a fake; ``P21Client`` satisfies it structurally.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from stripe_p21.connectors.p21.schemas import (
    CustomerChanges,
    CustomerDraft,
    CustomerRow,
    Invoice,
    InvoiceRef,
    Item,
    JournalEntry,
    OrderDraft,
    OrderRef,
    OrderSummary,
    P21Customer,
    P21Order,
    Payment,
    Period,
    PostedJournal,
)


@runtime_checkable
class P21Gateway(Protocol):
    """What stripe-p21 asks of Prophet 21. Every method raises only ``P21Error`` subclasses."""

    async def find_customer(self, customer_id: int | str) -> P21Customer | None: ...

    async def find_customers_by_email(self, email: str) -> list[P21Customer]: ...

    async def find_customers_by_name(self, prefix: str) -> list[P21Customer]: ...

    async def create_customer(self, draft: CustomerDraft) -> P21Customer: ...

    async def update_customer(
        self, customer_id: int | str, changes: CustomerChanges
    ) -> P21Customer: ...

    def customers_modified_since(
        self, since: datetime, *, page_size: int = 500
    ) -> AsyncIterator[CustomerRow]: ...

    async def create_order(self, draft: OrderDraft) -> OrderRef: ...

    async def create_rma(self, draft: OrderDraft) -> OrderRef: ...

    async def add_payment(self, order_no: str, payment: Payment) -> None: ...

    async def hold_order(self, order_no: str) -> None: ...

    async def release_order(self, order_no: str) -> None: ...

    async def cancel_order(self, order_no: str) -> None: ...

    async def get_order(self, order_no: str) -> P21Order: ...

    async def find_orders_by_reference(self, po_no: str) -> list[OrderSummary]: ...

    async def find_invoice(self, invoice_no: str) -> Invoice | None: ...

    async def find_invoice_for_order(self, order_no: str) -> Invoice | None: ...

    async def create_direct_invoice(self, draft: OrderDraft) -> InvoiceRef:
        """Order, payment and invoice in one call — the sandbox's ``POST /api/v2/invoices`` alias
        only; a real P21 invoices an order when it ships (order, then ``Shipping``)."""
        ...

    async def post_journal_entry(self, entry: JournalEntry) -> PostedJournal: ...

    async def find_journal_by_reference(self, reference: str) -> str | None: ...

    async def list_open_periods(self, year: int | None = None) -> list[Period]: ...

    async def get_item(self, item_id: str) -> Item: ...

    async def find_items(self, item_ids: Sequence[str]) -> dict[str, Item]: ...
