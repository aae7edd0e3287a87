"""Guards of `payout.failed` with stand-in gateways: a `payout.paid` that still sees the payout
paid posts nothing once the failure is recorded; a failure waits for an entry being posted and
then reverses it; a dead run's claim is settled by a lookup in P21 (adopted and reversed from the
rebuilt mapping, or dropped); a reversal whose answer is lost is looked up, never posted twice;
no open period, or a damaged record of the posted entry, sends the reversal to review and leaves
it retryable."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from stripe_p21.db.types import utcnow
from stripe_p21.pipeline.gateways import Gateways
from stripe_p21.pipeline.mapping.payout_reversal import reversal_reference
from stripe_p21.pipeline.mapping.payouts import choose_period, journal_entry, payout_journal
from stripe_p21.pipeline.sync import payouts as flow_module
from stripe_p21.pipeline.sync.links import find_link, record_link
from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.review.tables import ReviewItem
from tests.sync.payouts.conftest import Flow
from tests.sync.payouts.fakes import FakeStripe, LostAnswers
from tests.sync.payouts.gl_views import net_by_account
from tests.sync.payouts.scenario_payouts import ScenarioPayout, one

FAILED_AT = 1_794_106_800  # 2026-11-08 03:00 UTC: still 7 November in Chicago


def _with(flow: Flow, **gateways: Any) -> Flow:
    built = Gateways(flow.deps.settings, mapping=flow.mapping, **gateways)
    return replace(flow, deps=replace(flow.deps, gateways=built))


def _failed(payout: ScenarioPayout) -> dict[str, Any]:
    returned = {"id": "txn_failure", "object": "balance_transaction", "created": FAILED_AT}
    return payout.raw | {
        "status": "failed", "failure_code": "account_closed",
        "failure_message": "The bank account has been closed.",
        "failure_balance_transaction": returned,
    }  # fmt: skip


async def _claim(flow: Flow, payout: ScenarioPayout, *, age: timedelta) -> None:
    """A `gl_payout` claim of another event, `age` old."""
    async with flow.sessions() as session, session.begin():
        link = await record_link(
            session, stripe_object_id=payout.view.id, stripe_object_type="payout",
            kind="gl_payout", p21_document_no="", mapping_version=flow.mapping.version,
            currency=payout.view.currency, amount_minor=payout.view.amount, status="posting",
            details={"claimed_by": "evt_other"},
        )  # fmt: skip
        link.updated_at = utcnow() - age


async def _post_original(flow: Flow, payout: ScenarioPayout) -> str:
    """The payout's entry posted in the P21 sandbox, as the claiming run would have."""
    journal = payout_journal(payout.view, payout.txns, flow.mapping)
    chosen = choose_period(await flow.p21.list_open_periods(), journal.day)
    assert chosen is not None
    posted = await flow.p21.post_journal_entry(journal_entry(journal, *chosen, flow.mapping))
    return str(posted.transaction_number)


async def _link(flow: Flow, payout_id: str, kind: str) -> SyncLink | None:
    async with flow.sessions() as session:
        return await find_link(session, payout_id, kind)


async def test_a_paid_event_that_finds_the_failure_recorded_posts_nothing(flow: Flow) -> None:
    payout = one("usd")
    async with flow.sessions() as session, session.begin():
        await record_link(  # what payout.failed leaves when nothing was posted yet
            session, stripe_object_id=payout.view.id, stripe_object_type="payout",
            kind="gl_payout_reversal", p21_document_no="", mapping_version=flow.mapping.version,
            status="not_posted",
        )  # fmt: skip
    # This run fetched the payout just before it failed: Stripe's answer still says paid.
    fake = _with(flow, stripe=FakeStripe(payout.raw, payout.listed), p21=flow.p21)
    event = await fake.run(await fake.store("payout.reconciliation_completed", payout.raw))
    assert (event.status, event.outcome_note) == (
        "processed",
        f"payout {payout.view.id} failed before its GL entry was posted: nothing posted",
    )
    assert flow.gl_entries() == []
    assert await _link(flow, payout.view.id, "gl_payout") is None  # the claim was dropped


async def test_a_failure_waits_for_the_entry_being_posted_then_reverses_it(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flow_module, "CLAIM_WAIT_SECONDS", 0.1)
    payout = one("usd")
    await _claim(flow, payout, age=timedelta(seconds=1))
    fake = _with(flow, stripe=FakeStripe(_failed(payout), payout.listed), p21=flow.p21)
    event_id = await fake.store("payout.failed", _failed(payout))
    waiting = await fake.run(event_id)
    assert waiting.status == "failed"
    assert "GL entry being posted by evt_other" in (waiting.last_error_message or "")
    assert flow.gl_entries() == []
    # The other run posts and records its entry (it read no failure: it looked first).
    number = await _post_original(flow, payout)
    journal = payout_journal(payout.view, payout.txns, flow.mapping)
    async with flow.sessions() as session, session.begin():
        link = await find_link(session, payout.view.id, "gl_payout")
        assert link is not None
        link.p21_document_no, link.status = number, "open"
        link.details = {"journal": journal.as_truth()}
    await fake.make_due(event_id)
    done = await fake.run(event_id)
    assert done.status == "processed", done.last_error_message
    [original, reversal] = flow.gl_entries()
    transferred = net_by_account(original)["1010"]  # only the bank transfer is undone
    assert net_by_account(reversal) == {"1010": -transferred, "1015": transferred}
    # The failure day in the company's time zone (America/Chicago), not the event's.
    assert {str(line["TransactionDate"])[:10] for line in reversal["Lines"]} == {"2026-11-07"}
    assert done.outcome_note == (
        f"payout failed (account_closed): GL {number} reversed by GL "
        f"{reversal['TransactionNumber']}"
    )


