"""Creating customers and updating any stored object, with the events Stripe sends for them.

Metadata follows Stripe's rules: keys merge, an empty value deletes a key, `metadata=""` clears all.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from stripe_p21.sandbox.stripe import shapes_billing
from stripe_p21.sandbox.stripe.store import RequestInfo, SandboxStore, StripeObj
from stripe_p21.sandbox.stripe.wire import ApiError, invalid

UPDATED_EVENT = {
    "charge": "charge.updated",
    "customer": "customer.updated",
    "dispute": "charge.dispute.updated",
    "invoice": "invoice.updated",
    "payout": "payout.updated",
    "refund": "refund.updated",
    "subscription": "customer.subscription.updated",
}
"""Event sent when an object of this type changes (payment intents have none)."""

UPDATABLE: dict[str, frozenset[str]] = {
    "charge": frozenset({"description", "metadata", "receipt_email", "shipping"}),
    "customer": frozenset(
        {"address", "description", "email", "metadata", "name", "phone", "shipping"}
    ),
    "dispute": frozenset({"metadata"}),
    "invoice": frozenset({"description", "footer", "metadata"}),
    "payment_intent": frozenset({"description", "metadata", "receipt_email", "shipping"}),
    "payout": frozenset({"metadata"}),
    "refund": frozenset({"metadata"}),
    "subscription": frozenset({"description", "metadata"}),
}
"""Fields the sandbox lets a POST change, per object type."""


@dataclass(frozen=True, slots=True)
class OpContext:
    """What every mutation needs: the store and the request that caused it."""

    store: SandboxStore
    request: RequestInfo


def check_params(params: dict[str, Any], allowed: Iterable[str]) -> None:
    """Refuse parameters Stripe would not know (`expand` is always allowed)."""
    known = {*allowed, "expand"}
    for name in params:
        if name not in known:
            raise invalid(
                f"Received unknown parameter: {name}", param=name, code="parameter_unknown"
            )


def merge_metadata(current: dict[str, str], update: Any) -> dict[str, str]:
    """Stripe's metadata merge, with its limits (50 keys, 40-char keys, 500-char values)."""
    if update == "":
        return {}
    if not isinstance(update, dict):
        raise invalid("Invalid object", param="metadata")
    merged = dict(current)
    for key, value in update.items():
        if len(key) > 40:
            raise invalid("Metadata keys can have up to 40 characters.", param=f"metadata[{key}]")
        if not isinstance(value, str) or len(value) > 500:
            raise invalid("Metadata values can have up to 500 characters.", f"metadata[{key}]")
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > 50:
        raise invalid("Metadata can have up to 50 keys.", param="metadata")
    return merged


def previous_attributes(old: StripeObj, new: StripeObj) -> StripeObj:
    """`data.previous_attributes`: changed fields with their old values (per key for hashes)."""
    changed: StripeObj = {}
    for key, value in new.items():
        before = old.get(key)
        if before == value:
            continue
        if isinstance(before, dict) and isinstance(value, dict) and key == "metadata":
            keys = set(before) | set(value)
            changed[key] = {k: before.get(k) for k in keys if before.get(k) != value.get(k)}
        else:
            changed[key] = before
    return changed


def save_change(ctx: OpContext, old: StripeObj, new: StripeObj, event_type: str | None) -> None:
    """Store `new` and, when something changed, send `event_type` with previous attributes."""
    ctx.store.put(new)
    diff = previous_attributes(old, new)
    if diff and event_type is not None:
        ctx.store.emit_event(event_type, new, previous_attributes=diff, request=ctx.request)


def update_object(ctx: OpContext, obj: StripeObj, params: dict[str, Any]) -> StripeObj:
    """Apply a POST to an existing object (metadata and the few plain fields allowed)."""
    kind = str(obj["object"])
    allowed = UPDATABLE.get(kind)
    if allowed is None:
        raise ApiError(400, f"{kind} objects cannot be updated.", code="parameter_unknown")
    check_params(params, allowed)
    new = copy.deepcopy(obj)
    for name in allowed & params.keys():
        if name == "metadata":
            new["metadata"] = merge_metadata(obj.get("metadata") or {}, params["metadata"])
        else:
            new[name] = params[name] or None
    save_change(ctx, obj, new, UPDATED_EVENT.get(kind))
    return new


_CUSTOMER_FIELDS = ("description", "email", "name", "phone", "metadata", "address", "shipping")


def create_customer(ctx: OpContext, params: dict[str, Any]) -> StripeObj:
    """POST /v1/customers: a new customer and `customer.created`."""
    check_params(params, {*_CUSTOMER_FIELDS, "preferred_locales", "tax_exempt"})
    fields: StripeObj = {name: params[name] for name in _CUSTOMER_FIELDS if params.get(name)}
    fields["metadata"] = merge_metadata({}, params.get("metadata") or {})
    if isinstance(params.get("address"), dict):
        fields["address"] = shapes_billing.address(**params["address"])
    obj = shapes_billing.customer(
        id=ctx.store.ids.for_object("customer"), created=ctx.store.clock.timestamp(), **fields
    )
    ctx.store.put(obj)
    ctx.store.emit_event("customer.created", obj, request=ctx.request)
    return obj
