"""Order-to-cash in `orders.mode: direct_invoice` against both sandboxes: a web-shop charge becomes
one P21 invoice (through the sandbox's `POST /api/v2/invoices` alias) carrying the payment, with
the link `(ch_…, "order")` on the invoiced order and `details.invoice_no`; a duplicate event and
a P21 that commits the write but loses its answer still leave exactly one invoice; a refund finds
the order through the link as in sales-order mode. The mapping is the shipped one with
`orders.mode` switched (`model_copy` of the frozen models)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from stripe_p21.connectors.p21 import (
    InvoiceRef,
    OrderDraft,
    OrderLine,
    P21Gateway,
    Payment,
)
from stripe_p21.pipeline.dryrun import RecordingP21
from stripe_p21.pipeline.mapping import orders as mapping
from stripe_p21.pipeline.mapping.config import MappingConfig, MappingConfigError, load_mapping
from stripe_p21.sandbox.stripe import (
    shapes_payments,
)
from tests.sync.refunds.harness import CUSTOMER_ID, Harness, harness


def direct_invoice_mapping() -> MappingConfig:
    shipped = load_mapping()
    orders = shipped.orders.model_copy(update={"mode": "direct_invoice"})
    return shipped.model_copy(update={"orders": orders})


class _CutConnections(httpx.AsyncBaseTransport):
    """The in-process sandbox drops a response by raising after the commit; over a socket the
    client sees the connection cut mid-response, which is what this turns it into."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self.inner.handle_async_request(request)
        except ConnectionError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
