"""Leases: a worker owns an event until its lease expires, so two workers never process the
same event at once and a crashed worker's event is picked up again after the lease runs out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from stripe_p21.db.engine import autocommit
from stripe_p21.db.tables import EventStatus, StripeEvent, table_of, utcnow

_EVENTS = table_of(StripeEvent)
_C = _EVENTS.c


def claimable(now_: object) -> ColumnElement[bool]:
    """Events a worker may take now: new, failed and due, or processing with an expired lease."""
    return or_(
        _C.status == EventStatus.RECEIVED.value,
        and_(
            _C.status == EventStatus.FAILED.value,
            or_(_C.next_attempt_at.is_(None), _C.next_attempt_at <= now_),
        ),
        and_(_C.status == EventStatus.PROCESSING.value, _C.lease_expires_at < now_),
    )


async def claim(
    sessions: async_sessionmaker[AsyncSession], event_id: str, worker: str, lease: timedelta
) -> StripeEvent | None:
    """Take the event if it is claimable; returns it with `attempts` already counted."""
    now = utcnow()
    async with autocommit(sessions) as session:  # one statement: one round trip
        target = and_(_C.id == event_id, claimable(now))
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            locked = select(_C.id).where(target).with_for_update(skip_locked=True)
            target = _C.id.in_(locked.scalar_subquery())
        row = (
            await session.execute(
                update(_EVENTS)
                .where(target)
                .values(
                    status=EventStatus.PROCESSING.value,
                    lease_owner=worker,
                    lease_expires_at=now + lease,
                    attempts=_C.attempts + 1,
                )
                .returning(*_C)
            )
        ).first()
    if row is None:
        return None
    return StripeEvent.model_validate(dict(row._mapping))


async def renew(
    sessions: async_sessionmaker[AsyncSession], event_id: str, worker: str, lease: timedelta
) -> bool:
    """Extend our lease while the handler still runs; False if it was taken from us."""
    async with autocommit(sessions) as session:
        result = await session.execute(
            update(_EVENTS)
            .where(_C.id == event_id, _C.lease_owner == worker)
            .values(lease_expires_at=utcnow() + lease)
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]
