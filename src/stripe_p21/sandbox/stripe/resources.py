"""The resources the sandbox serves: URL path, object type, list filters and create operation.

Adding a resource to Stripe's surface here is enough for list, retrieve and metadata updates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stripe_p21.sandbox.stripe.mutations import OpContext, create_customer
from stripe_p21.sandbox.stripe.payments import create_charge, create_payment_intent
from stripe_p21.sandbox.stripe.refunds import create_refund
from stripe_p21.sandbox.stripe.store import StripeObj

Create = Callable[[OpContext, dict[str, Any]], StripeObj]


@dataclass(frozen=True, slots=True)
class Resource:
    """One REST collection under /v1."""

    path: str
    object_type: str
    filters: tuple[str, ...] = ()
    """Query parameters that filter the list by equality on the field of the same name."""
    create: Create | None = None
    listed_statuses: tuple[str, ...] | None = None
    """When set, a list without `status` shows only these statuses (subscriptions hide canceled)."""


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "balance_transactions", "balance_transaction", ("payout", "type", "source", "currency")
    ),
    Resource("charges", "charge", ("customer", "payment_intent"), create_charge),
    Resource("customers", "customer", ("email",), create_customer),
    Resource("disputes", "dispute", ("charge", "payment_intent")),
    Resource("events", "event", ("type",)),
    Resource("invoices", "invoice", ("customer", "subscription", "status")),
    Resource("payment_intents", "payment_intent", ("customer",), create_payment_intent),
    Resource("payouts", "payout", ("status",)),
    Resource(
        "radar/early_fraud_warnings", "radar.early_fraud_warning", ("charge", "payment_intent")
    ),
    Resource("refunds", "refund", ("charge", "payment_intent"), create_refund),
    Resource("reviews", "review"),
    Resource(
        "subscriptions",
        "subscription",
        ("customer", "status"),
        listed_statuses=("active", "past_due", "unpaid", "trialing", "incomplete", "paused"),
    ),
)

BY_PATH = {resource.path: resource for resource in RESOURCES}
BY_TYPE = {resource.object_type: resource for resource in RESOURCES}


def url_of(obj: StripeObj) -> str | None:
    """The /v1 URL of a stored object, None for types the sandbox does not serve."""
    resource = BY_TYPE.get(str(obj.get("object")))
    return None if resource is None else f"/v1/{resource.path}/{obj['id']}"


def match(path: str) -> tuple[Resource, list[str]] | None:
    """Split `/v1/<resource>/<rest…>` into its resource and the remaining path segments."""
    if not path.startswith("/v1/"):
        return None
    parts = [part for part in path[4:].split("/") if part]
    for width in (2, 1):
        head = "/".join(parts[:width])
        if len(parts) >= width and head in BY_PATH:
            return BY_PATH[head], parts[width:]
    return None
