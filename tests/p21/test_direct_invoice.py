"""Direct invoices (`orders.mode: direct_invoice`): the sandbox's `POST /api/v2/invoices` alias
makes the completed sales order, its remittance row and its `invoice_hdr` row in one step (what a
real P21 does over `Order` + `Shipping`); the client's `create_direct_invoice` uses it, and
`create_direct_invoice_once` looks up by `po_no` (and the invoice by `order_no`) before writing
and again after a lost answer — one invoice per Stripe reference, whatever happens."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

import httpx
import pytest

from stripe_p21.connectors.p21 import (
    Invoice,
    InvoiceRef,
    OrderDraft,
    OrderLine,
    OrderSummary,
    P21Client,
    P21Gateway,
    P21OutcomeUnknown,
    P21RejectedError,
    Payment,
    create_direct_invoice_once,
)
from stripe_p21.connectors.p21.invoices import build_direct_invoice
from stripe_p21.sandbox.p21.app import SandboxApp

from .conftest import LiveSandbox
from .factories import SEEDED_CUSTOMER, order_draft, stripe_id
from .replay import Replay, basic_routes

ALIAS = "/api/v2/invoices"


def _body(charge: str, *, amount: str = "87.50", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "CustomerId": SEEDED_CUSTOMER,
        "PoNo": charge,
        "Taker": "STRIPE",
        "Lines": {"list": [
            {"ItemId": "FAST-0001", "QtyOrdered": "3", "UnitPrice": "12.50"},
            {"ItemId": "MISC-STRIPE", "QtyOrdered": "1", "UnitPrice": "50.00"},
        ]},
        "Payment": {"PaymentTypeId": "STRIPE", "PaymentAmount": amount, "PaymentDesc": charge,
                    "CcAuthorizedNumber": "A1B2C3"},
    }  # fmt: skip
    body.update(changes)
    return body


def _counts(app: SandboxApp) -> tuple[int, int]:
    store = app.sandbox.store
    orders = store.row("SELECT COUNT(*) AS n FROM oe_hdr") or {}
    invoices = store.row("SELECT COUNT(*) AS n FROM invoice_hdr") or {}
    return int(orders["n"]), int(invoices["n"])


# --- the sandbox alias ---------------------------------------------------------------------


async def test_alias_makes_the_completed_order_its_payment_and_its_invoice(
    raw: httpx.AsyncClient, sandbox_app: SandboxApp
) -> None:
    charge = stripe_id()
    answer = await raw.post(ALIAS, json=_body(charge))
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-Sandbox-Alias"] == "true"
    invoice = answer.json()
    assert invoice["InvoiceNo"] == "900301"  # after the seed's 300 invoices
    assert (invoice["TotalAmount"], invoice["AmountPaid"]) == (87.5, 87.5)
    assert invoice["PaidInFullFlag"] == "Y" and invoice["InvoiceType"] == "IN"
    order = invoice["Order"]
    assert order["OrderNo"] == invoice["OrderNo"] and order["PoNo"] == charge
    assert [ln["ItemId"] for ln in order["Lines"]["list"]] == ["FAST-0001", "MISC-STRIPE"]
    [payment] = order["Payments"]["list"]
    assert payment["PaymentDesc"] == charge and payment["PaymentAmount"] == 87.5

    store = sandbox_app.sandbox.store
    header = store.row("SELECT * FROM oe_hdr WHERE order_no = ?", (invoice["OrderNo"],)) or {}
    assert (header["completed"], header["approved"], header["rma_flag"]) == ("Y", "Y", "N")
    assert invoice["InvoiceDate"] == header["order_date"]  # invoiced at payment
    remittance = store.row(
        "SELECT * FROM ar_payment_details WHERE order_no = ?", (invoice["OrderNo"],)
    )
    assert remittance is not None and remittance["cc_authorized_number"] == "A1B2C3"

    odata = await raw.get(
        "/odataservice/odata/table/invoice_hdr",
        params={"$filter": f"order_no eq '{invoice['OrderNo']}'"},
    )
    [row] = odata.json()["value"]
    assert (row["invoice_no"], row["customer_id"]) == ("900301", str(SEEDED_CUSTOMER))
    again = await raw.get(f"{ALIAS}/900301")
    assert again.headers["X-Sandbox-Alias"] == "true"
    assert again.json()["OrderNo"] == order["OrderNo"]
    listed = await raw.get(ALIAS)
    assert any(r["invoice_no"] == "900301" for r in listed.json())
    state = (await raw.get("/sandbox/state")).json()
    assert any(o["PoNo"] == charge for o in state["orders"])
    assert any(i["InvoiceNo"] == "900301" for i in state["invoices"])


async def test_a_partial_payment_leaves_the_invoice_open(raw: httpx.AsyncClient) -> None:
    first = (await raw.post(ALIAS, json=_body(stripe_id(), amount="40.00"))).json()
    assert (first["AmountPaid"], first["PaidInFullFlag"]) == (40, "N")
    unpaid = (await raw.post(ALIAS, json=_body(stripe_id(), Payment=None))).json()
    assert (unpaid["AmountPaid"], unpaid["PaidInFullFlag"]) == (0, "N")
    assert int(unpaid["InvoiceNo"]) == int(first["InvoiceNo"]) + 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"Lines": {"list": [{"ItemId": "NOPE-404", "QtyOrdered": "1"}]}},
         "Item ID NOPE-404 does not exist"),
        ({"CustomerId": 42}, "Customer ID 42 does not exist"),
        ({"Lines": {"list": []}}, "At least one line is required to invoice"),
        ({"OrderDate": "2001-01-05"}, "No period is defined for date 2001-01-05"),
        ({"InvoiceDate": "not a date"}, "invoice_date"),
        ({"Payment": {"PaymentAmount": "10.00"}}, "Payment Type is required"),
    ],
)  # fmt: skip
async def test_alias_refuses_bad_bodies_with_the_p21_envelope_and_writes_nothing(
    raw: httpx.AsyncClient, sandbox_app: SandboxApp, changes: dict[str, Any], message: str
) -> None:
    before = _counts(sandbox_app)
    answer = await raw.post(ALIAS, json=_body(stripe_id(), **changes))
    assert answer.status_code == 500
    assert answer.headers.get("X-Sandbox-Alias") is None
    envelope = answer.json()
    assert message in envelope["ErrorMessage"]
    assert envelope["ErrorType"] == "P21.Business.BusinessRuleException"
    assert set(envelope) >= {"DateTimeStamp", "HostName", "LogId", "StackTrace", "UserId"}
    assert _counts(sandbox_app) == before


async def test_alias_unparsable_body_is_400(raw: httpx.AsyncClient) -> None:
    answer = await raw.post(ALIAS, content=b"{not json", headers={"Content-Type": "text/plain"})
    assert answer.status_code == 400
    assert answer.json()["ModelState"]["content"] == ["The content field is required."]
    listed = await raw.post(ALIAS, json=[1, 2])
    assert listed.status_code == 400


# --- the client ----------------------------------------------------------------------------


def test_builder_sends_the_order_as_the_rest_family_names_it() -> None:
    draft = OrderDraft(
        customer_id=100001, po_no="ch_3QbuilderTest",
        lines=(OrderLine("WIDGET-001", Decimal("2.0")),
               OrderLine("FAST-0001", 3, Decimal("12.5"), unit_of_measure="EA")),
        payment=Payment(Decimal("1.5"), "ch_3QbuilderTest", payment_date=date(2026, 11, 20),
                        authorization_number="A1"),
        order_date=date(2026, 11, 19), taker="STRIPE", currency_id="USD",
        extra_edits=(("user_defined_1", "web"),),
    )  # fmt: skip
    assert build_direct_invoice(draft) == {
        "CustomerId": "100001", "PoNo": "ch_3QbuilderTest", "OrderDate": "2026-11-19",
        "Taker": "STRIPE", "CurrencyId": "USD", "SalesLocId": "10", "SourceLocId": "10",
        "HeaderEdits": [{"Name": "user_defined_1", "Value": "web"}],
        "Lines": {"list": [
            {"ItemId": "WIDGET-001", "QtyOrdered": "2"},
            {"ItemId": "FAST-0001", "QtyOrdered": "3", "UnitPrice": "12.50",
             "UnitOfMeasure": "EA"},
        ]},
        "Payment": {"PaymentTypeId": "STRIPE", "PaymentAmount": "1.50",
                    "PaymentDesc": "ch_3QbuilderTest", "PaymentDate": "2026-11-20",
                    "CcAuthorizedNumber": "A1"},
    }  # fmt: skip
    bare = build_direct_invoice(OrderDraft(customer_id=1, po_no="ch_x", lines=()))
    assert "Payment" not in bare and "HeaderEdits" not in bare


async def test_client_creates_a_direct_invoice_and_reads_it_back(asgi_client: P21Client) -> None:
    draft = order_draft()
    ref = await asgi_client.create_direct_invoice(draft)
    assert isinstance(ref, InvoiceRef) and ref.invoice_no and len(ref.order_no) == 7
    invoice = await asgi_client.find_invoice(str(ref.invoice_no))
    assert invoice is not None and invoice.order_no == ref.order_no
    order = await asgi_client.get_order(ref.order_no)
    total = sum((line.extended_price for line in order.lines), Decimal("0"))
    assert invoice == Invoice(
        invoice_no=str(ref.invoice_no), order_no=ref.order_no, customer_id=SEEDED_CUSTOMER,
        total_amount=total, amount_paid=Decimal("150.00"), paid_in_full=total <= 150,
    )  # fmt: skip
    assert await asgi_client.find_invoice_for_order(ref.order_no) == invoice
    assert await asgi_client.find_invoice_for_order("1000001") is None  # an open order
    assert await asgi_client.find_invoice_for_order(" ") is None
    [found] = await asgi_client.find_orders_by_reference(draft.po_no)
    assert found.order_no == ref.order_no
    assert isinstance(asgi_client, P21Gateway)


async def test_client_passes_the_p21_message_of_a_refused_invoice(asgi_client: P21Client) -> None:
    with pytest.raises(P21RejectedError, match="Item ID NOPE-404 does not exist") as caught:
        await asgi_client.create_direct_invoice(order_draft(lines=(OrderLine("NOPE-404", 1),)))
    assert caught.value.status_code == 500


async def test_a_real_server_without_the_alias_is_told_so_not_retried() -> None:
    replay = Replay(basic_routes())
    async with P21Client("http://p21.test", username="api_user", password="p21-sandbox",
                         transport=replay.transport, retry_backoff=0.0) as p21:  # fmt: skip
        with pytest.raises(P21RejectedError, match="sales_order") as caught:
            await p21.create_direct_invoice(order_draft())
    assert "no route" in " ".join(caught.value.messages)
    assert replay.calls[f"POST {ALIAS}"] == 1


async def test_once_creates_once_and_finds_it_afterwards(
    asgi_client: P21Client, sandbox_app: SandboxApp
) -> None:
    draft = order_draft()
    first = await create_direct_invoice_once(asgi_client, draft)
    before = _counts(sandbox_app)
    second = await create_direct_invoice_once(asgi_client, draft)
    assert first.created and not second.created
    assert first.invoice == second.invoice and first.invoice.invoice_no is not None
    assert _counts(sandbox_app) == before


async def test_a_dropped_answer_is_looked_up_never_resent(
    live: LiveSandbox, live_client: P21Client
) -> None:
    draft = order_draft()
    live.faults.drop_next = 1
    with pytest.raises(P21OutcomeUnknown):
        await live_client.create_direct_invoice(draft)  # the plain call cannot know
    [order] = await live_client.find_orders_by_reference(draft.po_no)
    assert await live_client.find_invoice_for_order(order.order_no) is not None

    second = order_draft()
    live.faults.drop_next = 1
    lost = await create_direct_invoice_once(live_client, second)
    again = await create_direct_invoice_once(live_client, second)
    assert lost.created and not again.created and lost.invoice == again.invoice
    [order] = await live_client.find_orders_by_reference(second.po_no)
    invoices = [i for i in live.state()["invoices"] if i["OrderNo"] == order.order_no]
    assert len(invoices) == 1 and invoices[0]["AmountPaid"] == "150.00"
    assert live.state()["faults"]["dropped"] >= 2


class _Book:
    """Only what `create_direct_invoice_once` uses; `commit_then_lose` commits, then raises."""

    def __init__(self, *, commit_then_lose: bool = False, invoiced: bool = True) -> None:
        self.orders: dict[str, OrderSummary] = {}
        self.invoices: dict[str, Invoice] = {}
        self.creates = 0
        self.commit_then_lose = commit_then_lose
        self.invoiced = invoiced

    async def find_orders_by_reference(self, po_no: str) -> list[OrderSummary]:
        return [o for o in self.orders.values() if o.po_no == po_no]

    async def find_invoice_for_order(self, order_no: str) -> Invoice | None:
        return self.invoices.get(order_no)

    async def create_direct_invoice(self, draft: OrderDraft) -> InvoiceRef:
        self.creates += 1
        order_no, invoice_no = f"{1000000 + self.creates:07d}", f"{900300 + self.creates}"
        self.orders[order_no] = OrderSummary(order_no, 1, draft.po_no, None, False, False, True)
        if self.invoiced:
            amount = Decimal("1")
            self.invoices[order_no] = Invoice(invoice_no, order_no, 1, amount, amount, True)
        if self.commit_then_lose:
            raise P21OutcomeUnknown("answer lost")
        return InvoiceRef(invoice_no, order_no)


async def test_once_after_a_lost_answer_without_a_trace_re_raises() -> None:
    class Lost(_Book):
        async def create_direct_invoice(self, draft: OrderDraft) -> InvoiceRef:
            self.creates += 1
            raise P21OutcomeUnknown("nothing committed, nothing answered")

    book = Lost()
    with pytest.raises(P21OutcomeUnknown):
        await create_direct_invoice_once(cast(P21Gateway, book), order_draft())
    assert book.creates == 1


async def test_once_after_a_lost_answer_returns_the_committed_invoice() -> None:
    book = _Book(commit_then_lose=True)
    result = await create_direct_invoice_once(cast(P21Gateway, book), order_draft())
    assert result.created and result.invoice == InvoiceRef("900301", "1000001")
    assert book.creates == 1


async def test_an_order_without_an_invoice_is_never_doubled() -> None:
    book = _Book(invoiced=False)
    draft = order_draft()
    await book.create_direct_invoice(draft)  # e.g. made in sales_order mode, not shipped yet
    result = await create_direct_invoice_once(cast(P21Gateway, book), draft)
    assert not result.created and result.invoice == InvoiceRef(None, "1000001")
    assert book.creates == 1
