"""Replay: put events back in line — a dead event after a fix, or any event on request."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.db.tables import EventStatus, StripeEvent, table_of, utcnow

_EVENTS = table_of(StripeEvent)
_C = _EVENTS.c


class ReplayConflict(Exception):
    """The event is being processed right now; replay it once that run ends."""


async def reset_for_replay(
    sessions: async_sessionmaker[AsyncSession],
    *,
    ids: Sequence[str] = (),
    statuses: Sequence[str] = (),
    types: Sequence[str] = (),
    limit: int = 10_000,
) -> list[str]:
    """Mark matching events `received` with a fresh attempt budget; returns their ids.

    Events under a live lease are never touched: replaying them would run them twice at once.
    """
    now = utcnow()
    not_running = or_(_C.status != EventStatus.PROCESSING.value, _C.lease_expires_at < now)
    conditions = [not_running]
    if ids:
        conditions.append(_C.id.in_(list(ids)))
    if statuses:
        conditions.append(_C.status.in_(list(statuses)))
    if types:
        conditions.append(_C.type.in_(list(types)))
    async with sessions() as session, session.begin():
        chosen = list(
            (
                await session.execute(
                    select(_C.id).where(and_(*conditions)).order_by(_C.received_at).limit(limit)
                )
            ).scalars()
        )
        if chosen:
            await session.execute(
                update(_EVENTS)
                .where(_C.id.in_(chosen), not_running)
                .values(
                    status=EventStatus.RECEIVED.value,
                    attempts=0,
                    next_attempt_at=None,
                    lease_owner=None,
                    lease_expires_at=None,
                )
            )
    return chosen


async def replay_one(sessions: async_sessionmaker[AsyncSession], event_id: str) -> bool:
    """Replay one event; False if unknown, `ReplayConflict` if it is running now."""
    async with sessions() as session:
        event = await session.get(StripeEvent, event_id)
    if event is None:
        return False
    chosen = await reset_for_replay(sessions, ids=[event_id])
    if not chosen:
        raise ReplayConflict(f"{event_id} is being processed now; try again when it finishes")
    return True