async def test_a_dead_runs_claim_is_adopted_and_reversed_from_the_rebuilt_mapping(
    flow: Flow,
) -> None:
    payout = one("jpy")
    number = await _post_original(flow, payout)  # posted, answer lost, the run died
    await _claim(flow, payout, age=timedelta(minutes=10))
    fake = _with(flow, stripe=FakeStripe(_failed(payout), payout.listed), p21=flow.p21)
    event = await fake.run(await fake.store("payout.failed", _failed(payout)))
    assert event.status == "processed", event.last_error_message
    [original, reversal] = flow.gl_entries()
    assert str(original["TransactionNumber"]) == number
    transferred = net_by_account(original)["1010"]  # only the bank transfer is undone
    assert net_by_account(reversal) == {"1010": -transferred, "1015": transferred}
    link = await _link(flow, payout.view.id, "gl_payout")
    assert link is not None
    assert (link.p21_document_no, link.status, link.details["adopted_by"]) == (
        number,
        "reversed",
        event.id,
    )


async def test_a_dead_runs_claim_that_posted_nothing_is_dropped(flow: Flow) -> None:
    payout = one("kwd")
    await _claim(flow, payout, age=timedelta(minutes=10))
    fake = _with(flow, stripe=FakeStripe(_failed(payout), payout.listed), p21=flow.p21)
    event = await fake.run(await fake.store("payout.failed", _failed(payout)))
    assert event.status == "processed", event.last_error_message
    assert "before its GL entry was posted" in (event.outcome_note or "")
    assert flow.gl_entries() == []
    assert await _link(flow, payout.view.id, "gl_payout") is None
    marker = await _link(flow, payout.view.id, "gl_payout_reversal")
    assert marker is not None and marker.status == "not_posted"


async def _posted_link(flow: Flow, payout: ScenarioPayout) -> None:
    journal = payout_journal(payout.view, payout.txns, flow.mapping)
    async with flow.sessions() as session, session.begin():
        await record_link(
            session, stripe_object_id=payout.view.id, stripe_object_type="payout",
            kind="gl_payout", p21_document_no="GL-100", mapping_version=flow.mapping.version,
            currency=payout.view.currency, amount_minor=payout.view.amount,
            details={"journal": journal.as_truth()},
        )  # fmt: skip


async def test_a_lost_reversal_answer_is_looked_up_and_reused(flow: Flow) -> None:
    payout = one("usd")
    await _posted_link(flow, payout)
    p21 = LostAnswers(await flow.p21.list_open_periods())
    fake = _with(flow, stripe=FakeStripe(_failed(payout), payout.listed), p21=p21)
    event_id = await fake.store("payout.failed", _failed(payout))
    first = await fake.run(event_id)
    assert first.status == "failed"  # posted, answer lost, not visible yet: retry later
    assert (p21.posts, p21.lookups) == (1, 1)
    [entry] = p21.entries
    assert all(
        line.description.startswith(reversal_reference(payout.view.id)) for line in entry.lines
    )
    assert (
        entry.description
        == f"Stripe payout {payout.view.id} failed (account_closed): reversal of GL GL-100"
    )
    p21.visible = True
    await fake.make_due(event_id)
    done = await fake.run(event_id)
    assert done.status == "processed", done.last_error_message
    assert p21.posts == 1  # the retry looked first and found the reversal
    reversal = await _link(flow, payout.view.id, "gl_payout_reversal")
    assert reversal is not None and (reversal.p21_document_no, reversal.status) == (
        "GL-900",
        "posted",
    )
    original = await _link(flow, payout.view.id, "gl_payout")
    assert original is not None and original.status == "reversed"


async def test_no_open_period_sends_the_reversal_to_review(flow: Flow) -> None:
    payout = one("usd")
    await _posted_link(flow, payout)
    closed = [replace(p, closed=True) for p in await flow.p21.list_open_periods()]
    p21 = LostAnswers(closed)
    fake = _with(flow, stripe=FakeStripe(_failed(payout), payout.listed), p21=p21)
    event = await fake.run(await fake.store("payout.failed", _failed(payout)))
    assert event.status == "needs_review"
    assert p21.posts == 0
    async with flow.sessions() as session:
        items = list((await session.execute(select(ReviewItem))).scalars())
    assert [(i.queue, i.reason) for i in items] == [("sync", "gl_period_closed")]
    # The claim is dropped, so a replay once a period is open reverses the entry.
    assert await _link(flow, payout.view.id, "gl_payout_reversal") is None
    original = await _link(flow, payout.view.id, "gl_payout")
    assert original is not None and original.status == "open"


async def test_a_damaged_record_of_the_posted_entry_goes_to_review(flow: Flow) -> None:
    payout = one("usd")
    damaged = {"currency": "usd", "lines": [{"account": "1010", "role": "bank", "debit": "1.00"}]}
    async with flow.sessions() as session, session.begin():
        await record_link(
            session, stripe_object_id=payout.view.id, stripe_object_type="payout",
            kind="gl_payout", p21_document_no="GL-100", mapping_version=flow.mapping.version,
            details={"journal": damaged},
        )  # fmt: skip
    p21 = LostAnswers(await flow.p21.list_open_periods())
    fake = _with(flow, stripe=FakeStripe(_failed(payout), payout.listed), p21=p21)
    event = await fake.run(await fake.store("payout.failed", _failed(payout)))
    assert event.status == "needs_review"
    assert "GL GL-100 of failed payout" in (event.last_error_message or "")
    assert p21.posts == 0
    assert await _link(flow, payout.view.id, "gl_payout_reversal") is None
