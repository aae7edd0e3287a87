"""The local index of P21 customers: filled and refreshed incrementally from the connector's
modified-since listing (with a one-second overlap, upserts make it safe), details fetched from the
Entity API, and stored in `match_index_customer` so matching never waits on P21."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.connectors.p21.gateway import P21Gateway
from stripe_p21.connectors.p21.schemas import CustomerRow, P21Customer
from stripe_p21.db.tables import table_of
from stripe_p21.db.types import utcnow
from stripe_p21.intelligence.matching.normalise import name_forms
from stripe_p21.intelligence.matching.records import CustomerRecord
from stripe_p21.intelligence.matching.tables import MatchIndexCustomer, MatchIndexState

log = structlog.get_logger(__name__)

SOURCE = "p21"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
OVERLAP = timedelta(seconds=1)
DETAIL_CONCURRENCY = 4


@dataclass(frozen=True, slots=True)
class RefreshResult:
    changed: int
    deleted: int
    watermark: datetime


def _name_key(name: str) -> str:
    forms = name_forms(name)
    return (forms[0].core if forms else name.lower())[:255]


def index_row(customer: P21Customer, row: CustomerRow, now: datetime) -> MatchIndexCustomer:
    address = customer.address
    return MatchIndexCustomer(
        p21_customer_id=customer.customer_id, name=customer.name[:255],
        email=customer.email, phone=customer.phone, line1=address.line1, city=address.city,
        state=address.state, postal_code=address.postal_code, country=address.country,
        name_key=_name_key(customer.name), deleted=False, modified_at=row.modified,
        refreshed_at=now,
    )  # fmt: skip


def as_record(row: MatchIndexCustomer) -> CustomerRecord:
    return CustomerRecord(
        key=str(row.p21_customer_id), name=row.name, email=row.email, phone=row.phone,
        line1=row.line1, city=row.city, state=row.state, postal_code=row.postal_code,
        country=row.country,
    )  # fmt: skip


class CustomerIndexStore:
    """Reads and refreshes the stored index."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def state(self) -> MatchIndexState | None:
        async with self.sessions() as session:
            return await session.get(MatchIndexState, SOURCE)

    async def records(self) -> list[CustomerRecord]:
        """Every live (not deleted) indexed customer."""
        live = table_of(MatchIndexCustomer).c.deleted.is_(False)
        stmt = select(MatchIndexCustomer).where(live)
        async with self.sessions() as session:
            rows = (await session.execute(stmt)).scalars().all()
        return [as_record(row) for row in rows]

    async def refresh(self, gateway: P21Gateway) -> RefreshResult:
        """Fetch customers changed since the watermark and upsert them."""
        current = await self.state()
        since = (current.watermark - OVERLAP) if current else EPOCH
        changed: list[CustomerRow] = [row async for row in gateway.customers_modified_since(since)]
        limit = asyncio.Semaphore(DETAIL_CONCURRENCY)

        async def detail(row: CustomerRow) -> P21Customer | None:
            if row.deleted:
                return None
            async with limit:
                return await gateway.find_customer(row.customer_id)

        details = await asyncio.gather(*(detail(row) for row in changed))
        now = utcnow()
        watermark = max(
            [current.watermark if current else EPOCH, *(r.modified for r in changed if r.modified)]
        )
        deleted = 0
        async with self.sessions() as session:
            for row, customer in zip(changed, details, strict=True):
                if customer is None:
                    deleted += await self._mark_deleted(session, row.customer_id, now)
                else:
                    await session.merge(index_row(customer, row, now))
            total = len(await self._live_ids(session))
            await session.merge(MatchIndexState(
                source=SOURCE, watermark=watermark, refreshed_at=now, customers=total
            ))  # fmt: skip
            await session.commit()
        log.info("match_index_refreshed", changed=len(changed), deleted=deleted, total=total)
        return RefreshResult(len(changed) - deleted, deleted, watermark)

    @staticmethod
    async def _mark_deleted(session: AsyncSession, customer_id: int, now: datetime) -> int:
        existing = await session.get(MatchIndexCustomer, customer_id)
        if existing is None or existing.deleted:
            return 0
        existing.deleted = True
        existing.refreshed_at = now
        return 1

    @staticmethod
    async def _live_ids(session: AsyncSession) -> list[int]:
        columns = table_of(MatchIndexCustomer).c
        stmt = select(columns.p21_customer_id).where(columns.deleted.is_(False))
        return list((await session.execute(stmt)).scalars())
