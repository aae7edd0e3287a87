"""Per-object watermark: the newest event applied to each Stripe object. Stripe neither orders
nor de-duplicates deliveries, so a handler asks `advance` before acting on an object."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from stripe_p21.db.tables import ObjectWatermark, table_of, utcnow


def _is_newer(created: datetime, event_id: str, mark: ObjectWatermark) -> bool:
    # Same second: order by event id so every worker decides the same way.
    return (created, event_id) > (mark.event_created, mark.event_id)


async def advance(
    session: AsyncSession, *, object_id: str, object_type: str, created: datetime, event_id: str
) -> bool:
    """Move the watermark to this event if it is newer. False means the event is stale.

    Call it in the same transaction as the effect it guards; the row lock (PostgreSQL) or the
    database write lock (SQLite) keeps two workers from both advancing.
    """
    stmt = select(ObjectWatermark).where(table_of(ObjectWatermark).c.object_id == object_id)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    mark = (await session.execute(stmt)).scalar_one_or_none()
    if mark is None:
        session.add(
            ObjectWatermark(
                object_id=object_id,
                object_type=object_type,
                event_created=created,
                event_id=event_id,
                updated_at=utcnow(),
            )
        )
        return True
    if mark.event_id == event_id:
        return True  # a retry of the event that set the mark: apply again (idempotent)
    if not _is_newer(created, event_id, mark):
        return False
    mark.event_created, mark.event_id, mark.updated_at = created, event_id, utcnow()
    return True
