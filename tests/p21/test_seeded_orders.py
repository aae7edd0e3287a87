"""The seed's open sales orders are P21 documents like any other: the client reads them by number
and by customer PO, adds a payment to them, holds, releases and cancels them, and OData and
``/sandbox/state`` show them; orders created afterwards are numbered after them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx

from stripe_p21.connectors.p21 import P21Client, Payment
from stripe_p21.connectors.p21.odata import query_table, quote
from stripe_p21.sandbox.p21.seed import SeedOrder, generate

from .conftest import LiveSandbox
from .factories import order_draft, stripe_id

SEED = generate()
"""The sandbox's default seed; its dates follow the wall clock, everything else matches."""


def _order(index: int) -> SeedOrder:
    return SEED.orders[index]


def _with_po() -> SeedOrder:
    return next(o for o in SEED.orders if o.po_no)


async def test_get_a_seeded_order_and_pay_it_over_loopback(
    live: LiveSandbox, live_client: P21Client
) -> None:
    seeded = _order(-1)  # no other test of the session touches it
    order = await live_client.get_order(seeded.order_no)
    assert (order.order_no, order.customer_id, order.po_no) == (
        seeded.order_no, seeded.customer_id, seeded.po_no,
    )  # fmt: skip
    assert order.approved and not order.cancelled and not order.rma
    assert [(ln.item_id, ln.quantity, ln.unit_price) for ln in order.lines] == [
        (ln.item_id, Decimal(ln.quantity), ln.unit_price) for ln in seeded.lines
    ]
    assert sum(ln.extended_price for ln in order.lines) == seeded.open_total
    assert order.raw["Payments"]["list"] == []

    charge = stripe_id()
    await live_client.add_payment(seeded.order_no, Payment(seeded.open_total, charge))
    paid = await live_client.get_order(seeded.order_no)
    [payment] = paid.raw["Payments"]["list"]
    assert Decimal(str(payment["PaymentAmount"])) == seeded.open_total
    assert payment["PaymentDesc"] == charge
    assert paid.lines == order.lines and paid.approved

    state = live.state()
    shown = next(o for o in state["seeded_orders"] if o["OrderNo"] == seeded.order_no)
    assert Decimal(shown["Total"]) == Decimal(shown["Paid"]) == seeded.open_total
    assert seeded.order_no in [o["OrderNo"] for o in state["orders"]]


async def test_find_seeded_orders_by_customer_po(asgi_client: P21Client) -> None:
    seeded = _with_po()
    assert seeded.po_no is not None
    [found] = await asgi_client.find_orders_by_reference(seeded.po_no)
    assert (found.order_no, found.customer_id) == (seeded.order_no, seeded.customer_id)
    assert found.approved and not found.cancelled and not found.rma
    assert found.order_date is not None
    assert found.order_date.date() < datetime.now(UTC).date()
    assert await asgi_client.find_orders_by_reference(seeded.po_no.lower()) != []


async def test_odata_serves_seeded_headers_and_lines(asgi_client: P21Client) -> None:
    http = asgi_client._http
    seeded = _order(3)
    [header] = await query_table(http, "oe_hdr", where=f"order_no eq {quote(seeded.order_no)}")
    assert header["customer_id"] == seeded.customer_id and header["completed"] == "N"
    assert header["cancel_flag"] == "N" and header["approved"] == "Y"
    lines = await query_table(
        http, "oe_line", where=f"order_no eq {quote(seeded.order_no)}", orderby="line_no"
    )
    assert [Decimal(line["extended_price"]) for line in lines] == [
        line.extended_price for line in seeded.lines
    ]
    open_orders = await query_table(
        http, "oe_hdr", where="rma_flag eq 'N' and completed eq 'N' and cancel_flag eq 'N'"
    )
    assert len(open_orders) == len(SEED.orders) == 40


async def test_hold_release_and_cancel_a_seeded_order(asgi_client: P21Client) -> None:
    seeded = _order(0)
    await asgi_client.hold_order(seeded.order_no)
    assert not (await asgi_client.get_order(seeded.order_no)).approved
    await asgi_client.release_order(seeded.order_no)
    assert (await asgi_client.get_order(seeded.order_no)).approved
    await asgi_client.cancel_order(seeded.order_no)
    assert (await asgi_client.get_order(seeded.order_no)).cancelled


async def test_new_orders_are_numbered_after_the_seeded_ones(asgi_client: P21Client) -> None:
    last = max(int(o.order_no) for o in SEED.orders)
    ref = await asgi_client.create_order(order_draft())
    assert int(ref.order_no) == last + 1


async def test_state_lists_seeded_orders_apart_from_written_ones(raw: httpx.AsyncClient) -> None:
    data = (await raw.get("/sandbox/state")).json()
    assert data["orders"] == [] and data["counts"]["orders"] == 40 + len(SEED.invoiced_orders)
    assert [o["OrderNo"] for o in data["seeded_orders"]] == [o.order_no for o in SEED.orders]
    assert [o["Total"] for o in data["seeded_orders"]] == [f"{o.total:.2f}" for o in SEED.orders]
    assert {o["Paid"] for o in data["seeded_orders"]} == {"0.00"}
    page = await raw.get("/sandbox/state", headers={"Accept": "text/html"})
    assert "Open orders from the seed" in page.text and SEED.orders[0].order_no in page.text
