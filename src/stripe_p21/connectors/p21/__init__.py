"""Prophet 21 connector: the async client, its gateway protocol, payloads and typed errors."""

from stripe_p21.connectors.p21.client import P21Client
from stripe_p21.connectors.p21.errors import (
    P21AuthError,
    P21Error,
    P21NotFound,
    P21OutcomeUnknown,
    P21RejectedError,
    P21TransientError,
)
from stripe_p21.connectors.p21.gateway import P21Gateway
from stripe_p21.connectors.p21.once import OnceResult, create_order_once
from stripe_p21.connectors.p21.schemas import (
    Address,
    CustomerChanges,
    CustomerDraft,
    CustomerRow,
    Invoice,
    Item,
    JournalEntry,
    JournalLine,
    OrderDraft,
    OrderLine,
    OrderRef,
    OrderSummary,
    P21Customer,
    P21Order,
    Payment,
    Period,
    PostedJournal,
)

__all__ = [
    "Address",
    "CustomerChanges",
    "CustomerDraft",
    "CustomerRow",
    "Invoice",
    "Item",
    "JournalEntry",
    "JournalLine",
    "OnceResult",
    "OrderDraft",
    "OrderLine",
    "OrderRef",
    "OrderSummary",
    "P21AuthError",
    "P21Client",
    "P21Customer",
    "P21Error",
    "P21Gateway",
    "P21NotFound",
    "P21Order",
    "P21OutcomeUnknown",
    "P21RejectedError",
    "P21TransientError",
    "Payment",
    "Period",
    "PostedJournal",
    "create_order_once",
]
