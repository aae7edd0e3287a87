"""Payout flow: one balanced P21 GL entry per paid payout, keyed `(po_…, "gl_payout")`, then a
stored reconciliation of its balance transactions against what we synced (docs/payouts.md).

Posting is guarded three ways: the link (done already?), a claim row committed before the P21
call (two workers on `payout.paid` and `payout.reconciliation_completed` at once), and a lookup of
the entry in P21's `gl` table by its description reference when an earlier attempt's outcome is
unknown. See docs/adr/0501-payout-gl-and-reconciliation.md.

`payout.failed` (`sync_payout_failure`): a payout the bank returned after its entry was posted
gets one reversing entry, keyed `(po_…, "gl_payout_reversal")` and guarded the same three ways;
the `gl_payout` link becomes `reversed` and a `reconciliation` review item says so. A payout that
failed before anything was posted gets no entry: its `gl_payout_reversal` link is recorded
`not_posted`, and a `gl_payout` claim that finds that link posts nothing. Both sides write their
link first and read the other's second, so at least one of them sees the other."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select

from stripe_p21.connectors.p21.errors import (
    P21OutcomeUnknown,
    P21RejectedError,
    P21TransientError,
)
from stripe_p21.connectors.p21.gateway import P21Gateway
from stripe_p21.connectors.p21.schemas import JournalEntry, Period
from stripe_p21.db.tables import EventAttempt, EventStatus, StripeEvent, table_of
from stripe_p21.db.types import utcnow
from stripe_p21.pipeline.errors import NeedsReview, TransientError
from stripe_p21.pipeline.mapping.payout_reversal import (
    PayoutReversal,
    failure_day,
    payout_reversal,
    posted_lines,
    reversal_entry,
)
from stripe_p21.pipeline.mapping.payouts import (
    BalanceTxn,
    PayoutJournal,
    PayoutShapeError,
    PayoutView,
    choose_period,
    journal_entry,
    payout_journal,
    payout_reference,
    payout_transactions,
)
from stripe_p21.pipeline.mapping.reconcile import (
    MISSING,
    LinkFact,
    Reconciliation,
    reconcile_payout,
)
from stripe_p21.pipeline.sync.claims import CLAIM_POLL_SECONDS, CLAIM_WAIT_SECONDS
from stripe_p21.pipeline.sync.links import find_link, record_link, set_status
from stripe_p21.pipeline.tables import ReconciliationLine, ReconciliationRun, SyncLink
from stripe_p21.review.service import ReviewRequest, raise_item

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from stripe_p21.pipeline.context import HandlerContext

KIND = "gl_payout"
REVERSAL_KIND = "gl_payout_reversal"
POSTING = "posting"
"""Status of a `gl_payout` (or `gl_payout_reversal`) link claimed before the P21 call, until P21
answers."""
REVERSED = "reversed"
"""Status of a `gl_payout` link whose entry a reversal undid (the payout failed)."""
NOT_POSTED = "not_posted"
"""Status of the `gl_payout_reversal` link of a payout that failed before its entry was posted:
nothing to reverse, and a later `gl_payout` claim that finds it posts nothing."""
FAILED_PRIORITY = 2
"""Review priority of a payout that failed after it was posted: high (1 urgent … 5)."""
CLAIM_TTL = timedelta(minutes=5)
"""A claim older than this belongs to a run that died: another run may take it over (after
looking the entry up in P21). Far above the P21 client's read timeout."""
WAIT_ATTEMPTS = 5
"""Times a payout waits (`WaitingForObjects`) for its charges' and refunds' own events to
finish before the missing documents are reported as breaks. Only these waits count: attempts
that failed for other reasons (P21 down for two minutes) do not use the budget up."""
PENDING = (EventStatus.RECEIVED.value, EventStatus.PROCESSING.value, EventStatus.FAILED.value)


async def find_posted_journal(p21: P21Gateway, reference: str) -> str | None:
    """The `TransactionNumber` of the GL entry whose line descriptions start with `reference`."""
    return await p21.find_journal_by_reference(reference)


