"""The payout flow end to end against the in-process P21 sandbox and the Stripe sandbox holding
the seven-day scenario: GL entries and reconciliation runs as the truth says (checked with
sync_check), duplicates and concurrency give one entry, a lost answer is adopted, in-flight
charges are waited for, and a manual payout goes to review."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from stripe_p21.pipeline.sync.links import record_link
from stripe_p21.pipeline.tables import ReconciliationRun, SyncLink
from stripe_p21.review.tables import ReviewItem
from stripe_p21.sync_check import db as our_db
from stripe_p21.sync_check.ledger import check_gl_entries
from stripe_p21.sync_check.result import CheckResult
from stripe_p21.sync_check.reviews import check_reconciliation
from tests.sync.payouts.conftest import Flow
from tests.sync.payouts.scenario_payouts import ScenarioPayout, correct_links, payouts, week


async def _link_documents(flow: Flow, payout: ScenarioPayout) -> None:
    """What the charge and refund flows leave behind for this payout's objects, and a finished
    (needs_review) event for every charge that has no document by design."""
    facts = correct_links(payout)
    async with flow.sessions() as session, session.begin():
        for source, links in facts.items():
            for fact in links:
                await record_link(
                    session, stripe_object_id=source, stripe_object_type="charge",
                    kind=fact.kind, p21_document_no=fact.document_no, mapping_version="test",
                    currency=fact.currency, amount_minor=fact.amount_minor,
                )  # fmt: skip
    for txn in payout.txns:
        if txn.source and txn.source not in facts and txn.reporting_category == "charge":
            event_id = await flow.store("charge.succeeded", {"id": txn.source, "object": "charge"})
            await _set_status(flow, event_id, "needs_review")


async def _set_status(flow: Flow, event_id: str, status: str) -> None:
    from stripe_p21.db.tables import StripeEvent

    async with flow.sessions() as session, session.begin():
        event = await session.get(StripeEvent, event_id)
        assert event is not None
        event.status = status


def _events(payout: ScenarioPayout) -> list[tuple[str, dict[str, Any]]]:
    kinds = ["payout.paid"] + (["payout.reconciliation_completed"] if payout.view.itemised else [])
    return [(kind, payout.raw) for kind in kinds]


async def _reconciliation_items(flow: Flow) -> list[tuple[str, str, str | None]]:
    async with flow.sessions() as session:
        items = (await session.execute(select(ReviewItem))).scalars()
        return sorted((i.queue, i.reason, i.stripe_object_id) for i in items)


async def test_week_payouts_match_the_truth(flow: Flow) -> None:
    found = payouts()
    for payout in found:
        await _link_documents(flow, payout)
    # Reconciliation before payout.paid, both delivered twice (different event ids).
    for payout in reversed(found):
        for kind, obj in reversed(_events(payout) * 2):
            event = await flow.run(await flow.store(kind, obj))
            assert event.status == "processed", (event.last_error_class, event.last_error_message)
    truth = week().truth.as_json()
    result = CheckResult()
    ours = await our_db.load(flow.sessions)
    check_gl_entries(truth, {"gl_entries": flow.gl_entries()}, ours, result)
    check_reconciliation(truth, ours, result)
    assert result.differences == []
    assert len(flow.gl_entries()) == len(found)
    expected = sorted(
        (e["queue"], e["reason"], e["stripe_object_id"])
        for e in truth["exceptions"]
        if e["queue"] == "reconciliation"
    )
    assert await _reconciliation_items(flow) == expected
    for link in ours.links_of("gl_payout"):
        assert (link.status, link.mapping_version) == ("open", flow.mapping.version)


async def test_concurrent_paid_and_reconciled_post_once(flow: Flow) -> None:
    payout = next(p for p in payouts() if p.view.currency == "jpy")
    await _link_documents(flow, payout)
    ids = [await flow.store(kind, obj) for kind, obj in _events(payout)]
    first = await asyncio.gather(*(flow.run(i) for i in ids))
    for event in first:
        if event.status == "failed":  # the other worker held the claim: its retry finds the link
            await flow.make_due(event.id)
            event = await flow.run(event.id)
        assert event.status == "processed"
    assert len(flow.gl_entries()) == 1


async def test_a_lost_answer_is_looked_up_not_posted_again(flow: Flow) -> None:
    payout = next(p for p in payouts() if p.view.currency == "kwd")
    await _link_documents(flow, payout)
    flow.p21_app.sandbox.config.faults.drop_next = 1
    event_id = await flow.store("payout.reconciliation_completed", payout.raw)
    event = await flow.run(event_id)
    if event.status == "failed":
        await flow.make_due(event_id)
        event = await flow.run(event_id)
    assert event.status == "processed", event.last_error_message
    entries = flow.gl_entries()
    assert len(entries) == 1
    async with flow.sessions() as session:
        link = (await session.execute(select(SyncLink))).scalars().all()
    gl = [x for x in link if x.p21_kind == "gl_payout"]
    assert [x.p21_document_no for x in gl] == [str(entries[0]["TransactionNumber"])]


async def test_a_charge_still_in_flight_is_waited_for(flow: Flow) -> None:
    breaking = next(p for p in payouts() if p.reconciliation_truth["status"] == "breaks")
    missing = breaking.reconciliation_truth["expected_breaks"][0]["stripe_object_id"]
    facts = correct_links(breaking)
    async with flow.sessions() as session, session.begin():
        for source, links in facts.items():
            fact = links[0]
            await record_link(
                session, stripe_object_id=source, stripe_object_type="charge", kind=fact.kind,
                p21_document_no=fact.document_no, mapping_version="test",
                currency=fact.currency, amount_minor=fact.amount_minor,
            )  # fmt: skip
    charge_event = await flow.store("charge.succeeded", {"id": missing, "object": "charge"})
    payout_event = await flow.store("payout.reconciliation_completed", breaking.raw)
    waiting = await flow.run(payout_event)
    assert waiting.status == "failed"
    assert "waiting for 1 object" in (waiting.last_error_message or "")
    assert len(flow.gl_entries()) == 1  # the GL entry does not wait
    await _set_status(flow, charge_event, "needs_review")
    await flow.make_due(payout_event)
    done = await flow.run(payout_event)
    assert done.status == "processed"
    async with flow.sessions() as session:
        run = (await session.execute(select(ReconciliationRun))).scalar_one()
    assert (run.status, run.breaks, run.unexplained_minor) == ("breaks", 1, 0)
    assert len(flow.gl_entries()) == 1


async def test_attempts_lost_to_an_outage_do_not_use_up_the_wait(flow: Flow) -> None:
    """A payout whose first attempts failed while P21 was down still waits for a charge that
    is being synced, instead of reporting it missing at once."""
    from stripe_p21.db.tables import StripeEvent
    from stripe_p21.pipeline.retry import RetryPolicy
    from stripe_p21.pipeline.sync.payouts import WAIT_ATTEMPTS

    flow.deps.settings.jobs.max_attempts = 10
    flow.deps.policy = RetryPolicy(max_attempts=10)
    breaking = next(p for p in payouts() if p.reconciliation_truth["status"] == "breaks")
    missing = breaking.reconciliation_truth["expected_breaks"][0]["stripe_object_id"]
    await flow.store("charge.succeeded", {"id": missing, "object": "charge"})
    payout_event = await flow.store("payout.reconciliation_completed", breaking.raw)
    async with flow.sessions() as session, session.begin():
        stored = await session.get(StripeEvent, payout_event)
        assert stored is not None
        stored.attempts = WAIT_ATTEMPTS  # these attempts failed while P21 was down
    waiting = await flow.run(payout_event)
    assert waiting.status == "failed", waiting.outcome_note
    assert waiting.last_error_class == "WaitingForObjects"
    async with flow.sessions() as session:
        assert (await session.execute(select(ReconciliationRun))).first() is None


async def test_payout_paid_acts_on_the_refetched_payout(flow: Flow) -> None:
    payout = next(p for p in payouts() if p.view.currency == "eur")
    await _link_documents(flow, payout)
    event = await flow.run(await flow.store("payout.paid", payout.raw))
    # The sandbox already holds the reconciled payout: the re-fetch wins over the snapshot.
    assert event.status == "processed"
    assert "reconciliation matched" in (event.outcome_note or "")
