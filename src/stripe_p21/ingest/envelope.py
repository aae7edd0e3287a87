"""Parse a verified webhook body into the few fields the inbox indexes; refuse what is not a
snapshot Stripe event (including thin `v2.core.event`s, not supported yet)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec


class EnvelopeError(Exception):
    """The body is not a Stripe event we can store; `reason` names why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class EventEnvelope:
    id: str
    type: str
    api_version: str | None
    created: datetime
    livemode: bool
    account: str | None
    raw: str


class _Head(msgspec.Struct):
    """The top-level fields we index; everything else is checked as JSON and skipped, not built
    into objects (this runs on the webhook's hot path)."""

    id: Any = None
    object: Any = None
    type: Any = None
    created: Any = None
    livemode: Any = False
    account: Any = None
    api_version: Any = None

    def get(self, name: str, default: Any = None) -> Any:
        value = getattr(self, name)
        return default if value is None else value


_DECODER = msgspec.json.Decoder(_Head)


def parse_event(body: bytes) -> EventEnvelope:
    """The indexed fields of a Stripe event; the raw body is kept verbatim."""
    try:
        data = _DECODER.decode(body)
    except msgspec.ValidationError:
        raise EnvelopeError("not_a_stripe_event", "body is not a JSON object") from None
    except msgspec.DecodeError:
        raise EnvelopeError("invalid_json", "body is not valid JSON") from None
    if data.get("object") == "v2.core.event":
        raise EnvelopeError(
            "thin_event_unsupported",
            "thin events (object 'v2.core.event') are not supported yet; "
            "send snapshot events to this endpoint",
        )
    event_id, event_type, created = data.get("id"), data.get("type"), data.get("created")
    if data.get("object") != "event" or not isinstance(event_id, str) or not event_id:
        raise EnvelopeError("not_a_stripe_event", "body is not a Stripe event (object 'event')")
    if not isinstance(event_type, str) or not event_type:
        raise EnvelopeError("not_a_stripe_event", "event has no type")
    if not isinstance(created, int) or isinstance(created, bool):
        raise EnvelopeError("not_a_stripe_event", "event has no integer 'created' time")
    if len(event_id) > 255 or len(event_type) > 255:
        raise EnvelopeError("not_a_stripe_event", "event id or type is too long")
    account = data.get("account")
    api_version = data.get("api_version")
    return EventEnvelope(
        id=event_id,
        type=event_type,
        api_version=api_version if isinstance(api_version, str) else None,
        created=datetime.fromtimestamp(created, UTC),
        livemode=bool(data.get("livemode", False)),
        account=account if isinstance(account, str) else None,
        raw=body.decode("utf-8"),
    )
