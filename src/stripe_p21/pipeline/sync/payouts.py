"""Payout flow: one balanced P21 GL entry per paid payout, keyed `(po_…, "gl_payout")`, then a
stored reconciliation of its balance transactions against what we synced (docs/payouts.md).

Posting is guarded three ways: the link (done already?), a claim row committed before the P21
call (two workers on `payout.paid` and `payout.reconciliation_completed` at once), and a lookup of
the entry in P21's `gl` table by its description reference when an earlier attempt's outcome is
unknown. See docs/adr/0501-payout-gl-and-reconciliation.md."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from stripe_p21.connectors.p21.errors import (
    P21OutcomeUnknown,
    P21RejectedError,
    P21TransientError,
)
from stripe_p21.connectors.p21.gateway import P21Gateway
from stripe_p21.db.tables import EventStatus, StripeEvent, table_of
from stripe_p21.db.types import utcnow
from stripe_p21.pipeline.errors import NeedsReview, TransientError
from stripe_p21.pipeline.mapping.payouts import (
    BalanceTxn,
    PayoutJournal,
    PayoutShapeError,
    PayoutView,
    choose_period,
    journal_entry,
    payout_journal,
    payout_transactions,
)
from stripe_p21.pipeline.mapping.reconcile import (
    MISSING,
    LinkFact,
    Reconciliation,
    reconcile_payout,
)
from stripe_p21.pipeline.sync.claims import CLAIM_POLL_SECONDS, CLAIM_WAIT_SECONDS
from stripe_p21.pipeline.sync.links import find_link, record_link
from stripe_p21.pipeline.tables import ReconciliationLine, ReconciliationRun, SyncLink
from stripe_p21.review.service import ReviewRequest, raise_item

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from stripe_p21.pipeline.context import HandlerContext

KIND = "gl_payout"
POSTING = "posting"
"""Status of a `gl_payout` link claimed before the P21 call, until P21 answers."""
CLAIM_TTL = timedelta(minutes=5)
"""A claim older than this belongs to a run that died: another run may take it over (after
looking the entry up in P21). Far above the P21 client's read timeout."""
WAIT_ATTEMPTS = 5
"""Attempts a payout waits (TransientError) for its charges' and refunds' own events to finish
before the missing documents are reported as breaks."""
PENDING = (EventStatus.RECEIVED.value, EventStatus.PROCESSING.value, EventStatus.FAILED.value)


async def find_posted_journal(p21: P21Gateway, reference: str) -> str | None:
    """The `TransactionNumber` of the GL entry whose line descriptions start with `reference`."""
    return await p21.find_journal_by_reference(reference)


async def _locked_link(session: AsyncSession, payout_id: str) -> SyncLink | None:
    """The payout's `gl_payout` link, row-locked on PostgreSQL so two runs cannot both take
    over a stale claim (SQLite serialises writers already)."""
    links = table_of(SyncLink).c
    stmt = select(SyncLink).where(links.stripe_object_id == payout_id, links.p21_kind == KIND)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


class _ClaimHeld(TransientError):
    """Another event is posting this payout's entry right now."""


async def _claim_waiting(ctx: HandlerContext, journal: PayoutJournal) -> tuple[SyncLink, bool]:
    """`_claim`, waiting a moment while another event posts the entry (`payout.paid` and
    `payout.reconciliation_completed` often run together): its entry is ours too."""
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    while True:
        try:
            return await _claim(ctx, journal)
        except _ClaimHeld:
            if time.monotonic() >= deadline:
                raise
            await asyncio.sleep(CLAIM_POLL_SECONDS)


async def _claim(ctx: HandlerContext, journal: PayoutJournal) -> tuple[SyncLink, bool]:
    """The `gl_payout` link, claimed for this event when not posted yet; True when this call
    created the claim (so nothing can have been posted under it before)."""
    async with ctx.sessions() as session, session.begin():
        link = await _locked_link(session, journal.payout_id)
        if link is None:
            link = await record_link(
                session, stripe_object_id=journal.payout_id, stripe_object_type="payout",
                kind=KIND, p21_document_no="", mapping_version=ctx.mapping.version,
                event_id=ctx.event.id, currency=journal.currency,
                amount_minor=journal.amount_minor, status=POSTING,
                details={"claimed_by": ctx.event.id, "claim": utcnow().isoformat()},
            )  # fmt: skip
            if link.status == POSTING and link.details.get("claimed_by") == ctx.event.id:
                return link, True
        if link.status != POSTING:
            return link, False
        owner = link.details.get("claimed_by")
        if owner != ctx.event.id and utcnow() - link.updated_at < CLAIM_TTL:
            raise _ClaimHeld(f"{journal.payout_id}: GL entry being posted by {owner}")
        link.details = {**link.details, "claimed_by": ctx.event.id}
        link.updated_at = utcnow()
        return link, False