async def _locked_link(session: AsyncSession, payout_id: str, kind: str = KIND) -> SyncLink | None:
    """The payout's `gl_payout` (or `kind`) link, row-locked on PostgreSQL so two runs cannot
    both take over a stale claim (SQLite serialises writers already)."""
    links = table_of(SyncLink).c
    stmt = select(SyncLink).where(links.stripe_object_id == payout_id, links.p21_kind == kind)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


class _ClaimHeld(TransientError):
    """Another event is posting this payout's entry right now."""


@dataclass(frozen=True, slots=True)
class _Target:
    """The link a claim is for: the payout's entry (`gl_payout`) or its reversal."""

    payout_id: str
    kind: str
    currency: str
    amount_minor: int


def _target(journal: PayoutJournal) -> _Target:
    return _Target(journal.payout_id, KIND, journal.currency, journal.amount_minor)


async def _claim_waiting(ctx: HandlerContext, target: _Target) -> tuple[SyncLink, bool]:
    """`_claim`, waiting a moment while another event posts the entry (`payout.paid` and
    `payout.reconciliation_completed` often run together): its entry is ours too."""
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    while True:
        try:
            return await _claim(ctx, target)
        except _ClaimHeld:
            if time.monotonic() >= deadline:
                raise
            await asyncio.sleep(CLAIM_POLL_SECONDS)


async def _claim(ctx: HandlerContext, target: _Target) -> tuple[SyncLink, bool]:
    """The target link, claimed for this event when not posted yet; True when this call
    created the claim (so nothing can have been posted under it before)."""
    async with ctx.sessions() as session, session.begin():
        link = await _locked_link(session, target.payout_id, target.kind)
        if link is None:
            link = await record_link(
                session, stripe_object_id=target.payout_id, stripe_object_type="payout",
                kind=target.kind, p21_document_no="", mapping_version=ctx.mapping.version,
                event_id=ctx.event.id, currency=target.currency,
                amount_minor=target.amount_minor, status=POSTING,
                details={"claimed_by": ctx.event.id, "claim": utcnow().isoformat()},
            )  # fmt: skip
            if link.status == POSTING and link.details.get("claimed_by") == ctx.event.id:
                return link, True
        if link.status != POSTING:
            return link, False
        owner = link.details.get("claimed_by")
        if owner != ctx.event.id and utcnow() - link.updated_at < CLAIM_TTL:
            raise _ClaimHeld(f"{target.payout_id}: {target.kind} entry being posted by {owner}")
        link.details = {**link.details, "claimed_by": ctx.event.id}
        link.updated_at = utcnow()
        return link, False


async def _release(ctx: HandlerContext, payout_id: str, kind: str = KIND) -> None:
    """Drop a claim whose P21 call certainly did not post (refused, or never sent)."""
    async with ctx.sessions() as session, session.begin():
        await session.execute(
            delete(SyncLink).where(
                table_of(SyncLink).c.stripe_object_id == payout_id,
                table_of(SyncLink).c.p21_kind == kind,
                table_of(SyncLink).c.status == POSTING,
            )
        )


async def _post(
    ctx: HandlerContext,
    target: _Target,
    *,
    day: date,
    reference: str,
    build: Callable[[Period, date], JournalEntry],
    evidence: dict[str, Any],
) -> str:
    """Post the entry `build` makes into the open period of `day`; P21 refusals go to review.
    A lost answer is looked up by `reference` (found: adopted; not found: retry later, claim
    kept). Whatever certainly did not post drops the claim."""
    periods = await ctx.p21.list_open_periods()
    chosen = choose_period(periods, day)
    what = "reversal of the GL entry" if target.kind == REVERSAL_KIND else "GL entry"
    if chosen is None:
        await _release(ctx, target.payout_id, target.kind)
        raise NeedsReview(
            f"no open P21 period on or after {day} for the {what} of payout {target.payout_id}",
            queue="sync", reason="gl_period_closed", stripe_object_id=target.payout_id,
            evidence=evidence,
        )  # fmt: skip
    period, posting_day = chosen
    try:
        posted = await ctx.p21.post_journal_entry(build(period, posting_day))
    except P21OutcomeUnknown:
        found = await find_posted_journal(ctx.p21, reference)
        if found is None:
            raise TransientError(f"{target.payout_id}: {what} post outcome unknown") from None
        return found
    except P21TransientError as exc:
        await _release(ctx, target.payout_id, target.kind)
        raise TransientError(f"{target.payout_id}: P21 unavailable ({exc})") from exc
    except P21RejectedError as exc:
        await _release(ctx, target.payout_id, target.kind)
        raise NeedsReview(
            f"P21 refused the {what} of payout {target.payout_id}: {exc.message}",
            queue="sync", reason="p21_rejected", stripe_object_id=target.payout_id,
            evidence={"p21_messages": list(exc.messages), **evidence},
        ) from exc  # fmt: skip
    return posted.transaction_number


