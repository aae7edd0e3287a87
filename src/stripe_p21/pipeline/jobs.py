"""`process_event(event_id)`: claim the event with a lease, run its handler, record the
outcome and schedule a retry. Arq workers and the in-process runner call the same function."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import msgspec
import structlog
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21 import metrics
from stripe_p21.db.engine import autocommit, dialect_of
from stripe_p21.db.tables import EventAttempt, EventStatus, StripeEvent, table_of, utcnow
from stripe_p21.ingest.inbox import no_handler_note
from stripe_p21.logging import scrub
from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import NeedsReview, PermanentError
from stripe_p21.pipeline.gateways import Gateways
from stripe_p21.pipeline.leases import claim, renew
from stripe_p21.pipeline.registry import HandlerRegistry
from stripe_p21.pipeline.retry import RetryPolicy
from stripe_p21.review.service import ReviewRequest, raise_item
from stripe_p21.runtime.queue import JobQueue
from stripe_p21.settings import Settings

log = structlog.get_logger(__name__)
_MESSAGE_LIMIT = 2000
_EVENTS = table_of(StripeEvent)
_ATTEMPTS = table_of(EventAttempt)


@dataclass(slots=True)
class JobDeps:
    """Long-lived things a worker keeps between jobs (arq keeps them in `ctx`)."""

    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    registry: HandlerRegistry
    queue: JobQueue
    worker_id: str
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    gateways: Gateways | None = None


@dataclass(slots=True)
class Outcome:
    status: EventStatus
    note: str | None = None
    error: BaseException | None = None
    next_attempt_at: datetime | None = None


async def process_event(deps: JobDeps, event_id: str) -> str:
    """Run one event to an outcome; returns the status it ended in (or 'skipped')."""
    lease = timedelta(seconds=deps.settings.jobs.lease_seconds)
    event = await claim(deps.sessions, event_id, deps.worker_id, lease)
    if event is None:
        return "skipped"
    with structlog.contextvars.bound_contextvars(event_id=event.id, event_type=event.type):
        started, clock = utcnow(), time.perf_counter()
        if event.attempts > deps.policy.max_attempts:
            outcome = Outcome(EventStatus.DEAD, note="lease expired after the final attempt")
        else:
            outcome = await _run_with_heartbeat(deps, event, lease)
        await _finish(deps, event, outcome, started)
        metrics.JOB_DURATION.labels(event.type).observe(time.perf_counter() - clock)
        metrics.EVENTS_PROCESSED.labels(event.type, outcome.status.value).inc()
        if outcome.next_attempt_at is not None:
            await _schedule_retry(deps, event, outcome.next_attempt_at)
        return outcome.status.value


async def _run_with_heartbeat(deps: JobDeps, event: StripeEvent, lease: timedelta) -> Outcome:
    heartbeat = asyncio.create_task(_heartbeat(deps, event.id, lease))
    try:
        return await _run_handler(deps, event)
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat


async def _heartbeat(deps: JobDeps, event_id: str, lease: timedelta) -> None:
    while True:
        await asyncio.sleep(lease.total_seconds() / 3)
        try:
            if not await renew(deps.sessions, event_id, deps.worker_id, lease):
                log.warning("lease_lost", worker=deps.worker_id)
        except Exception as exc:  # noqa: BLE001 - a missed renewal only risks a second, idempotent run
            log.warning("lease_renewal_failed", error=type(exc).__name__)


async def _run_handler(deps: JobDeps, event: StripeEvent) -> Outcome:
    handler = deps.registry.get(event.type)
    if handler is None:
        return Outcome(EventStatus.IGNORED, note=no_handler_note(event.type))
    payload: dict[str, Any] = msgspec.json.decode(event.payload)
    bound = log.bind(event_id=event.id, event_type=event.type, attempt=event.attempts)
    ctx = HandlerContext(event, payload, deps.sessions, deps.settings, bound, deps.gateways)
    try:
        note = await handler(ctx)
    except PermanentError as exc:
        bound.warning("event_needs_review", error=type(exc).__name__, message=str(exc))
        return Outcome(EventStatus.NEEDS_REVIEW, error=exc)
    except Exception as exc:  # noqa: BLE001 - transient by default: retried, then dead — never dropped
        return _failure(deps, event, exc, bound)
    return Outcome(EventStatus.PROCESSED, note=note)


def _failure(
    deps: JobDeps, event: StripeEvent, exc: Exception, bound: structlog.typing.FilteringBoundLogger
) -> Outcome:
    if deps.policy.exhausted(event.attempts):
        bound.error("event_dead", error=type(exc).__name__, message=str(exc))
        return Outcome(EventStatus.DEAD, error=exc)
    due = deps.policy.next_attempt_at(utcnow(), event.attempts)
    bound.warning(
        "event_retry_scheduled", error=type(exc).__name__, next_attempt_at=due.isoformat()
    )
    return Outcome(EventStatus.FAILED, error=exc, next_attempt_at=due)


async def _finish(deps: JobDeps, event: StripeEvent, outcome: Outcome, started: datetime) -> None:
    now = utcnow()
    error = outcome.error
    error_class = type(error).__name__ if error is not None else None
    message = scrub(str(error))[:_MESSAGE_LIMIT] if error is not None else None
    values: dict[str, Any] = {
        "status": outcome.status.value,
        "lease_owner": None,
        "lease_expires_at": None,
        "next_attempt_at": outcome.next_attempt_at,
        "outcome_note": outcome.note,
    }
    if error is not None:
        values |= {"last_error_class": error_class, "last_error_message": message}
    if outcome.status in (EventStatus.PROCESSED, EventStatus.IGNORED):
        values["processed_at"] = now
    attempt: dict[str, Any] = {
        "event_id": event.id,
        "attempt": event.attempts,
        "worker": deps.worker_id,
        "started_at": started,
        "finished_at": now,
        "outcome": outcome.status.value,
        "error_class": error_class,
        "error_message": message,
    }
    needs_item = outcome.status in (EventStatus.NEEDS_REVIEW, EventStatus.DEAD)
    if not needs_item and dialect_of(deps.sessions) == "postgresql":
        if not await _finish_in_one_statement(deps, event.id, values, attempt):
            log.warning("lease_lost_before_finish", worker=deps.worker_id)
        return
    async with deps.sessions() as session, session.begin():
        result = await session.execute(
            update(StripeEvent)
            .where(StripeEvent.id == event.id)  # type: ignore[arg-type]
            .where(StripeEvent.lease_owner == deps.worker_id)  # type: ignore[arg-type]
            .values(**values)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            log.warning("lease_lost_before_finish", worker=deps.worker_id)
        if outcome.status in (EventStatus.NEEDS_REVIEW, EventStatus.DEAD) and error is not None:
            await raise_item(session, review_request(event, outcome.status, error, message))
        session.add(EventAttempt(**attempt))


async def _finish_in_one_statement(
    deps: JobDeps, event_id: str, values: dict[str, Any], attempt: dict[str, Any]
) -> bool:
    """PostgreSQL: the event's new state and its attempt row in one statement (a writing CTE),
    committed on its own: one round trip instead of four. False if the lease was lost."""
    finished = (
        update(_EVENTS)
        .where(_EVENTS.c.id == event_id, _EVENTS.c.lease_owner == deps.worker_id)
        .values(**values)
        .returning(_EVENTS.c.id)
        .cte("finished")
    )
    updated = select(func.count()).select_from(finished).scalar_subquery()
    statement = insert(_ATTEMPTS).values(**attempt).returning(updated)
    async with autocommit(deps.sessions) as session:
        return bool((await session.execute(statement)).scalar_one())


def review_request(
    event: StripeEvent, status: EventStatus, error: BaseException, message: str | None
) -> ReviewRequest:
    """The review item for an event that needs a person: a handler's `NeedsReview` says which
    queue and why; any other permanent failure or a dead event goes to the `sync` queue."""
    evidence: dict[str, Any] = {"error_class": type(error).__name__, "event_type": event.type}
    if isinstance(error, NeedsReview):
        return ReviewRequest(
            queue=error.queue,
            reason=error.reason,
            title=(message or error.reason)[:500],
            stripe_object_id=error.stripe_object_id,
            event_id=event.id,
            message=message,
            priority=error.priority,
            evidence=evidence | error.evidence,
            links={"events": [event.id]} | error.links,
        )
    reason = "dead" if status is EventStatus.DEAD else "permanent_failure"
    return ReviewRequest(
        queue="sync",
        reason=reason,
        title=f"{event.type} {event.id}: {message or type(error).__name__}"[:500],
        stripe_object_id=None,
        event_id=event.id,
        message=message,
        priority=2 if status is EventStatus.DEAD else 3,
        evidence=evidence,
        links={"events": [event.id]},
    )


async def _schedule_retry(deps: JobDeps, event: StripeEvent, due: datetime) -> None:
    try:
        await deps.queue.enqueue(event.id, attempt=event.attempts, defer_until=due)
    except Exception as exc:  # noqa: BLE001 - the sweeper enqueues it when due
        metrics.ENQUEUE_FAILURES.inc()
        log.warning("retry_enqueue_failed", error=type(exc).__name__)