async def h(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    async with harness(
        tmp_path, monkeypatch, mapping=direct_invoice_mapping(), wrap_transport=_CutConnections
    ) as built:
        yield built


def _web_charge(h: Harness, amount: int = 8_750) -> dict[str, Any]:
    """A web-shop charge: 3 x FAST-0001 at 12.50, the rest falls to the fallback item."""
    meta = {
        "p21_customer_id": str(CUSTOMER_ID), "ecommerce_order_id": "WEB-4711",
        "line_1_p21_item_id": "FAST-0001", "line_1_qty": "3", "line_1_unit_price": "12.50",
    }  # fmt: skip
    return h.charge(amount, metadata=meta)


def _invoices_of(h: Harness, charge_id: str) -> list[dict[str, Any]]:
    return h.p21_app.sandbox.store.rows(
        "SELECT i.* FROM invoice_hdr i JOIN oe_hdr o ON o.order_no = i.order_no WHERE o.po_no = ?",
        (charge_id,),
    )


def _orders_of(h: Harness, charge_id: str) -> list[dict[str, Any]]:
    return h.p21_app.sandbox.store.rows("SELECT * FROM oe_hdr WHERE po_no = ?", (charge_id,))


async def test_a_charge_becomes_one_paid_invoice(h: Harness) -> None:
    assert mapping.invoices_at_payment(h.mapping)
    charge = _web_charge(h)
    assert (await h.deliver("charge.succeeded", charge)).status == "processed"
    [invoice] = _invoices_of(h, charge["id"])
    assert (invoice["total_amount"], invoice["amount_paid"]) == ("87.50", "87.50")
    assert invoice["paid_in_full_flag"] == "Y"
    assert invoice["customer_id"] == str(CUSTOMER_ID)
    [order] = _orders_of(h, charge["id"])
    assert order["completed"] == "Y" and order["order_no"] == invoice["order_no"]
    p21_order = await h.order(order["order_no"])
    assert [(ln.item_id, ln.quantity) for ln in p21_order.lines] == [
        ("FAST-0001", Decimal("3")), ("MISC-STRIPE", Decimal("1")),
    ]  # fmt: skip
    [payment] = p21_order.raw["Payments"]["list"]
    assert payment["PaymentDesc"] == charge["id"]

    link = await h.link(charge["id"], "order")
    assert link is not None and link.p21_document_no == order["order_no"]
    assert link.details["mode"] == "direct_invoice"
    assert link.details["invoice_no"] == invoice["invoice_no"]
    fields = link.details["fields"]
    assert isinstance(fields, dict)
    assert fields["InvoiceNumber"] == invoice["invoice_no"]
    assert fields["TotalAmount"] == fields["PaymentAmount"] == "87.50"
    assert (link.amount_minor, link.mapping_version) == (8_750, h.mapping.version)
    written = h.box.store.get(charge["id"])
    assert written is not None and written["metadata"]["p21_order_no"] == order["order_no"]


async def test_duplicate_events_leave_one_invoice(h: Harness) -> None:
    charge = _web_charge(h, 12_000)
    await h.deliver("charge.succeeded", charge, event_id="evt_direct_dup")
    await h.deliver("charge.succeeded", charge, event_id="evt_direct_dup")
    await h.deliver("charge.succeeded", charge)  # another event for the same payment
    await h.deliver("payment_intent.succeeded", _intent_of(h, charge))
    assert len(_invoices_of(h, charge["id"])) == 1
    assert len(_orders_of(h, charge["id"])) == 1
    [invoice] = _invoices_of(h, charge["id"])
    rows = h.p21_app.sandbox.store.rows(
        "SELECT * FROM ar_payment_details WHERE order_no = ?", (invoice["order_no"],)
    )
    assert [r["payment_desc"] for r in rows] == [charge["id"]]
    assert invoice["amount_paid"] == "120.00"


def _intent_of(h: Harness, charge: dict[str, Any]) -> dict[str, Any]:
    intent = shapes_payments.payment_intent(
        id=charge["payment_intent"], created=charge["created"], amount=charge["amount"],
        currency=charge["currency"], client_secret=f"{charge['payment_intent']}_secret_x",
        status="succeeded", latest_charge=charge["id"],
    )  # fmt: skip
    return h.put(intent)


async def test_a_lost_answer_after_the_commit_leaves_one_invoice(h: Harness) -> None:
    charge = _web_charge(h, 9_999)
    faults = h.p21_app.sandbox.config.faults
    faults.drop_next = 1
    event = await h.deliver("charge.succeeded", charge)
    assert faults.drop_next == 0, "the direct invoice's answer was dropped"
    assert event.status == "processed", event.last_error_message
    [invoice] = _invoices_of(h, charge["id"])
    assert invoice["amount_paid"] == invoice["total_amount"] == "99.99"
    link = await h.link(charge["id"], "order")
    assert link is not None and link.details["invoice_no"] == invoice["invoice_no"]
    assert link.details["created_by_this_job"] is True
    await h.deliver("charge.succeeded", charge)
    assert len(_invoices_of(h, charge["id"])) == 1


async def test_a_refund_finds_the_invoiced_order_through_the_link(h: Harness) -> None:
    charge = _web_charge(h)
    await h.deliver("charge.succeeded", charge)
    refund = h.refund(charge, 2_500)
    assert (await h.deliver("refund.created", refund)).status == "processed"
    [rma] = await h.rmas_for(refund["id"])
    assert sum((ln.extended_price for ln in rma.lines), Decimal(0)) == Decimal("25.00")
    assert len(_invoices_of(h, charge["id"])) == 1


# --- pure: the mapping and the dry run --------------------------------------------------------


def _draft() -> OrderDraft:
    return OrderDraft(
        customer_id=CUSTOMER_ID, po_no="ch_3QpureTest",
        lines=(OrderLine("FAST-0001", 3, Decimal("12.50")),
               OrderLine("MISC-STRIPE", 1, Decimal("50.00"))),
        payment=Payment(Decimal("87.50"), "ch_3QpureTest", payment_date=date(2026, 11, 20)),
        order_date=date(2026, 11, 20), currency_id="USD",
    )  # fmt: skip


def test_the_mode_is_read_from_the_mapping_file(tmp_path: Path) -> None:
    assert not mapping.invoices_at_payment(load_mapping())
    text = Path("config/mapping.yaml").read_text()
    changed = tmp_path / "mapping.yaml"
    changed.write_text(text.replace("mode: sales_order", "mode: direct_invoice", 1))
    assert mapping.invoices_at_payment(load_mapping(changed))
    changed.write_text(text.replace("mode: sales_order", "mode: invoice_later", 1))
    with pytest.raises(MappingConfigError, match=r"orders\.mode"):
        load_mapping(changed)


def test_the_field_table_names_the_invoice_only_when_there_is_one() -> None:
    config = direct_invoice_mapping()
    plain = mapping.field_table(_draft(), "1000123", config)
    invoiced = mapping.field_table(_draft(), "1000123", config, invoice_no="900301")
    assert "InvoiceNumber" not in plain
    assert invoiced == {"OrderNumber": "1000123", "InvoiceNumber": "900301", **plain}
    assert invoiced["TotalAmount"] == invoiced["PaymentAmount"] == "87.50"


async def test_the_dry_run_records_a_direct_invoice_instead_of_sending_it() -> None:
    recording = RecordingP21(cast(P21Gateway, object()))
    ref = await recording.create_direct_invoice(_draft())
    assert ref == InvoiceRef("DRY-1", "DRY-1")
    [command] = recording.commands
    assert (command.system, command.method) == ("p21", "create_direct_invoice")
    assert command.as_json()["args"]["draft"]["po_no"] == "ch_3QpureTest"
    order = await recording.get_order("DRY-1")
    assert (order.po_no, order.rma) == ("ch_3QpureTest", False)