async def _release(ctx: HandlerContext, payout_id: str) -> None:
    """Drop a claim whose P21 call certainly did not post (refused, or never sent)."""
    async with ctx.sessions() as session, session.begin():
        await session.execute(
            delete(SyncLink).where(
                table_of(SyncLink).c.stripe_object_id == payout_id,
                table_of(SyncLink).c.p21_kind == KIND,
                table_of(SyncLink).c.status == POSTING,
            )
        )


async def _post(ctx: HandlerContext, journal: PayoutJournal) -> str:
    """Post the entry into the open period of its day; P21 refusals go to review."""
    periods = await ctx.p21.list_open_periods()
    chosen = choose_period(periods, journal.day)
    if chosen is None:
        await _release(ctx, journal.payout_id)
        raise NeedsReview(
            f"no open P21 period on or after {journal.day} for payout {journal.payout_id}",
            queue="sync", reason="gl_period_closed", stripe_object_id=journal.payout_id,
            evidence={"journal": journal.as_truth()},
        )  # fmt: skip
    period, day = chosen
    entry = journal_entry(journal, period, day, ctx.mapping)
    try:
        posted = await ctx.p21.post_journal_entry(entry)
    except P21OutcomeUnknown:
        found = await find_posted_journal(ctx.p21, journal.reference)
        if found is None:
            raise TransientError(f"{journal.payout_id}: GL post outcome unknown") from None
        return found
    except P21TransientError as exc:
        await _release(ctx, journal.payout_id)
        raise TransientError(f"{journal.payout_id}: P21 unavailable ({exc})") from exc
    except P21RejectedError as exc:
        await _release(ctx, journal.payout_id)
        raise NeedsReview(
            f"P21 refused the GL entry of payout {journal.payout_id}: {exc.message}",
            queue="sync", reason="p21_rejected", stripe_object_id=journal.payout_id,
            evidence={"p21_messages": list(exc.messages), "journal": journal.as_truth()},
        ) from exc  # fmt: skip
    return posted.transaction_number


async def post_payout_journal(ctx: HandlerContext, journal: PayoutJournal) -> str:
    """Post the payout's GL entry at most once; returns P21's `TransactionNumber`."""
    link, first = await _claim_waiting(ctx, journal)
    if link.status != POSTING:
        return link.p21_document_no
    found: str | None = None
    if not first:  # an earlier attempt may have posted it: look before posting
        found = await find_posted_journal(ctx.p21, journal.reference)
    number = found or await _post(ctx, journal)
    async with ctx.sessions() as session, session.begin():
        claimed = await find_link(session, journal.payout_id, KIND)
        assert claimed is not None  # noqa: S101 - claims are only dropped before posting
        claimed.p21_document_no, claimed.status = number, "open"
        claimed.mapping_version, claimed.updated_at = ctx.mapping.version, utcnow()
        claimed.details = {"journal": journal.as_truth(), "posted_by": ctx.event.id}
    ctx.log.info("payout_gl_posted", payout=journal.payout_id, gl=number, adopted=bool(found))
    return number


async def _links(session: AsyncSession, ids: Sequence[str]) -> dict[str, list[LinkFact]]:
    if not ids:
        return {}
    column = table_of(SyncLink).c.stripe_object_id
    rows = (await session.execute(select(SyncLink).where(column.in_(sorted(set(ids)))))).scalars()
    found: dict[str, list[LinkFact]] = {}
    for link in rows:
        if link.status == POSTING:
            continue
        fact = LinkFact(
            link.stripe_object_id, link.p21_kind, link.p21_document_no, link.amount_minor,
            link.currency,
        )  # fmt: skip
        found.setdefault(link.stripe_object_id, []).append(fact)
    return found


async def unsettled(session: AsyncSession, object_ids: Sequence[str], current: str) -> list[str]:
    """Objects whose own events are still to be processed, or not received yet: a missing P21
    document for them may still come, so it is not a break yet."""
    events = table_of(StripeEvent).c
    waiting = []
    for object_id in object_ids:
        mentions = events.payload.like(f'%"{object_id}"%')
        stmt = select(events.status).where(mentions, events.id != current)
        statuses = set((await session.execute(stmt)).scalars())
        if not statuses or statuses & set(PENDING):
            waiting.append(object_id)
    return waiting


