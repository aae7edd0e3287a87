"""Async engine and session factory for SQLite (WAL, busy timeout) and PostgreSQL (asyncpg pool)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from stripe_p21.settings import DatabaseSettings


def create_engine(settings: DatabaseSettings, *, pool_at_least: int = 0) -> AsyncEngine:
    """Build the engine the settings describe; creates the SQLite file's folder if needed.
    `pool_at_least`: a worker running N jobs at once keeps N connections (plus a few for
    lease heartbeats) in its pool, so a burst never opens and closes overflow connections."""
    url = make_url(settings.database_url)
    if settings.is_sqlite:
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000}
        )
        _sqlite_pragmas(engine, settings.sqlite_busy_timeout_ms)
        return engine
    connect_args: dict[str, Any] = {"timeout": settings.db_connect_timeout}
    pool_size = max(settings.db_pool_size, pool_at_least)
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=settings.db_pool_timeout,
        # Reuse the connection returned last: a few hot connections keep their prepared
        # statements warm instead of every connection preparing every statement in turn.
        pool_use_lifo=True,
        # No pre-ping: a dead connection is invalidated on first error (answered 503, Stripe
        # retries) instead of costing a round trip on every checkout.
        pool_pre_ping=False,
        connect_args=connect_args,
    )


def _sqlite_pragmas(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def autocommit(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose every statement commits on its own: no `BEGIN` and `COMMIT` round
    trips. Only for single-statement writes on the hot path (a lease claim, a job's finish),
    where the statement itself is the whole transaction."""
    async with sessions() as session:
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session


def dialect_of(sessions: async_sessionmaker[AsyncSession]) -> str:
    """`postgresql` or `sqlite`: the database behind a session factory."""
    bind = sessions.kw.get("bind")
    return str(bind.dialect.name) if bind is not None else ""
