"""Claims: one job at a time writes the P21 document of `(stripe object, kind)`.

A claim is the document's `sync_link` row in status `pending`, written before the P21 call;
`settle` turns it into the finished link in the same transaction as the flow's bookkeeping, and
`release` drops it when the write certainly did not happen. A job that finds another job's fresh
claim waits a moment (its document is ours too), then retries later; a claim older than
`CLAIM_SECONDS` belongs to a job that died and is taken over (after a P21 lookup by reference).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from stripe_p21.db.types import utcnow
from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import TransientError
from stripe_p21.pipeline.sync.links import find_link, record_link
from stripe_p21.pipeline.tables import SyncLink

PENDING = "pending"
"""Status of a claimed link whose P21 document is being written (no document number yet)."""
CLAIM_SECONDS = 120
"""A claim older than this is abandoned (its job died) and may be taken over."""
CLAIM_WAIT_SECONDS = 3.0
"""How long a job waits for another job's claim on the same document before retrying later."""
CLAIM_POLL_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class Claim:
    """The right to write the P21 document of one `(Stripe object, kind)`, or the link that
    says it was written already (`done`)."""

    stripe_object_id: str
    kind: str
    token: str
    done: SyncLink | None = None


def _claim_details(ctx: HandlerContext, token: str) -> dict[str, Any]:
    return {"claim": {"token": token, "event_id": ctx.event.id, "at": utcnow().isoformat()}}


def _claim_of(link: SyncLink) -> dict[str, Any]:
    info = link.details.get("claim")
    return dict(info) if isinstance(info, dict) else {}


def _abandoned(info: dict[str, Any], event_id: str) -> bool:
    if info.get("event_id") == event_id:
        return True  # an earlier attempt of this very event: the job lease says it is over
    try:
        at = datetime.fromisoformat(str(info.get("at")))
    except ValueError:
        return True
    return utcnow() - at > timedelta(seconds=CLAIM_SECONDS)


async def claim(
    ctx: HandlerContext, *, stripe_object_id: str, stripe_object_type: str, kind: str
) -> Claim:
    """Claim the document of `(stripe_object_id, kind)`. While another job holds a fresh claim
    (`charge.succeeded` and `payment_intent.succeeded` of one payment often run together), wait
    a moment for it to finish — its document is ours too — and only then raise TransientError
    (the event retries later and finds the finished link)."""
    token = uuid.uuid4().hex
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    while True:
        held = await _try_claim(ctx, stripe_object_id, stripe_object_type, kind, token)
        if held is not None:
            return held
        if time.monotonic() >= deadline:
            raise TransientError(f"{stripe_object_id} ({kind}) is being synced by another event")
        await asyncio.sleep(CLAIM_POLL_SECONDS)


async def _try_claim(
    ctx: HandlerContext, stripe_object_id: str, stripe_object_type: str, kind: str, token: str
) -> Claim | None:
    """One attempt: the claim (or the finished link), or None while another job holds it."""
    async with ctx.sessions() as session, session.begin():
        link = await find_link(session, stripe_object_id, kind)
        if link is None:
            link = await record_link(
                session,
                stripe_object_id=stripe_object_id,
                stripe_object_type=stripe_object_type,
                kind=kind,
                p21_document_no="",
                mapping_version=ctx.mapping.version,
                event_id=ctx.event.id,
                status=PENDING,
                details=_claim_details(ctx, token),
            )
        if link.status != PENDING:
            return Claim(stripe_object_id, kind, token, done=link)
        info = _claim_of(link)
        if info.get("token") != token:
            if not _abandoned(info, ctx.event.id):
                return None
            link.details = {**link.details, **_claim_details(ctx, token)}
            link.updated_at = utcnow()
    return Claim(stripe_object_id, kind, token)


async def release(ctx: HandlerContext, held: Claim) -> None:
    """Give a claim up (the write failed): the next attempt looks P21 up first again."""
    if held.done is not None:
        return
    async with ctx.sessions() as session, session.begin():
        link = await find_link(session, held.stripe_object_id, held.kind)
        if (
            link is not None
            and link.status == PENDING
            and _claim_of(link).get("token") == held.token
        ):
            await session.execute(delete(SyncLink).where(SyncLink.id == link.id))  # type: ignore[arg-type]


async def settle(
    session: AsyncSession,
    ctx: HandlerContext,
    held: Claim,
    *,
    stripe_object_type: str,
    p21_document_no: str,
    p21_customer_id: str | int | None = None,
    currency: str | None = None,
    amount_minor: int | None = None,
    status: str = "open",
    details: dict[str, Any] | None = None,
) -> SyncLink:
    """Turn the claim into the finished link (inside the caller's transaction)."""
    link = await find_link(session, held.stripe_object_id, held.kind)
    if link is None:
        link = await record_link(
            session,
            stripe_object_id=held.stripe_object_id,
            stripe_object_type=stripe_object_type,
            kind=held.kind,
            p21_document_no=p21_document_no,
            mapping_version=ctx.mapping.version,
            event_id=ctx.event.id,
            p21_customer_id=p21_customer_id,
            currency=currency,
            amount_minor=amount_minor,
            status=status,
            details=details,
        )
    if link.status != PENDING:
        return link
    link.p21_document_no = str(p21_document_no)
    link.p21_customer_id = None if p21_customer_id is None else str(p21_customer_id)
    link.currency = currency.lower() if currency else None
    link.amount_minor = amount_minor
    link.status = status
    link.mapping_version = ctx.mapping.version
    link.event_id = ctx.event.id
    link.details = {k: v for k, v in link.details.items() if k != "claim"} | (details or {})
    link.updated_at = utcnow()
    return link


async def settled_link(ctx: HandlerContext, stripe_object_id: str, kind: str) -> SyncLink | None:
    """The finished link of `(object, kind)`, or None (missing or still being written)."""
    async with ctx.sessions() as session:
        link = await find_link(session, stripe_object_id, kind)
    return link if link is not None and link.status != PENDING else None
