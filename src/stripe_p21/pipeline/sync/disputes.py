"""Disputes on the ERP side: the charge's P21 order is held while a dispute is open, released
when it is won (or an inquiry closes), cancelled when it is lost; a `disputes` review item per
new dispute; and the dispute's money (funds withdrawn, fee, reinstated) as GL entries keyed
`(dp_…, "gl_dispute_withdrawn" | "gl_dispute_reinstated")`.

By default those GL entries are recorded, not posted (`memo`): the payout's journal entry
already books dispute losses and fees when the money crosses the payout (docs/adr/0502)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from stripe_p21.connectors.p21.errors import P21OutcomeUnknown, P21RejectedError
from stripe_p21.pipeline.errors import NeedsReview, TransientError
from stripe_p21.pipeline.mapping.config import MappingConfig
from stripe_p21.pipeline.mapping.disputes import (
    DisputeMoney,
    MoneyKind,
    dispute_gl_lines,
    dispute_journal,
    dispute_money,
    dispute_signal,
    is_inquiry,
    memo,
    open_period_for,
    review_reason,
)
from stripe_p21.pipeline.mapping.refunds import company_date
from stripe_p21.pipeline.sync.claims import claim, release, settle, settled_link
from stripe_p21.pipeline.sync.links import record_link
from stripe_p21.pipeline.sync.radar import Signal, apply_signal
from stripe_p21.pipeline.sync.refunds import object_id, p21_refusal
from stripe_p21.review.service import ReviewRequest

if TYPE_CHECKING:
    from stripe_p21.connectors.p21.schemas import JournalLine
    from stripe_p21.pipeline.context import HandlerContext

GlMode = Literal["memo", "post"]
LOST_DISPUTE_CANCELS_ORDER = True
"""Issue 5 item 6: a lost dispute cancels the order. Set False to leave the order as the
dispute found it (held while the dispute was open, so it stays held for a person)."""


def dispute_gl_mode(config: MappingConfig) -> GlMode:
    """`memo` (default) or `post`, from `gl.dispute_entries` in the mapping file."""
    return config.gl.dispute_entries


def _signal(dispute: dict[str, Any]) -> Signal:
    signal = dispute_signal(dispute)
    if signal == "cancel" and not LOST_DISPUTE_CANCELS_ORDER:
        return "hold"
    return signal


async def sync_dispute(ctx: HandlerContext, dispute_id: str, *, created: bool) -> str:
    """Order state from the dispute's current status; on creation a `disputes` review item
    (`dispute_needs_response`, or `inquiry` for a `warning_*` dispute)."""
    dispute = await ctx.stripe.retrieve_dispute(dispute_id, expand=[])
    charge_id = object_id(dispute.get("charge"))
    if charge_id is None:
        return f"dispute {dispute_id} has no charge"
    items: tuple[ReviewRequest, ...] = ()
    if created:
        reason = review_reason(dispute)
        items = (
            ReviewRequest(
                queue="disputes",
                reason=reason,
                title=f"Dispute {dispute_id} on {charge_id}: {dispute.get('reason')}",
                stripe_object_id=dispute_id,
                event_id=ctx.event.id,
                priority=1 if reason == "dispute_needs_response" else 2,
                evidence={
                    "stripe_charge_id": charge_id,
                    "due_by": (dispute.get("evidence_details") or {}).get("due_by"),
                    "dispute": dispute,
                },
                links={"events": [ctx.event.id], "stripe_charge_id": charge_id},
            ),
        )
    return await apply_signal(ctx, charge_id, dispute_id, _signal(dispute), items=items)


def _kind(kind: MoneyKind) -> str:
    return "gl_dispute_withdrawn" if kind == "withdrawn" else "gl_dispute_reinstated"


async def sync_dispute_funds(ctx: HandlerContext, dispute_id: str, kind: MoneyKind) -> str | None:
    """The GL entry for money a dispute moved, once per dispute and kind."""
    existing = await settled_link(ctx, dispute_id, _kind(kind))
    if existing is not None:
        return f"dispute GL entry {existing.p21_document_no} exists"
    dispute = await ctx.stripe.retrieve_dispute(dispute_id, expand=[])
    money = dispute_money(dispute, kind)
    if money.estimated and (is_inquiry(dispute) or kind == "reinstated"):
        return f"dispute {dispute_id} shows no {kind} balance transaction: no GL entry"
    charge_id = object_id(dispute.get("charge")) or ""
    lines = dispute_gl_lines(money, dispute_id=dispute_id, charge_id=charge_id, config=ctx.mapping)
    details = {"stripe_charge_id": charge_id, **memo(lines, money)}
    if dispute_gl_mode(ctx.mapping) == "post":
        note = await _post_once(ctx, dispute_id, kind, money, lines, details)
        if note is not None:
            return note
    else:
        async with ctx.sessions() as session, session.begin():
            await record_link(
                session,
                stripe_object_id=dispute_id,
                stripe_object_type="dispute",
                kind=_kind(kind),
                p21_document_no=f"memo:{dispute_id}:{kind}",
                mapping_version=ctx.mapping.version,
                event_id=ctx.event.id,
                currency=money.currency,
                amount_minor=money.amount_minor,
                status="memo",
                details=details,
            )
    ctx.log.info("dispute_gl_recorded", dispute=dispute_id, kind=kind)
    return None


async def _post_once(
    ctx: HandlerContext,
    dispute_id: str,
    kind: MoneyKind,
    money: DisputeMoney,
    lines: tuple[JournalLine, ...],
    details: dict[str, Any],
) -> str | None:
    """Claim the `(dp_…, kind)` link, post, settle; a note when another run posted it."""
    held = await claim(ctx, stripe_object_id=dispute_id, stripe_object_type="dispute",
                       kind=_kind(kind))  # fmt: skip
    if held.done is not None:
        return f"dispute GL entry {held.done.p21_document_no} exists"
    try:
        number = await _post(ctx, dispute_id, kind, money, lines)
    except BaseException:
        await release(ctx, held)
        raise
    async with ctx.sessions() as session, session.begin():
        await settle(
            session, ctx, held, stripe_object_type="dispute", p21_document_no=number,
            currency=money.currency, amount_minor=money.amount_minor, status="posted",
            details=details,
        )  # fmt: skip
    return None


async def _post(
    ctx: HandlerContext,
    dispute_id: str,
    kind: MoneyKind,
    money: DisputeMoney,
    lines: tuple[JournalLine, ...],
) -> str:
    """Post the entry in the open period of its day, once: look the entry up by its Stripe
    reference in P21 first, and again when a post's answer is lost (never re-sent blindly)."""
    moment = money.created or int(ctx.created.timestamp())
    day = company_date(moment, ctx.mapping)
    period = open_period_for(day, await ctx.p21.list_open_periods())
    if period is None:
        raise NeedsReview(
            f"no open P21 period on or after {day} for dispute {dispute_id}",
            queue="sync", reason="gl_period_closed", stripe_object_id=dispute_id,
        )  # fmt: skip
    entry = dispute_journal(
        lines, period=period, day=day, dispute_id=dispute_id, kind=kind, config=ctx.mapping
    )
    reference = lines[0].description.split(":")[0]  # "Stripe dispute dp_… (ch_…) funds …"
    found = await ctx.p21.find_journal_by_reference(reference)
    if found is not None:  # an earlier attempt posted it and its answer was lost
        return found
    try:
        posted = await ctx.p21.post_journal_entry(entry)
    except P21RejectedError as exc:
        raise p21_refusal(
            exc, what=f"the GL entry for {dispute_id}", stripe_object_id=dispute_id,
            evidence={"entry": repr(entry)},
        ) from exc  # fmt: skip
    except P21OutcomeUnknown as exc:
        found = await ctx.p21.find_journal_by_reference(reference)
        if found is not None:
            return found
        raise TransientError(
            f"GL post for {dispute_id} funds {kind} lost its answer; looked up before retrying"
        ) from exc
    return posted.transaction_number