async def _failure_recorded(ctx: HandlerContext, payout_id: str) -> bool:
    """Whether `payout.failed` got to this payout first (its `gl_payout_reversal` link)."""
    async with ctx.sessions() as session:
        return await find_link(session, payout_id, REVERSAL_KIND) is not None


async def post_payout_journal(ctx: HandlerContext, journal: PayoutJournal) -> str | None:
    """Post the payout's GL entry at most once; returns P21's `TransactionNumber`, or None when
    the payout failed meanwhile (its `gl_payout_reversal` link exists) and nothing was posted."""
    link, first = await _claim_waiting(ctx, _target(journal))
    if link.status != POSTING:
        return link.p21_document_no
    found: str | None = None
    if not first:  # an earlier attempt may have posted it: look before posting
        found = await find_posted_journal(ctx.p21, journal.reference)
    if found is None and await _failure_recorded(ctx, journal.payout_id):
        await _release(ctx, journal.payout_id)  # claimed, then read: see the module docstring
        ctx.log.info("payout_gl_skipped_failed", payout=journal.payout_id)
        return None
    number = found or await _post(
        ctx, _target(journal), day=journal.day, reference=journal.reference,
        build=lambda period, day: journal_entry(journal, period, day, ctx.mapping),
        evidence={"journal": journal.as_truth()},
    )  # fmt: skip
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


class WaitingForObjects(TransientError):
    """Some of the payout's charges or refunds are still being synced: reconcile after them."""


async def _waits_so_far(session: AsyncSession, event_id: str) -> int:
    """How many earlier attempts of this event waited for objects in flight."""
    attempts = table_of(EventAttempt).c
    stmt = select(func.count()).where(
        attempts.event_id == event_id, attempts.error_class == WaitingForObjects.__name__
    )
    return int((await session.execute(stmt)).scalar_one())


async def reconcile(
    ctx: HandlerContext, payout: PayoutView, txns: Sequence[BalanceTxn], gl_no: str
) -> Reconciliation:
    """Reconcile, wait (bounded) for objects still in flight, store the run, raise the item."""
    last_attempt = ctx.settings.jobs.max_attempts - 1
    async with ctx.sessions() as session, session.begin():
        # `payout.paid` and `payout.reconciliation_completed` reconcile one payout together:
        # the payout's link lock makes the second wait and then refresh the first's run.
        await _locked_link(session, payout.id)
        links = await _links(session, [t.source for t in txns if t.source])
        result = reconcile_payout(payout, txns, links)
        missing = [line.source_id for line in result.lines if line.result == MISSING]
        waiting = await unsettled(session, [m for m in missing if m], ctx.event.id)
        if (
            waiting
            and ctx.event.attempts < last_attempt
            and await _waits_so_far(session, ctx.event.id) < WAIT_ATTEMPTS
        ):
            raise WaitingForObjects(f"{payout.id}: waiting for {len(waiting)} object(s) to sync")
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
    if payout.failed:
        return f"payout failed ({payout.failure_code or 'no failure code'}): nothing to post"
    if not payout.ready:
        return f"payout {payout.status}, reconciliation {payout.reconciliation_status}: waiting"
    journal = payout_journal(payout, txns, ctx.mapping)
    gl_no = await post_payout_journal(ctx, journal)
    if gl_no is None:
        return f"payout {payout_id} failed before its GL entry was posted: nothing posted"
    result = await reconcile(ctx, payout, txns, gl_no)
    return f"GL {gl_no}; reconciliation {result.status}"


