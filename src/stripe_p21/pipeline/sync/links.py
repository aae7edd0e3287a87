"""`sync_link`: the P21 document each Stripe object produced, unique per `(object, kind)`.

Before a P21 write, a flow looks for the link (done already?) and then for the document by its
Stripe reference in P21 (the write landed but we never recorded it); after the write it records
the link with the mapping version, in the same transaction as the watermark."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from stripe_p21.db.types import utcnow
from stripe_p21.pipeline.errors import TransientError
from stripe_p21.pipeline.tables import SyncLink

KINDS = (
    "customer", "order", "payment", "rma", "gl_payout", "gl_payout_reversal",
    "gl_dispute_withdrawn", "gl_dispute_reinstated", "subscription",
)  # fmt: skip


async def find_link(session: AsyncSession, stripe_object_id: str, kind: str) -> SyncLink | None:
    stmt = select(SyncLink).where(
        SyncLink.stripe_object_id == stripe_object_id,  # type: ignore[arg-type]
        SyncLink.p21_kind == kind,  # type: ignore[arg-type]
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def links_for(session: AsyncSession, stripe_object_id: str) -> list[SyncLink]:
    stmt = select(SyncLink).where(SyncLink.stripe_object_id == stripe_object_id)  # type: ignore[arg-type]
    return list((await session.execute(stmt)).scalars())


async def record_link(
    session: AsyncSession,
    *,
    stripe_object_id: str,
    stripe_object_type: str,
    kind: str,
    p21_document_no: str,
    mapping_version: str,
    event_id: str | None = None,
    p21_customer_id: str | int | None = None,
    currency: str | None = None,
    amount_minor: int | None = None,
    status: str = "open",
    details: dict[str, Any] | None = None,
) -> SyncLink:
    """Insert the link, or return the existing one when another run got there first (same
    document: the lookup-before-write made sure of that). Flushes; the caller commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown sync_link kind {kind!r}")
    row = SyncLink(
        stripe_object_id=stripe_object_id,
        stripe_object_type=stripe_object_type,
        p21_kind=kind,
        p21_document_no=str(p21_document_no),
        p21_customer_id=None if p21_customer_id is None else str(p21_customer_id),
        currency=currency.lower() if currency else None,
        amount_minor=amount_minor,
        status=status,
        mapping_version=mapping_version,
        event_id=event_id,
        details=details or {},
    )
    # One round trip: insert unless the (object, kind) row exists. On PostgreSQL a concurrent
    # insert of the same key makes this wait for it to commit, then do nothing.
    statement = (
        _insert_for(session)(SyncLink)
        .values(**row.model_dump(exclude={"id"}))
        .on_conflict_do_nothing(index_elements=["stripe_object_id", "p21_kind"])
        .returning(SyncLink)
    )
    for _ in range(3):
        inserted: SyncLink | None = (await session.scalars(statement)).one_or_none()
        if inserted is not None:
            return inserted
        found = await find_link(session, stripe_object_id, kind)
        if found is not None:
            return found
        # The row we gave way to was deleted since (a released claim): insert again.
    raise TransientError(f"sync_link {stripe_object_id} ({kind}) keeps changing; retry later")


def _insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT (both support ON CONFLICT DO NOTHING … RETURNING)."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return postgresql_insert
    return sqlite_insert


async def set_status(session: AsyncSession, link: SyncLink, status: str, **details: Any) -> None:
    link.status = status
    link.updated_at = utcnow()
    if details:
        link.details = {**link.details, **details}