def _review(result: Reconciliation, event_id: str, gl_no: str) -> ReviewRequest:
    breaks = [
        {"kind": line.result, "stripe_object_id": line.source_id, "amount_minor": line.amount_minor,
         "balance_transaction_id": line.balance_transaction_id, "note": line.note}
        for line in result.breaks
    ]  # fmt: skip
    manual = not result.itemised
    what = "is manual: Stripe does not itemise it" if manual else f"has {len(breaks)} break(s)"
    return ReviewRequest(
        queue="reconciliation",
        reason="manual_payout" if manual else "payout_breaks",
        title=f"Payout {result.payout_id} {what}",
        stripe_object_id=result.payout_id,
        event_id=event_id,
        message=f"payout {result.payout_id} {what}",
        priority=3,
        evidence={"breaks": breaks, "reconciliation": result.as_truth()},
        links={"events": [event_id], "p21": {"gl": gl_no}},
    )


async def store_run(
    session: AsyncSession, result: Reconciliation, *, gl_no: str, mapping_version: str
) -> ReconciliationRun:
    """Insert or refresh the payout's run and replace its lines. Caller commits."""
    runs = table_of(ReconciliationRun).c
    stmt = select(ReconciliationRun).where(runs.payout_id == result.payout_id)
    run = (await session.execute(stmt)).scalar_one_or_none()
    values: dict[str, Any] = {
        "currency": result.currency, "amount_minor": result.amount_minor,
        "automatic": result.automatic, "status": result.status,
        "transactions": result.transactions, "matched": result.matched,
        "breaks": len(result.breaks), "unexplained_minor": result.unexplained_minor,
        "gl_document_no": gl_no, "mapping_version": mapping_version,
    }  # fmt: skip
    if run is None:
        run = ReconciliationRun(payout_id=result.payout_id, **values)
        session.add(run)
    else:
        for key, value in values.items():
            setattr(run, key, value)
        run.created_at = utcnow()
    await session.flush()
    assert run.id is not None  # noqa: S101 - flushed above
    lines = table_of(ReconciliationLine).c
    await session.execute(delete(ReconciliationLine).where(lines.run_id == run.id))
    session.add_all(ReconciliationLine(run_id=run.id, **asdict(line)) for line in result.lines)
    return run


async def reconcile(
    ctx: HandlerContext, payout: PayoutView, txns: Sequence[BalanceTxn], gl_no: str
) -> Reconciliation:
    """Reconcile, wait (bounded) for objects still in flight, store the run, raise the item."""
    limit = min(WAIT_ATTEMPTS, ctx.settings.jobs.max_attempts - 1)
    async with ctx.sessions() as session, session.begin():
        # `payout.paid` and `payout.reconciliation_completed` reconcile one payout together:
        # the payout's link lock makes the second wait and then refresh the first's run.
        await _locked_link(session, payout.id)
        links = await _links(session, [t.source for t in txns if t.source])
        result = reconcile_payout(payout, txns, links)
        missing = [line.source_id for line in result.lines if line.result == MISSING]
        waiting = await unsettled(session, [m for m in missing if m], ctx.event.id)
        if waiting and ctx.event.attempts < limit:
            raise TransientError(f"{payout.id}: waiting for {len(waiting)} object(s) to sync")
        await store_run(session, result, gl_no=gl_no, mapping_version=ctx.mapping.version)
        if result.breaks:
            await raise_item(session, _review(result, ctx.event.id, gl_no))
    ctx.log.info(
        "payout_reconciled", payout=payout.id, status=result.status, breaks=len(result.breaks)
    )
    return result


async def _fetch(ctx: HandlerContext, payout_id: str) -> tuple[PayoutView, list[BalanceTxn]]:
    """The payout as Stripe has it now, and (when itemised and ready) its transactions."""
    try:
        payout = PayoutView.parse(await ctx.stripe.retrieve_payout(payout_id))
        listed = []
        if payout.ready and payout.itemised:
            listed = [txn async for txn in ctx.stripe.payout_balance_transactions(payout.id)]
        return payout, payout_transactions(payout, listed)
    except PayoutShapeError as exc:
        raise NeedsReview(
            str(exc), queue="sync", reason="bad_payout", stripe_object_id=payout_id
        ) from exc


async def sync_payout(ctx: HandlerContext, payout_id: str) -> str | None:
    """The whole flow for one payout; returns a note when there is nothing to do yet."""
    payout, txns = await _fetch(ctx, payout_id)
    if not payout.ready:
        return f"payout {payout.status}, reconciliation {payout.reconciliation_status}: waiting"
    journal = payout_journal(payout, txns, ctx.mapping)
    gl_no = await post_payout_journal(ctx, journal)
    result = await reconcile(ctx, payout, txns, gl_no)
    return f"GL {gl_no}; reconciliation {result.status}"