# --- payout.failed -----------------------------------------------------------------------------


async def _fetch_failed(ctx: HandlerContext, payout_id: str) -> PayoutView:
    """The payout as Stripe has it now, its `payout_failure` transaction expanded (the day)."""
    try:
        return PayoutView.parse(
            await ctx.stripe.retrieve_payout(payout_id, expand=["failure_balance_transaction"])
        )
    except PayoutShapeError as exc:
        raise NeedsReview(
            str(exc), queue="sync", reason="bad_payout", stripe_object_id=payout_id
        ) from exc


async def _settle_stale_claim(ctx: HandlerContext, payout_id: str) -> SyncLink | None:
    """A `gl_payout` claim whose run died (older than `CLAIM_TTL`): the entry it may have
    posted is looked up in P21 and adopted, or the claim is dropped (nothing was posted)."""
    number = await find_posted_journal(ctx.p21, payout_reference(payout_id))
    async with ctx.sessions() as session, session.begin():
        link = await _locked_link(session, payout_id)
        if link is None or link.status != POSTING:
            return link
        if utcnow() - link.updated_at < CLAIM_TTL:
            raise TransientError(f"{payout_id}: GL entry claimed again meanwhile; retry later")
        if number is None:
            await session.delete(link)
            return None
        link.p21_document_no, link.status, link.updated_at = number, "open", utcnow()
        link.details = {**link.details, "adopted_by": ctx.event.id}
        return link


async def _posted_entry(ctx: HandlerContext, payout_id: str) -> SyncLink | None:
    """The payout's `gl_payout` link once no claim is in flight: posted, or None when nothing
    was posted. A fresh claim is waited for a moment, then the event retries later."""
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    while True:
        async with ctx.sessions() as session:
            link = await find_link(session, payout_id, KIND)
        if link is None or link.status != POSTING:
            return link
        if utcnow() - link.updated_at >= CLAIM_TTL:
            return await _settle_stale_claim(ctx, payout_id)
        if time.monotonic() >= deadline:
            owner = link.details.get("claimed_by")
            raise TransientError(f"{payout_id}: GL entry being posted by {owner}; reverse it after")
        await asyncio.sleep(CLAIM_POLL_SECONDS)


async def _reversal(
    ctx: HandlerContext, payout: PayoutView, original: SyncLink, day: date
) -> PayoutReversal:
    """The reversal of the posted entry's bank transfer, read from the lines the link recorded
    (for an adopted entry without that record, the same mapping applied to the same payout). A
    record that cannot be reversed drops the claim (nothing was posted) and goes to review."""
    try:
        recorded = original.details.get("journal")
        if isinstance(recorded, dict):
            lines = posted_lines(recorded)
        else:
            listed = []
            if payout.itemised:
                listed = [txn async for txn in ctx.stripe.payout_balance_transactions(payout.id)]
            lines = payout_journal(payout, payout_transactions(payout, listed), ctx.mapping).lines
        return payout_reversal(payout, lines, reverses_gl=original.p21_document_no, day=day)
    except PayoutShapeError as exc:
        await _release(ctx, payout.id, REVERSAL_KIND)
        raise NeedsReview(
            f"GL {original.p21_document_no} of failed payout {payout.id} cannot be reversed: {exc}",
            queue="sync", reason="bad_payout", stripe_object_id=payout.id,
            evidence={"gl_payout": dict(original.details)},
        ) from exc  # fmt: skip


def _failure_review(reversal: PayoutReversal, gl_no: str, event_id: str) -> ReviewRequest:
    code, message = reversal.failure_code, reversal.failure_message
    what = f"failed ({code}) after GL {reversal.reverses_gl} was posted; reversed by GL {gl_no}"
    return ReviewRequest(
        queue="reconciliation",
        reason="payout_failed",
        title=f"Payout {reversal.payout_id} {what}",
        stripe_object_id=reversal.payout_id,
        event_id=event_id,
        message=f"payout {reversal.payout_id} {what}: {message or 'no failure message'}",
        priority=FAILED_PRIORITY,
        evidence={
            "failure_code": code, "failure_message": message,
            "original_gl": reversal.reverses_gl, "reversal_gl": gl_no,
            "reversal": reversal.as_truth(),
        },
        links={"events": [event_id],
               "p21": {"gl": reversal.reverses_gl, "gl_reversal": gl_no}},
    )  # fmt: skip


