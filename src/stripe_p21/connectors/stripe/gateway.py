"""`StripeGateway`: everything the pipeline asks of Stripe, as a Protocol of plain dicts.

Domain code depends on this Protocol and never imports `stripe`; `StripeClientGateway` is the real
implementation, and tests may pass any object with these methods.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

STRIPE_API_VERSION = "2026-10-28.endive"
"""The Stripe API version every request is pinned to (see docs/adr/0201). It is the version
stripe-python 16.1 was generated for; change both together, never one alone."""

StripeDict = dict[str, Any]
"""A Stripe object as JSON-compatible dicts and lists (`StripeObject.to_dict()` form)."""

MetadataKind = Literal[
    "charge", "customer", "dispute", "invoice", "payment_intent", "payout", "refund", "subscription"
]
"""Object types whose metadata the gateway can write back."""

DEFAULT_EXPAND: Mapping[str, tuple[str, ...]] = {
    "charge": ("balance_transaction",),
    "payment_intent": ("latest_charge", "latest_charge.balance_transaction"),
    "refund": ("balance_transaction",),
    "dispute": ("charge",),
    "review": ("charge",),
    "early_fraud_warning": ("charge",),
}
"""Expansions that save a second call in the handlers that use the object."""


class StripeGateway(Protocol):
    """Reads and the few writes the sync flows make against Stripe."""

    async def retrieve_charge(
        self, charge_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        """A charge; by default with its `balance_transaction` expanded (fees)."""
        ...

    async def retrieve_payment_intent(
        self, payment_intent_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        """A payment intent; by default with `latest_charge` and its balance transaction."""
        ...

    async def retrieve_refund(
        self, refund_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        """A refund; by default with its `balance_transaction` expanded."""
        ...

    async def retrieve_customer(
        self, customer_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        """A customer (a deleted one comes back as `{"deleted": true}`)."""
        ...

    async def retrieve_invoice(
        self, invoice_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        """An invoice with its first page of lines."""
        ...

    async def retrieve_subscription(
        self, subscription_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        """A subscription with its items."""
        ...

    async def retrieve_payout(
        self, payout_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        """A payout."""
        ...

    async def retrieve_dispute(
        self, dispute_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        """A dispute; by default with its `charge` expanded."""
        ...

    async def retrieve_review(
        self, review_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        """A Radar review; by default with its `charge` expanded."""
        ...

    async def retrieve_early_fraud_warning(
        self, warning_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        """A Radar early fraud warning; by default with its `charge` expanded."""
        ...

    async def update_metadata(
        self,
        kind: MetadataKind,
        object_id: str,
        metadata: Mapping[str, str | None],
        *,
        idempotency_key: str | None = None,
    ) -> StripeDict:
        """Merge `metadata` into the object's (None or "" deletes a key); returns the object."""
        ...

    def payout_balance_transactions(self, payout_id: str) -> AsyncIterator[StripeDict]:
        """Every balance transaction of a payout, across all pages (newest first)."""
        ...

    def events_since(
        self, created_after: datetime, *, types: Sequence[str] | None = None
    ) -> AsyncIterator[StripeDict]:
        """Events created strictly after `created_after`, newest first, across all pages."""
        ...

    async def aclose(self) -> None:
        """Release the HTTP connections."""
        ...
