"""Backfill: list Stripe events since a time through the gateway and store the ones the inbox
lacks through the same path as webhooks (parse → store once → enqueue), so events created while
the service was down are recovered and none is duplicated."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import msgspec
import structlog

from stripe_p21.connectors.stripe import StripeDict, StripeGateway
from stripe_p21.db.tables import utcnow
from stripe_p21.ingest.envelope import parse_event
from stripe_p21.ingest.inbox import store_event
from stripe_p21.runtime.services import Services

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class BackfillSummary:
    """How many events Stripe listed, how many were new to the inbox, how many it had."""

    seen: int = 0
    new: int = 0
    already_stored: int = 0


async def list_events(
    gateway: StripeGateway, since: datetime, types: Sequence[str] | None = None
) -> list[StripeDict]:
    """Every event created after `since` (of `types` when given), oldest first."""
    events = [event async for event in gateway.events_since(since, types=types or None)]
    events.reverse()
    return events


async def ingest_event(services: Services, event: StripeDict) -> bool:
    """Store one listed event as if it had been delivered; True when it was new (then enqueued)."""
    envelope = parse_event(msgspec.json.encode(event))
    is_new = await store_event(services.engine, envelope, received_at=utcnow())
    if is_new:
        await services.enqueue_quietly(envelope.id)
    return is_new


async def ingest_events(
    services: Services,
    events: Sequence[StripeDict],
    *,
    on_event: Callable[[StripeDict, bool], None] | None = None,
) -> BackfillSummary:
    """Ingest `events` in order; `on_event(event, is_new)` follows progress."""
    summary = BackfillSummary()
    for event in events:
        is_new = await ingest_event(services, event)
        summary.seen += 1
        if is_new:
            summary.new += 1
        else:
            summary.already_stored += 1
        if on_event is not None:
            on_event(event, is_new)
    log.info("backfill_done", seen=summary.seen, new=summary.new, had=summary.already_stored)
    return summary


async def backfill(
    gateway: StripeGateway,
    services: Services,
    *,
    since: datetime,
    types: Sequence[str] | None = None,
) -> BackfillSummary:
    """List the events since `since` and ingest those the inbox lacks."""
    return await ingest_events(services, await list_events(gateway, since, types))
