"""The inbox: store a Stripe event once (unique id, concurrent duplicates included) and keep a
bounded record of rejected deliveries for operators."""

from __future__ import annotations

import weakref
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from stripe_p21.db.tables import EventStatus, StripeEvent, WebhookRejection, table_of, utcnow
from stripe_p21.ingest.batcher import InsertBatcher
from stripe_p21.ingest.envelope import EventEnvelope

_EVENTS = table_of(StripeEvent)


def no_handler_note(event_type: str) -> str:
    """The outcome note of an event no handler is registered for."""
    return f"no handler registered for {event_type!r}"


async def store_event(
    engine: AsyncEngine,
    envelope: EventEnvelope,
    *,
    received_at: datetime,
    ignored: bool = False,
) -> bool:
    """Insert the event and commit. True when new, False when the id was already stored.

    `ignored`: no handler is registered for the type, so the event is stored already `ignored`
    with the reason (and never enqueued): kept for the record and for `replay`, no job spent."""
    values = {
        "id": envelope.id,
        "type": envelope.type,
        "api_version": envelope.api_version,
        "created": envelope.created,
        "livemode": envelope.livemode,
        "account": envelope.account,
        "payload": envelope.raw,
        "received_at": received_at,
        "status": (EventStatus.IGNORED if ignored else EventStatus.RECEIVED).value,
        "attempts": 0,
        "outcome_note": no_handler_note(envelope.type) if ignored else None,
        "processed_at": received_at if ignored else None,
    }
    if engine.dialect.name == "postgresql":
        return await _store_on_postgres(engine, values)
    # A Core connection and a constant statement: no ORM unit of work, cached SQL.
    async with engine.begin() as connection:
        inserted = (await connection.execute(_insert_for(engine.dialect.name), values)).first()
    return inserted is not None


_PG_COLUMNS = (
    "id, type, api_version, created, livemode, account, payload, received_at, status, attempts, "
    "outcome_note, processed_at"
)
_batchers: weakref.WeakKeyDictionary[AsyncEngine, InsertBatcher] = weakref.WeakKeyDictionary()


async def _store_on_postgres(engine: AsyncEngine, values: dict[str, Any]) -> bool:
    """The webhook's hot path on PostgreSQL: rows from concurrent requests are grouped into one
    autocommitted multi-row insert on a pooled asyncpg connection (see ingest/batcher.py).
    The PostgreSQL webhook tests and the migration parity test keep it in step with the table."""
    batcher = _batchers.get(engine)
    if batcher is None:
        ref = weakref.ref(engine)
        batcher = _batchers[engine] = InsertBatcher(lambda rows: _insert_rows(ref, rows))
    return await batcher.insert(tuple(values.values()))


async def _insert_rows(ref: weakref.ref[AsyncEngine], rows: list[tuple[Any, ...]]) -> set[str]:
    engine = ref()
    if engine is None:
        raise RuntimeError("the database engine was closed")
    width = len(rows[0])
    groups = ", ".join(
        "(" + ", ".join(f"${n * width + k + 1}" for k in range(width)) + ")"
        for n in range(len(rows))
    )
    sql = (
        f"INSERT INTO stripe_event ({_PG_COLUMNS}) VALUES {groups}"  # noqa: S608 - placeholders only
        " ON CONFLICT (id) DO NOTHING RETURNING id"
    )
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None  # noqa: S101 - a checked-out connection always has one
        records = await driver.fetch(sql, *[value for row in rows for value in row])
    return {record["id"] for record in records}


def _build_insert(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(_EVENTS).on_conflict_do_nothing(index_elements=["id"]).returning(_EVENTS.c.id)


_INSERTS = {name: _build_insert(name) for name in ("postgresql", "sqlite")}


def _insert_for(dialect: str) -> Any:
    return _INSERTS[dialect]


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