async def _record_not_posted(ctx: HandlerContext, payout: PayoutView) -> None:
    async with ctx.sessions() as session, session.begin():
        claimed = await _locked_link(session, payout.id, REVERSAL_KIND)
        assert claimed is not None  # noqa: S101 - only this event's own claim gets here
        claimed.status, claimed.updated_at = NOT_POSTED, utcnow()
        claimed.details = {
            "failure_code": payout.failure_code, "failure_message": payout.failure_message,
            "recorded_by": ctx.event.id,
        }  # fmt: skip


async def _record_reversal(
    ctx: HandlerContext, reversal: PayoutReversal, number: str, *, adopted: bool
) -> None:
    """Settle the reversal claim, mark the payout's entry `reversed`, raise the review item."""
    async with ctx.sessions() as session, session.begin():
        claimed = await _locked_link(session, reversal.payout_id, REVERSAL_KIND)
        assert claimed is not None  # noqa: S101 - claims are only dropped before posting
        claimed.p21_document_no, claimed.status = number, "posted"
        claimed.mapping_version, claimed.updated_at = ctx.mapping.version, utcnow()
        claimed.details = {
            "reversal": reversal.as_truth(), "reverses_gl": reversal.reverses_gl,
            "posted_by": ctx.event.id, "adopted": adopted,
        }  # fmt: skip
        original = await _locked_link(session, reversal.payout_id, KIND)
        if original is not None:
            await set_status(
                session, original, REVERSED, reversed_by=number,
                failure_code=reversal.failure_code, failure_message=reversal.failure_message,
            )  # fmt: skip
        await raise_item(session, _failure_review(reversal, number, ctx.event.id))


async def sync_payout_failure(ctx: HandlerContext, payout_id: str) -> str | None:
    """`payout.failed`: reverse the payout's posted GL entry once; nothing when none was
    posted. Acts on the payout as Stripe has it now."""
    payout = await _fetch_failed(ctx, payout_id)
    if not payout.failed:
        return f"payout {payout.status}: not failed, nothing to reverse"
    code = payout.failure_code or "no failure code"
    target = _Target(payout.id, REVERSAL_KIND, payout.currency, payout.amount)
    claim, first = await _claim_waiting(ctx, target)  # written before the gl_payout link is read
    if claim.status == NOT_POSTED:
        return f"payout failed ({code}) before its GL entry was posted: nothing to reverse"
    if claim.status != POSTING:
        return f"payout failed ({code}): GL reversal {claim.p21_document_no} exists"
    original = await _posted_entry(ctx, payout.id)
    if original is None:
        await _record_not_posted(ctx, payout)
        ctx.log.info("payout_failed_unposted", payout=payout.id, failure_code=payout.failure_code)
        return f"payout failed ({code}) before its GL entry was posted: nothing to reverse"
    day = failure_day(payout, int(ctx.created.timestamp()), ctx.mapping)
    reversal = await _reversal(ctx, payout, original, day)
    found: str | None = None
    if not first:  # an earlier attempt may have posted it: look before posting
        found = await find_posted_journal(ctx.p21, reversal.reference)
    number = found or await _post(
        ctx, target, day=reversal.day, reference=reversal.reference,
        build=lambda period, day: reversal_entry(reversal, period, day, ctx.mapping),
        evidence={"reversal": reversal.as_truth()},
    )  # fmt: skip
    await _record_reversal(ctx, reversal, number, adopted=bool(found))
    ctx.log.info(
        "payout_gl_reversed", payout=payout.id, gl=original.p21_document_no, reversal=number
    )
    return f"payout failed ({code}): GL {original.p21_document_no} reversed by GL {number}"
