"""The sweeper: enqueues what is due or stuck — retries whose time has come, events whose
worker died (lease expired) and events never enqueued (Redis was down). Losing Redis loses
nothing because this reads the database, the only source of truth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import and_, or_, select

from stripe_p21.db.tables import EventStatus, StripeEvent, table_of, utcnow
from stripe_p21.ingest.inbox import prune_rejections
from stripe_p21.runtime.services import Services

log = structlog.get_logger(__name__)
_EVENTS = table_of(StripeEvent)
_C = _EVENTS.c


@dataclass(frozen=True, slots=True)
class SweepResult:
    enqueued: int
    skipped: int
    failed: int


async def sweep(services: Services) -> SweepResult:
    """One pass: find due work (oldest first, at most `sweep_batch`) and enqueue it."""
    jobs = services.settings.jobs
    now = utcnow()
    due = or_(
        and_(
            _C.status == EventStatus.RECEIVED.value,
            _C.received_at <= now - timedelta(seconds=jobs.sweep_grace_seconds),
        ),
        and_(_C.status == EventStatus.FAILED.value, _C.next_attempt_at <= now),
        and_(_C.status == EventStatus.PROCESSING.value, _C.lease_expires_at < now),
    )
    stmt = select(_C.id, _C.attempts).where(due).order_by(_C.received_at).limit(jobs.sweep_batch)
    # Read, then enqueue outside any transaction: a row lock held while enqueueing would make
    # a fast worker's SKIP LOCKED claim pass over the very event just handed to it. Two
    # sweepers enqueueing one event is harmless (deterministic job ids, leased claims).
    async with services.sessions() as session:
        rows = (await session.execute(stmt)).all()
    enqueued = skipped = failed = 0
    for event_id, attempts in rows:
        try:
            if await services.queue.enqueue(event_id, attempt=attempts):
                enqueued += 1
            else:
                skipped += 1
        except Exception as exc:  # noqa: BLE001 - Redis still down: next pass tries again
            failed += 1
            log.warning("sweep_enqueue_failed", error=type(exc).__name__)
            break
    if rows:
        log.info("sweep", enqueued=enqueued, already_queued=skipped, failed=failed)
    return SweepResult(enqueued, skipped, failed)


async def housekeeping(services: Services) -> int:
    """Keep the rejected-deliveries table bounded."""
    webhook = services.settings.webhook
    return await prune_rejections(
        services.sessions,
        retention_days=webhook.rejection_retention_days,
        max_rows=webhook.rejection_max_rows,
    )
