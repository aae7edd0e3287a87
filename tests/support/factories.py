"""Factories for realistic Stripe events (no copy-pasted dicts in tests)."""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

import msgspec

_counter = itertools.count(1)


def event_id() -> str:
    return f"evt_{uuid.uuid4().hex[:24]}"


def stripe_event(
    event_type: str, obj: dict[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    """A snapshot event as Stripe sends it (API 2024-06-20 shape)."""
    event: dict[str, Any] = {
        "id": event_id(),
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(time.time()) - 5,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": f"req_{next(_counter):06d}", "idempotency_key": None},
        "type": event_type,
        "data": {"object": obj or {}},
    }
    event.update(fields)
    return event


def effect_event(**behaviour: Any) -> dict[str, Any]:
    """An event for the `test.effect` handler with the given behaviour."""
    return stripe_event("test.effect", {"object": "test", **behaviour})


def balance_event(available: dict[str, int], *, created: int | None = None) -> dict[str, Any]:
    balance = {
        "object": "balance",
        "livemode": False,
        "available": [
            {"amount": a, "currency": c, "source_types": {"card": a}} for c, a in available.items()
        ],
        "pending": [{"amount": 0, "currency": c, "source_types": {"card": 0}} for c in available],
    }
    extra = {"created": created} if created is not None else {}
    return stripe_event("balance.available", balance, **extra)


def encode(event: dict[str, Any]) -> bytes:
    return msgspec.json.encode(event)
