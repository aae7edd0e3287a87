"""`payout.failed` against the in-process P21 sandbox and the Stripe sandbox holding the seven-day
scenario, on SQLite and PostgreSQL: a payout the bank returns after its GL entry was posted gets
exactly one reversing entry (the posted bank transfer undone, dated on the failure day), also when
`payout.failed` comes twice, concurrently, or P21 drops the answer; the entry's link becomes
`reversed` and a high-priority `reconciliation` item names both GL numbers. A payout that failed
before anything was posted gets no entry, and a late `payout.paid` posts none either."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from stripe_p21.pipeline.mapping.payout_reversal import reversal_reference
from stripe_p21.pipeline.mapping.payouts import company_day, payout_reference
from stripe_p21.pipeline.sync.links import find_link, record_link
from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.review.tables import ReviewItem
from stripe_p21.sandbox.scenarios import LocalSandbox
from stripe_p21.sandbox.stripe.payouts import fail_payout
from tests.sync.payouts.conftest import API_KEY, Flow
from tests.sync.payouts.gl_views import entries_with, net_by_account
from tests.sync.payouts.scenario_payouts import ScenarioPayout, correct_links, one, payouts


@pytest.fixture(autouse=True)
def restored_payouts(stripe_box: LocalSandbox) -> Iterator[None]:
    """The module's Stripe sandbox is shared: put every payout back as it was after a test."""
    store = stripe_box.box.store
    saved = [store.get(p.view.id, "payout") for p in payouts()]
    yield
    for payout in saved:
        assert payout is not None
        store.put(payout)


async def _link_documents(flow: Flow, payout: ScenarioPayout) -> None:
    """The charge and refund documents the other flows leave (no waiting for in-flight ones)."""
    async with flow.sessions() as session, session.begin():
        for source, facts in correct_links(payout).items():
            for fact in facts:
                await record_link(
                    session, stripe_object_id=source, stripe_object_type="charge",
                    kind=fact.kind, p21_document_no=fact.document_no, mapping_version="test",
                    currency=fact.currency, amount_minor=fact.amount_minor,
                )  # fmt: skip


async def _post(flow: Flow, payout: ScenarioPayout) -> str:
    """Run `payout.reconciliation_completed` until the payout's entry is posted; its number."""
    await _link_documents(flow, payout)
    event_id = await flow.store("payout.reconciliation_completed", payout.raw)
    event = await flow.run(event_id)
    for _ in range(6):  # a charge without a document waits for its own events
        if event.status != "failed":
            break
        await flow.make_due(event_id)
        event = await flow.run(event_id)
    async with flow.sessions() as session:
        link = await find_link(session, payout.view.id, "gl_payout")
    assert link is not None and link.status == "open", (event.status, event.last_error_message)
    return link.p21_document_no


async def _run_until_done(flow: Flow, event_id: str) -> Any:
    event = await flow.run(event_id)
    for _ in range(3):
        if event.status != "failed":
            break
        await flow.make_due(event_id)
        event = await flow.run(event_id)
    return event


def _fail(
    box: LocalSandbox, payout: ScenarioPayout, code: str = "account_closed"
) -> dict[str, Any]:
    """Fail the payout in the Stripe sandbox; the `payout.failed` event's payout snapshot."""
    event = fail_payout(box.box.store, payout.view.id, failure_code=code)
    snapshot: dict[str, Any] = event["data"]["object"]
    return snapshot


async def _links(flow: Flow, payout_id: str) -> dict[str, SyncLink]:
    async with flow.sessions() as session:
        rows = (await session.execute(select(SyncLink))).scalars()
        return {link.p21_kind: link for link in rows if link.stripe_object_id == payout_id}


async def _items(flow: Flow) -> list[ReviewItem]:
    async with flow.sessions() as session:
        return list((await session.execute(select(ReviewItem))).scalars())


def _assert_one_reversal(flow: Flow, payout: ScenarioPayout, original_gl: str) -> dict[str, Any]:
    """Exactly one reversal, balanced: the posted bank line back to Stripe clearing (the fees
    and the rest of the posted entry stay booked)."""
    [original] = entries_with(flow.gl_entries(), payout_reference(payout.view.id))
    reversals = entries_with(flow.gl_entries(), reversal_reference(payout.view.id))
    assert len(reversals) == 1, [e["TransactionNumber"] for e in reversals]
    [reversal] = reversals
    assert str(original["TransactionNumber"]) == original_gl
    assert sum(net_by_account(reversal).values(), Decimal(0)) == 0
    transferred = net_by_account(original)["1010"]
    assert net_by_account(reversal) == {"1010": -transferred, "1015": transferred}
    bank = [line for line in reversal["Lines"] if line["AccountNumber"] == "1010"]
    assert [Decimal(str(line["Amount"])) for line in bank] == [-Decimal(payout.gl_truth["amount"])]
    assert all(
        f"reverses GL {original_gl}" in str(line["Description"]) for line in reversal["Lines"]
    )
    return reversal


