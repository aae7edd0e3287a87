"""Snapshots of the Transaction API and REST payloads the client builds (reviewed in diffs)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from stripe_p21.connectors.p21 import (
    CustomerChanges,
    JournalEntry,
    JournalLine,
    OrderDraft,
    OrderLine,
    Payment,
)
from stripe_p21.connectors.p21.accounting import gl_lines
from stripe_p21.connectors.p21.customers import entity_body
from stripe_p21.connectors.p21.invoices import build_direct_invoice
from stripe_p21.connectors.p21.schemas import Address, CustomerDraft
from stripe_p21.connectors.p21.transaction import (
    build_add_payment,
    build_order,
    build_order_flags,
)

CHARGE = "ch_3QexampleCharge0001"


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def _order() -> OrderDraft:
    return OrderDraft(
        customer_id=100198,
        po_no=CHARGE,
        lines=(
            OrderLine("WIDGET-001", 5),
            OrderLine("FAST-0012", Decimal("2.50"), Decimal("12.5"), unit_of_measure="BX"),
        ),
        payment=Payment(Decimal("125"), CHARGE, payment_date=date(2026, 3, 2),
                        authorization_number="A1B2C3"),
        order_date=date(2026, 3, 2),
        taker="STRIPE",
        currency_id="USD",
    )  # fmt: skip


def test_order_with_lines_and_payment(snapshot_json: SnapshotAssertion) -> None:
    assert build_order(_order()) == snapshot_json


def test_rma_credit_memo(snapshot_json: SnapshotAssertion) -> None:
    draft = OrderDraft(100198, "re_3QexampleRefund01", (OrderLine("WIDGET-001", 1),))
    assert build_order(draft, service="RMA") == snapshot_json


def test_add_payment_to_existing_order(snapshot_json: SnapshotAssertion) -> None:
    assert build_add_payment("1000042", Payment("49.99", "pi_3Qexample")) == snapshot_json


@pytest.mark.parametrize("edit", [("approved", "N"), ("approved", "Y"), ("cancel_flag", "Y")])
def test_hold_release_cancel(snapshot_json: SnapshotAssertion, edit: tuple[str, str]) -> None:
    assert build_order_flags("1000042", [edit]) == snapshot_json


def test_gl_entry_lines(snapshot_json: SnapshotAssertion) -> None:
    entry = JournalEntry(
        period=3, year=2026, journal_id="STRIPE", transaction_date=date(2026, 3, 2),
        lines=(JournalLine("1010", Decimal("970.9"), "payout"), JournalLine("6150", "29.10"),
               JournalLine("1015", -1000)),
        description="Stripe payout po_1",
    )  # fmt: skip
    lines = gl_lines(entry, "ACME")
    assert [{k: str(v) for k, v in line.items()} for line in lines] == snapshot_json


def test_entity_customer_bodies(snapshot_json: SnapshotAssertion) -> None:
    draft = CustomerDraft(
        name="Riverbend Hydraulics LLC", email="ap@riverbend.com", phone="(216) 555-0142",
        address=Address("120 Foundry Ct", "Cleveland", "OH", "44114", "USA"),
        credit_limit=Decimal("25000"), terms_id="NET30",
    )  # fmt: skip
    changes = CustomerChanges(email="billing@riverbend.com", credit_status="HOLD")
    bodies = {"create": entity_body(draft, "ACME"), "update": entity_body(changes, "ACME")}
    assert {k: {f: str(v) if not isinstance(v, dict) else v for f, v in b.items()}
            for k, b in bodies.items()} == snapshot_json  # fmt: skip


def test_line_extended_desc_only_when_set_and_cut_to_255() -> None:
    """`extended_desc` is the last edit of a line that has one, at most 255 characters; lines
    without one send no such edit (so the snapshots above stay as they were)."""
    lines = (
        OrderLine("SVC-PLAN", 1, Decimal("499"), extended_desc="Service 2026-11-01 to 2026-11-30"),
        OrderLine("WIDGET-001", 2),
        OrderLine("SVC-PLAN", 1, extended_desc="é" * 300),
        OrderLine("SVC-PLAN", 1, extended_desc=""),
    )
    body = build_order(OrderDraft(100198, CHARGE, lines))
    rows = body["Transactions"][0]["DataElements"][1]["Rows"]
    texts = [[e["Value"] for e in row["Edits"] if e["Name"] == "extended_desc"] for row in rows]
    assert texts == [["Service 2026-11-01 to 2026-11-30"], [], ["é" * 255], [""]]
    assert rows[0]["Edits"][-1] == {"Name": "extended_desc", "Value": texts[0][0]}
    invoice = build_direct_invoice(OrderDraft(100198, CHARGE, lines[:3]))
    assert [ln.get("ExtendedDesc") for ln in invoice["Lines"]["list"]] == [
        "Service 2026-11-01 to 2026-11-30",
        None,
        "é" * 255,
    ]
