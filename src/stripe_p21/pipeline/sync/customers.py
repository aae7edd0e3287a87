"""Customer flow: one P21 customer per Stripe customer, never two.

Evidence in order: an existing `sync_link` → `p21_customer_id` in the Stripe metadata → the exact
e-mail address (whole address, case-insensitive) → the matching hook → create per policy
(`create`, `review`, `single_global_customer`). A job claims the Stripe customer (a pending
`sync_link`) before it may create anything, and looks the e-mail up again before creating, so
two events for one customer cannot create two P21 customers (claims: `sync/claims.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stripe_p21.connectors.p21.errors import P21OutcomeUnknown
from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.mapping import customers as mapping
from stripe_p21.pipeline.sync.claims import claim, release, settle, settled_link
from stripe_p21.review.service import ReviewRequest, raise_item


@dataclass(slots=True)
class Decision:
    """How a Stripe customer maps to P21: `p21_customer_id` None means a person must decide."""

    how: str
    p21_customer_id: int | None = None
    create: bool = False
    review: ReviewRequest | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


def _review(
    ctx: HandlerContext, customer: dict[str, Any], reason: str, title: str, **evidence: Any
) -> ReviewRequest:
    return ReviewRequest(
        queue="customer_match",
        reason=reason,
        title=title,
        stripe_object_id=str(customer["id"]),
        event_id=ctx.event.id,
        evidence={"stripe_customer": {k: customer.get(k) for k in ("id", "name", "email")}}
        | evidence,
        links={"events": [ctx.event.id]},
    )


async def _by_email(ctx: HandlerContext, email: str | None) -> list[int]:
    if not mapping.normalised_email(email):
        return []
    found = await ctx.p21.find_customers_by_email(str(email))
    return [c.customer_id for c in mapping.exact_email_matches(str(email), found)]


async def _by_matcher(ctx: HandlerContext, customer: dict[str, Any]) -> Decision | None:
    matcher = ctx.matcher
    if matcher is None:
        return None
    outcome = await matcher.match(customer)
    candidates = [
        {"p21_customer_id": c.key, "name": c.name, "probability": round(c.probability, 4)}
        for c in getattr(outcome, "candidates", [])
    ]
    evidence = {
        "probability": round(float(outcome.probability), 4),
        "model_version": outcome.model_version,
        "candidates": candidates,
    }
    if outcome.decision == "link" and outcome.p21_customer_id is not None:
        return Decision("matcher", int(outcome.p21_customer_id), evidence=evidence)
    if outcome.decision == "review":
        reason = str(getattr(outcome, "reason", "") or "fuzzy_match")
        reason = reason if reason in ("dba_name", "ambiguous") else "fuzzy_match"
        title = f"Confirm the P21 customer of {mapping.display_name(customer)}"
        suggested = outcome.p21_customer_id
        review = _review(ctx, customer, reason, title, suggested_p21_customer_id=suggested,
                         **evidence)  # fmt: skip
        return Decision("matcher_review", None, review=review, evidence=evidence)
    return None


async def _decide(ctx: HandlerContext, customer: dict[str, Any]) -> Decision:
    hinted = mapping.metadata_customer_id(customer)
    if hinted is not None and await ctx.p21.find_customer(hinted) is not None:
        return Decision("metadata", hinted)
    matches = await _by_email(ctx, customer.get("email"))
    if len(matches) == 1:
        return Decision("email", matches[0])
    matched = await _by_matcher(ctx, customer)
    if matched is not None:
        return matched
    if len(matches) > 1:
        title = f"Several P21 customers use {customer.get('email')}"
        review = _review(ctx, customer, "ambiguous", title, candidates=matches)
        return Decision("email_ambiguous", None, review=review)
    policy = ctx.mapping.customers
    if policy.policy == "single_global_customer":
        return Decision("global", policy.global_customer_id)
    if policy.policy == "review":
        title = f"No P21 customer for {mapping.display_name(customer)}: create or link one"
        return Decision("policy_review", None, review=_review(ctx, customer, "new_customer", title))
    return Decision("created", create=True)


async def _create(ctx: HandlerContext, customer: dict[str, Any]) -> int:
    """Create the P21 customer (`_decide` has just found nobody with its e-mail); an unknown
    outcome is resolved by looking it up again."""
    draft = mapping.customer_draft(customer)
    try:
        return (await ctx.p21.create_customer(draft)).customer_id
    except P21OutcomeUnknown:
        found = await _by_email(ctx, draft.email)
        if len(found) == 1:
            return found[0]
        raise


def _dba_review(
    ctx: HandlerContext, customer: dict[str, Any], decision: Decision
) -> ReviewRequest | None:
    if decision.review is not None or not mapping.trades_under_another_name(customer):
        return None
    if decision.how not in ("email", "metadata", "matcher"):
        return None
    title = f"{mapping.display_name(customer)} trades under another name: confirm the link"
    return _review(ctx, customer, "dba_name", title,
                   suggested_p21_customer_id=decision.p21_customer_id)  # fmt: skip


async def write_back_customer(ctx: HandlerContext, customer: dict[str, Any], p21_id: str) -> None:
    if not ctx.settings.sync.stripe_writeback:
        return
    if str((customer.get("metadata") or {}).get("p21_customer_id") or "") == p21_id:
        return
    await ctx.stripe.update_metadata(
        "customer", str(customer["id"]), {"p21_customer_id": p21_id},
        idempotency_key=f"p21-customer-{customer['id']}-{p21_id}",
    )  # fmt: skip


async def sync_customer(ctx: HandlerContext, customer: dict[str, Any]) -> str | None:
    """Link or create the P21 customer of a (re-fetched) Stripe customer; None while a person
    must decide (a `customer_match` review item says so)."""
    stripe_id = str(customer["id"])
    held = await claim(ctx, stripe_object_id=stripe_id, stripe_object_type="customer",
                       kind="customer")  # fmt: skip
    if held.done is not None:
        await write_back_customer(ctx, customer, held.done.p21_document_no)
        return held.done.p21_document_no
    try:
        decision = await _decide(ctx, customer)
        p21_id = await _create(ctx, customer) if decision.create else decision.p21_customer_id
    except Exception:
        await release(ctx, held)
        raise
    if p21_id is None:
        await release(ctx, held)
        async with ctx.sessions() as session, session.begin():
            if decision.review is not None:
                await raise_item(session, decision.review)
        return None
    async with ctx.sessions() as session, session.begin():
        await settle(session, ctx, held, stripe_object_type="customer",
                     p21_document_no=str(p21_id), p21_customer_id=p21_id,
                     details={"matched_by": decision.how, **decision.evidence})  # fmt: skip
        dba = _dba_review(ctx, customer, decision)
        if dba is not None:
            await raise_item(session, dba)
    ctx.log.info("customer_linked", stripe_customer=stripe_id, p21_customer=p21_id,
                 matched_by=decision.how)  # fmt: skip
    await write_back_customer(ctx, customer, str(p21_id))
    return str(p21_id)


async def ensure_customer(ctx: HandlerContext, stripe_customer_id: str) -> str | None:
    """The P21 customer id of a Stripe customer, linking or creating it first when needed;
    None when the customer is deleted in Stripe or a person must decide."""
    link = await settled_link(ctx, stripe_customer_id, "customer")
    if link is not None:
        return link.p21_document_no
    customer = await ctx.stripe.retrieve_customer(stripe_customer_id)
    if customer.get("deleted"):
        return None
    return await sync_customer(ctx, customer)