async def test_a_payout_failed_after_posting_is_reversed_once(
    flow_db: Flow, stripe_box: LocalSandbox
) -> None:
    flow, payout = flow_db, one("usd")
    original_gl = await _post(flow, payout)
    snapshot = _fail(stripe_box, payout)
    first = await flow.run(await flow.store("payout.failed", snapshot))
    assert first.status == "processed", first.last_error_message
    again = await flow.run(await flow.store("payout.failed", snapshot))  # another event id
    assert again.status == "processed", again.last_error_message
    reversal = _assert_one_reversal(flow, payout, original_gl)
    number = str(reversal["TransactionNumber"])
    assert first.outcome_note == (
        f"payout failed (account_closed): GL {original_gl} reversed by GL {number}"
    )
    assert again.outcome_note == f"payout failed (account_closed): GL reversal {number} exists"
    # Dated on the failure day (the payout_failure transaction) in the company's time zone.
    failure = stripe_box.box.store.get(str(snapshot["failure_balance_transaction"]))
    assert failure is not None and failure["type"] == "payout_failure"
    day = company_day(int(failure["created"]), flow.mapping)
    assert {str(line["TransactionDate"])[:10] for line in reversal["Lines"]} == {day.isoformat()}

    links = await _links(flow, payout.view.id)
    assert (links["gl_payout"].status, links["gl_payout"].p21_document_no) == (
        "reversed",
        original_gl,
    )
    assert links["gl_payout"].details["reversed_by"] == number
    assert "journal" in links["gl_payout"].details  # the posted entry is kept
    assert (links["gl_payout_reversal"].status, links["gl_payout_reversal"].p21_document_no) == (
        "posted",
        number,
    )
    [item] = [i for i in await _items(flow) if i.reason == "payout_failed"]
    assert (item.queue, item.priority, item.stripe_object_id, item.occurrences) == (
        "reconciliation",
        2,
        payout.view.id,
        1,
    )
    assert (item.evidence["original_gl"], item.evidence["reversal_gl"]) == (original_gl, number)
    assert item.evidence["failure_code"] == "account_closed"
    assert item.evidence["failure_message"] == "The bank account has been closed."
    assert item.links["p21"] == {"gl": original_gl, "gl_reversal": number}

    # A late payout.paid / reconciliation_completed for the failed payout posts nothing.
    for kind in ("payout.paid", "payout.reconciliation_completed"):
        late = await flow.run(await flow.store(kind, payout.raw))
        assert (late.status, late.outcome_note) == (
            "processed",
            "payout failed (account_closed): nothing to post",
        )
    assert len(flow.gl_entries()) == 2


async def test_concurrent_failed_events_reverse_once(
    flow_db: Flow, stripe_box: LocalSandbox
) -> None:
    flow, payout = flow_db, one("jpy")
    original_gl = await _post(flow, payout)
    snapshot = _fail(stripe_box, payout, "no_account")
    ids = [await flow.store("payout.failed", snapshot) for _ in range(3)]
    ran = await asyncio.gather(*(flow.run(i) for i in ids))
    notes = []
    for event in ran:
        if event.status == "failed":  # another worker held the claim: its retry finds the link
            await flow.make_due(event.id)
            event = await flow.run(event.id)
        assert event.status == "processed", event.last_error_message
        notes.append(str(event.outcome_note))
    # One event claimed and posted; the others waited for its claim and found the reversal.
    posted = [note for note in notes if "reversed by GL" in note]
    assert len(posted) == 1, notes
    number = posted[0].rsplit(" ", 1)[-1]
    assert sorted(notes) == sorted(
        [posted[0]] + [f"payout failed (no_account): GL reversal {number} exists"] * 2
    )
    _assert_one_reversal(flow, payout, original_gl)
    assert len([i for i in await _items(flow) if i.reason == "payout_failed"]) == 1


