"""Invoices come from orders: every seeded invoice names the completed order P21 invoiced, the
client reads it (`find_invoice`), a payment of the invoice goes on that order as a remittance, and
the seed's non-stock service items can be ordered."""

from __future__ import annotations

from decimal import Decimal

import httpx

from stripe_p21.connectors.p21 import Invoice, P21Client, P21Gateway, Payment
from stripe_p21.connectors.p21.odata import query_table, quote
from stripe_p21.connectors.p21.schemas import OrderLine
from stripe_p21.sandbox.p21.app import SandboxApp
from stripe_p21.sandbox.p21.seed import SERVICE_ITEMS, SeedInvoice, generate
from stripe_p21.sync_check.state import p21_state_of

from .factories import order_draft, stripe_id

SEED = generate()


def _open_invoice(index: int = 0) -> SeedInvoice:
    return [i for i in SEED.invoices if i.paid < i.total][index]


def _order_of(invoice: SeedInvoice) -> str:
    return SEED.invoice_order_nos()[invoice.invoice_no]


async def test_find_invoice_reads_invoice_hdr_with_its_order(asgi_client: P21Client) -> None:
    seeded = _open_invoice()
    invoice = await asgi_client.find_invoice(seeded.invoice_no)
    assert invoice == Invoice(
        invoice_no=seeded.invoice_no, order_no=_order_of(seeded),
        customer_id=seeded.customer_id, total_amount=seeded.total, amount_paid=seeded.paid,
        paid_in_full=False,
    )  # fmt: skip
    assert invoice.open_balance == seeded.total - seeded.paid > 0
    paid = next(i for i in SEED.invoices if i.paid >= i.total)
    found = await asgi_client.find_invoice(f" {paid.invoice_no} ")
    assert found is not None and found.paid_in_full and found.order_no == _order_of(paid)
    assert await asgi_client.find_invoice("999999") is None
    assert await asgi_client.find_invoice("") is None
    assert isinstance(asgi_client, P21Gateway)


async def test_the_invoiced_order_is_completed_and_adds_up_to_the_invoice(
    asgi_client: P21Client,
) -> None:
    seeded = _open_invoice(1)
    order_no = _order_of(seeded)
    http = asgi_client._http
    [header] = await query_table(http, "oe_hdr", where=f"order_no eq {quote(order_no)}")
    assert header["completed"] == "Y" and header["approved"] == "Y"
    assert header["cancel_flag"] == "N" and header["rma_flag"] == "N"
    assert header["customer_id"] == seeded.customer_id
    [row] = await query_table(http, "invoice_hdr", where=f"order_no eq {quote(order_no)}")
    assert row["invoice_no"] == seeded.invoice_no
    order = await asgi_client.get_order(order_no)
    assert sum(line.extended_price for line in order.lines) == seeded.total
    assert order.customer_id == seeded.customer_id and order.raw["Payments"]["list"] == []


async def test_every_invoice_names_an_order(asgi_client: P21Client) -> None:
    rows = await query_table(asgi_client._http, "invoice_hdr", select=("invoice_no", "order_no"))
    assert len(rows) == len(SEED.invoices) == 300
    assert {r["invoice_no"]: r["order_no"] for r in rows} == SEED.invoice_order_nos()
    missing = await query_table(asgi_client._http, "invoice_hdr", where="order_no eq null")
    assert missing == []


async def test_a_payment_of_an_invoice_is_a_remittance_on_its_order(
    asgi_client: P21Client, sandbox_app: SandboxApp, raw: httpx.AsyncClient
) -> None:
    seeded = _open_invoice(2)
    invoice = await asgi_client.find_invoice(seeded.invoice_no)
    assert invoice is not None and invoice.order_no is not None
    charge = stripe_id()
    await asgi_client.add_payment(invoice.order_no, Payment(invoice.open_balance, charge))
    order = await asgi_client.get_order(invoice.order_no)
    [payment] = order.raw["Payments"]["list"]
    assert payment["PaymentDesc"] == charge
    assert Decimal(str(payment["PaymentAmount"])) == seeded.total - seeded.paid

    state = p21_state_of(sandbox_app.sandbox)
    shown = {i["InvoiceNo"]: i["OrderNo"] for i in state["invoices"]}
    assert shown[seeded.invoice_no] == invoice.order_no
    [row] = [p for p in state["payments"] if p["PaymentDesc"] == charge]
    assert row["OrderNo"] == invoice.order_no
    assert invoice.order_no not in [o["OrderNo"] for o in state["seeded_orders"]]

    served = (await raw.get("/sandbox/state")).json()
    assert served["counts"]["invoices"] == 300
    assert {i["InvoiceNo"]: i["OrderNo"] for i in served["invoices"]} == shown
    page = await raw.get("/sandbox/state", headers={"Accept": "text/html"})
    assert "Open invoices from the seed" in page.text and seeded.invoice_no in page.text


async def test_service_items_are_in_the_catalogue(asgi_client: P21Client) -> None:
    found = await asgi_client.find_items([item.item_id for item in SERVICE_ITEMS])
    assert sorted(found) == sorted(item.item_id for item in SERVICE_ITEMS)
    lines = tuple(OrderLine(item.item_id, 1, unit_price="499.00") for item in SERVICE_ITEMS)
    ref = await asgi_client.create_order(order_draft(lines=lines, payment=None))
    order = await asgi_client.get_order(ref.order_no)
    assert [line.item_id for line in order.lines] == [item.item_id for item in SERVICE_ITEMS]
    assert all(line.unit_price == Decimal("499.00") for line in order.lines)
