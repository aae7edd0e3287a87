"""The inbox: store a Stripe event once (unique id, concurrent duplicates included) and keep a
bounded record of rejected deliveries for operators."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.db.tables import EventStatus, StripeEvent, WebhookRejection, table_of, utcnow
from stripe_p21.ingest.envelope import EventEnvelope

_EVENTS = table_of(StripeEvent)


async def store_event(
    sessions: async_sessionmaker[AsyncSession], envelope: EventEnvelope, *, received_at: datetime
) -> bool:
    """Insert the event and commit. True when new, False when the id was already stored."""
    values = {
        "id": envelope.id,
        "type": envelope.type,
        "api_version": envelope.api_version,
        "created": envelope.created,
        "livemode": envelope.livemode,
        "account": envelope.account,
        "payload": envelope.raw,
        "received_at": received_at,
        "status": EventStatus.RECEIVED.value,
        "attempts": 0,
    }
    async with sessions() as session, session.begin():
        dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = (
            insert(_EVENTS)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(_EVENTS.c.id)
        )
        inserted = (await session.execute(stmt)).first()
    return inserted is not None


async def record_rejection(
    sessions: async_sessionmaker[AsyncSession],
    *,
    reason: str,
    detail: str,
    remote_addr: str | None,
    header_names: list[str],
    body_bytes: int,
) -> None:
    """Keep what an operator needs to spot a wrong secret or an attack — never header values."""
    async with sessions() as session, session.begin():
        session.add(
            WebhookRejection(
                at=utcnow(),
                reason=reason,
                detail=detail[:500],
                remote_addr=remote_addr,
                header_names=",".join(sorted(header_names))[:2000],
                body_bytes=body_bytes,
            )
        )


async def prune_rejections(
    sessions: async_sessionmaker[AsyncSession], *, retention_days: int, max_rows: int
) -> int:
    """Drop rejections older than the retention, then the oldest beyond `max_rows`."""
    table = table_of(WebhookRejection)
    async with sessions() as session, session.begin():
        cutoff = utcnow() - timedelta(days=retention_days)
        removed = _rowcount(await session.execute(delete(table).where(table.c.at < cutoff)))
        count = (await session.execute(select(func.count()).select_from(table))).scalar_one()
        if count > max_rows:
            keep_from = (
                select(table.c.id).order_by(table.c.id.desc()).offset(max_rows).limit(1)
            ).scalar_subquery()
            extra = await session.execute(delete(table).where(table.c.id <= keep_from))
            removed += _rowcount(extra)
    return removed


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