async def test_a_lost_reversal_answer_is_looked_up_not_posted_again(
    flow_db: Flow, stripe_box: LocalSandbox
) -> None:
    flow, payout = flow_db, one("kwd")
    original_gl = await _post(flow, payout)
    snapshot = _fail(stripe_box, payout)
    flow.p21_app.sandbox.config.faults.drop_next = 1  # P21 commits the reversal, drops the answer
    event = await _run_until_done(flow, await flow.store("payout.failed", snapshot))
    assert event.status == "processed", event.last_error_message
    assert flow.p21_app.sandbox.config.faults.drop_next == 0  # the fault did hit the reversal
    reversal = _assert_one_reversal(flow, payout, original_gl)
    links = await _links(flow, payout.view.id)
    assert links["gl_payout_reversal"].p21_document_no == str(reversal["TransactionNumber"])
    assert links["gl_payout"].status == "reversed"


async def test_a_payout_failed_before_posting_gets_no_entry(
    flow_db: Flow, stripe_box: LocalSandbox
) -> None:
    flow, payout = flow_db, one("usd")
    await _link_documents(flow, payout)
    snapshot = _fail(stripe_box, payout, "could_not_process")
    event = await flow.run(await flow.store("payout.failed", snapshot))
    assert (event.status, event.outcome_note) == (
        "processed",
        "payout failed (could_not_process) before its GL entry was posted: nothing to reverse",
    )
    again = await flow.run(await flow.store("payout.failed", snapshot))
    assert again.outcome_note == event.outcome_note
    for kind in ("payout.paid", "payout.reconciliation_completed"):  # redelivered late
        late = await flow.run(await flow.store(kind, payout.raw))
        assert late.status == "processed"
        assert late.outcome_note == "payout failed (could_not_process): nothing to post"
    assert flow.gl_entries() == []
    links = await _links(flow, payout.view.id)
    assert set(links) == {"gl_payout_reversal"}
    assert links["gl_payout_reversal"].status == "not_posted"
    assert links["gl_payout_reversal"].details["failure_code"] == "could_not_process"
    assert [i for i in await _items(flow) if i.stripe_object_id == payout.view.id] == []


async def test_a_failed_event_for_a_payout_stripe_says_is_paid_does_nothing(flow: Flow) -> None:
    payout = one("usd")
    original_gl = await _post(flow, payout)
    event = await flow.run(
        await flow.store("payout.failed", payout.raw | {"status": "failed"})  # a stale snapshot
    )
    assert (event.status, event.outcome_note) == (
        "processed",
        "payout paid: not failed, nothing to reverse",
    )
    assert [str(e["TransactionNumber"]) for e in flow.gl_entries()] == [original_gl]
    assert set(await _links(flow, payout.view.id)) == {"gl_payout"}


def test_the_sandbox_fails_a_paid_payout_over_http(stripe_box: LocalSandbox) -> None:
    payout = one("eur")
    auth = {"Authorization": f"Bearer {API_KEY}"}
    url = stripe_box.server.url
    answer = httpx.post(
        f"{url}/_sandbox/payouts/fail",
        json={"payout": payout.view.id, "failure_code": "account_frozen"},
        headers=auth,
    )
    assert answer.status_code == 200, answer.text
    event = answer.json()
    assert event["type"] == "payout.failed"
    assert event["data"]["object"]["status"] == "failed"
    fetched = httpx.get(
        f"{url}/v1/payouts/{payout.view.id}",
        params={"expand[]": "failure_balance_transaction"},
        headers=auth,
    ).json()
    assert (fetched["status"], fetched["failure_code"]) == ("failed", "account_frozen")
    assert fetched["failure_message"] == "The bank account has been frozen."
    returned = fetched["failure_balance_transaction"]
    assert (returned["type"], returned["reporting_category"]) == (
        "payout_failure",
        "payout_reversal",
    )
    assert (returned["amount"], returned["source"]) == (payout.view.amount, payout.view.id)
    # Failing it again keeps the failure and sends payout.failed once more.
    twice = httpx.post(
        f"{url}/_sandbox/payouts/fail", json={"payout": payout.view.id}, headers=auth
    ).json()
    assert twice["id"] != event["id"]
    assert twice["data"]["object"]["failure_balance_transaction"] == returned["id"]
    missing = httpx.post(f"{url}/_sandbox/payouts/fail", json={"payout": "po_nope"}, headers=auth)
    assert missing.status_code == 404
