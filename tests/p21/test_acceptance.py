"""Issue #3 acceptance, through the client, against the sandbox over real loopback HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import httpx
import pytest

from stripe_p21.connectors.p21 import (
    OrderDraft,
    OrderLine,
    P21Client,
    P21OutcomeUnknown,
    P21RejectedError,
    create_order_once,
)
from stripe_p21.connectors.p21.odata import query_table, quote

from .conftest import LiveSandbox, make_client
from .factories import customer_draft, order_draft, payout_entry, stripe_id


async def test_documents_round_trip_through_odata(live_client: P21Client) -> None:
    customer = await live_client.create_customer(customer_draft())
    draft = order_draft(customer_id=customer.customer_id)
    order = await live_client.create_order(draft)
    refund = stripe_id("re")
    rma = await live_client.create_rma(
        OrderDraft(customer.customer_id, refund, (OrderLine("WIDGET-001", 1),))
    )
    period = (await live_client.list_open_periods())[0]
    posted = await live_client.post_journal_entry(payout_entry(period))

    http = live_client._http
    customers = await query_table(http, "customer", where=f"customer_id eq {customer.customer_id}")
    assert customers[0]["customer_name"] == "Riverbend Hydraulics LLC"
    [header] = await query_table(http, "oe_hdr", where=f"po_no eq {quote(draft.po_no)}")
    assert header["order_no"] == order.order_no and len(order.order_no) == 7
    lines = await query_table(http, "oe_line", where=f"order_no eq '{order.order_no}'")
    assert [(ln["item_id"], ln["qty_ordered"]) for ln in lines] == [
        ("WIDGET-001", Decimal("5")),
        ("FAST-0001", Decimal("2")),
    ]
    payments = await query_table(
        http, "ar_payment_details", where=f"order_no eq '{order.order_no}'"
    )
    assert payments[0]["payment_amount"] == Decimal("150.00")
    assert payments[0]["payment_desc"] == draft.po_no
    [rma_header] = await query_table(http, "oe_hdr", where=f"po_no eq {quote(refund)}")
    assert rma_header["rma_flag"] == "Y" and rma_header["order_no"] == rma.order_no
    gl = await query_table(http, "gl", where=f"transaction_number eq '{posted.transaction_number}'")
    assert sum(row["amount"] for row in gl) == 0 and len(gl) == 3


async def test_refusals_arrive_as_rejected_with_p21_messages(live_client: P21Client) -> None:
    open_period = (await live_client.list_open_periods())[0]
    with pytest.raises(P21RejectedError, match="Records do not balance"):
        await live_client.post_journal_entry(payout_entry(open_period, balanced=False))

    closed = payout_entry(open_period)
    closed = type(closed)(**{**closed.__dict__, "year": open_period.year - 1, "period": 1})
    with pytest.raises(P21RejectedError, match=r"Period 1/\d{4} is closed"):
        await live_client.post_journal_entry(closed)

    with pytest.raises(P21RejectedError, match="Item ID NOPE-404 does not exist") as unknown:
        await live_client.create_order(order_draft(lines=(OrderLine("NOPE-404", 1),)))
    assert unknown.value.status_code == 200  # HTTP said 200; Summary said Failed

    with pytest.raises(P21RejectedError, match="Column is disabled: company_id"):
        await live_client.create_order(order_draft(extra_edits=(("company_id", "OTHER"),)))

    with pytest.raises(P21RejectedError, match="closed period"):
        await live_client.create_order(order_draft(order_date=date(open_period.year - 1, 1, 5)))


async def test_drop_after_commit_yields_exactly_one_order(
    live: LiveSandbox, live_client: P21Client
) -> None:
    draft = order_draft()
    live.faults.drop_next = 1
    with pytest.raises(P21OutcomeUnknown):
        await live_client.create_order(draft)  # the plain call cannot know
    assert len(await live_client.find_orders_by_reference(draft.po_no)) == 1

    second = order_draft()
    live.faults.drop_next = 1
    first_try = await create_order_once(live_client, second)
    again = await create_order_once(live_client, second)
    assert first_try.created and not again.created
    assert first_try.order.order_no == again.order.order_no
    assert len(await live_client.find_orders_by_reference(second.po_no)) == 1
    assert live.state()["faults"]["dropped"] >= 2


async def test_expiring_token_is_renewed_without_a_failed_call(
    live_factory: Callable[..., LiveSandbox],
) -> None:
    sandbox = live_factory(token_lifetime=1.0)
    async with make_client(sandbox.base_url) as client:
        for _ in range(12):
            assert (await client.get_customer(100002)).customer_id == 100002
            await asyncio.sleep(0.2)
        assert client.tokens.requests >= 2
    state = sandbox.state()
    assert state["stats"]["token_requests"] == client.tokens.requests


async def test_invalidated_token_is_renewed_once_on_401(live: LiveSandbox) -> None:
    async with make_client(live.base_url) as client:
        await client.get_item("WIDGET-001")
        async with httpx.AsyncClient() as admin:
            await admin.post(f"{live.base_url}/sandbox/tokens/invalidate")
        order = await client.create_order(order_draft())  # a write: 401 is safe to resend
        assert order.order_no
        assert client.tokens.requests == 2


async def test_fifty_concurrent_calls_cause_one_token_request(live: LiveSandbox) -> None:
    before = live.state()["stats"].get("token_requests", 0)
    async with make_client(live.base_url) as client:
        ids = [100001 + i for i in range(50)]
        found = await asyncio.gather(*(client.get_customer(i) for i in ids))
    assert [c.customer_id for c in found] == ids
    assert client.tokens.requests == 1
    assert live.state()["stats"]["token_requests"] - before == 1
