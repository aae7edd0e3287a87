"""Sales orders, payments on existing documents and credit memos: exactly one P21 document per
Stripe charge or refund (by `PoNo` / payment description = the Stripe id), with the truth's
customer, lines, amount and status."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from stripe_p21.sync_check.db import OurState
from stripe_p21.sync_check.result import CheckResult, Difference

Doc = dict[str, Any]
Line = tuple[str | None, Decimal, Decimal]
"""(item id, quantity, unit price) of an order line; no item id: any item."""


def order_status(order: Doc) -> str:
    """open (approved), held (not approved) or cancelled (cancel flag), as P21 shows it."""
    if str(order.get("CancelFlag") or "N").upper() == "Y":
        return "cancelled"
    return "held" if str(order.get("Approved") or "Y").upper() == "N" else "open"


def lines_of(order: Doc) -> list[Doc]:
    lines = order.get("Lines") or {}
    return list(lines.get("list") or []) if isinstance(lines, dict) else list(lines)


def payments_of(order: Doc) -> list[Doc]:
    payments = order.get("Payments") or {}
    return list(payments.get("list") or []) if isinstance(payments, dict) else list(payments)


def total_of(order: Doc) -> Decimal:
    return sum((Decimal(str(line["ExtendedPrice"])) for line in lines_of(order)), Decimal(0))


def _by_po(orders: list[Doc]) -> dict[str, list[Doc]]:
    found: dict[str, list[Doc]] = {}
    for order in orders:
        found.setdefault(str(order.get("PoNo") or ""), []).append(order)
    return found


def all_payments(state: Doc) -> list[Doc]:
    """Every payment row: the state's flat list, else those embedded in its orders."""
    if "payments" in state:
        return list(state["payments"])
    rows = []
    for order in [*state.get("orders", []), *state.get("rmas", [])]:
        rows += [{**p, "OrderNo": order["OrderNo"]} for p in payments_of(order)]
    return rows


def _new_customer_ids(truth: Doc, ours: OurState) -> set[str]:
    new = {
        c["stripe_customer_id"]
        for c in truth.get("customers", [])
        if c.get("p21_customer_id") == "new"
    }
    return {
        link.p21_document_no for link in ours.links_of("customer") if link.stripe_object_id in new
    }


def invoice_orders(state: Doc) -> dict[str, str]:
    """Invoice number → the order P21 invoiced (where a payment of the invoice is applied)."""
    return {
        str(i["InvoiceNo"]): str(i["OrderNo"])
        for i in state.get("invoices", [])
        if i.get("OrderNo") not in (None, "")
    }


def check_orders(truth: Doc, state: Doc, ours: OurState, result: CheckResult) -> None:
    expected = {str(o["stripe_charge_id"]): o for o in truth["documents"].get("orders", [])}
    # Orders the seed already had (open ones, and invoiced ones a payment was added to).
    seeded = {str(o["OrderNo"]) for o in state.get("seeded_orders", [])}
    seeded |= set(invoice_orders(state).values())
    found = _by_po([o for o in state.get("orders", []) if str(o["OrderNo"]) not in seeded])
    payments = Counter(str(p.get("PaymentDesc") or "") for p in all_payments(state))
    new_ids = _new_customer_ids(truth, ours)
    add = result.differences.append
    for charge, doc in expected.items():
        result.checked["orders"] += 1
        orders = found.get(charge, [])
        if not orders:
            add(
                Difference(
                    "orders",
                    "missing",
                    charge,
                    doc.get("amount"),
                    None,
                    f"{doc.get('source')} {doc.get('currency')}",
                )
            )
            continue
        if len(orders) > 1:
            add(
                Difference(
                    "orders",
                    "duplicate",
                    charge,
                    1,
                    len(orders),
                    ", ".join(str(o["OrderNo"]) for o in orders),
                )
            )
        _compare_order(doc, orders[0], new_ids, result)
        if payments[charge] != 1:
            add(Difference("orders", "payment_rows", charge, 1, payments[charge]))
    for po_no, orders in found.items():
        if po_no not in expected:
            for order in orders:
                add(
                    Difference(
                        "orders",
                        "extra",
                        po_no or f"order {order['OrderNo']}",
                        None,
                        str(order["OrderNo"]),
                    )
                )


def _compare_order(doc: Doc, order: Doc, new_ids: set[str], result: CheckResult) -> None:
    add, charge = result.differences.append, str(doc["stripe_charge_id"])
    want_customer = doc.get("p21_customer_id")
    got_customer = str(order.get("CustomerId"))
    if want_customer == "new":
        if got_customer not in new_ids:
            add(Difference("orders", "customer", charge, "a newly created customer", got_customer))
    elif str(want_customer) != got_customer:
        add(Difference("orders", "customer", charge, want_customer, order.get("CustomerId")))
    amount = Decimal(str(doc["amount"]))
    paid = sum(
        (
            Decimal(str(p["PaymentAmount"]))
            for p in payments_of(order)
            if p.get("PaymentDesc") == charge
        ),
        Decimal(0),
    )
    if paid != amount:
        add(Difference("orders", "payment_amount", charge, str(amount), str(paid)))
    # A truth line may leave the item open (`item_id: null`, e.g. a subscription's service
    # line): then only its quantity and price are compared.
    want_lines: Counter[Line] = Counter(
        (_item(ln.get("item_id")), Decimal(str(ln["quantity"])), Decimal(str(ln["unit_price"])))
        for ln in doc.get("lines", [])
    )
    got_lines: Counter[Line] = Counter(
        (_item(ln.get("ItemId")), Decimal(str(ln["QtyOrdered"])), Decimal(str(ln["UnitPrice"])))
        for ln in lines_of(order)
    )
    if want_lines and not _lines_match(want_lines, got_lines):
        add(Difference("orders", "lines", charge, _fmt_lines(want_lines), _fmt_lines(got_lines)))
    if total_of(order) != amount and want_lines:
        add(Difference("orders", "total", charge, str(amount), str(total_of(order))))
    status = order_status(order)
    if status != doc.get("status", "open"):
        add(Difference("orders", "status", charge, doc.get("status", "open"), status))


def _item(value: Any) -> str | None:
    return None if value is None else str(value)


def _lines_match(want: Counter[Line], got: Counter[Line]) -> bool:
    """The same lines; a wanted line without an item matches a line of any item with its
    quantity and price."""
    left = got.copy()
    left.subtract({key: n for key, n in want.items() if key[0] is not None})
    if any(n < 0 for n in left.values()):
        return False
    for (item, qty, price), wanted in want.items():
        if item is not None:
            continue
        for key in [k for k in left if k[1:] == (qty, price)]:
            taken = min(wanted, left[key])
            left[key] -= taken
            wanted -= taken
        if wanted:
            return False
    return not +left


def _fmt_lines(lines: Counter[Line]) -> list[str]:
    return sorted(
        f"{n}x {item or '(any item)'} {qty} @ {price}" for (item, qty, price), n in lines.items()
    )


def check_payments(truth: Doc, state: Doc, result: CheckResult) -> None:
    """Payments on existing P21 orders and invoices: one row, on the right order, right amount."""
    rows: dict[str, list[Doc]] = {}
    for row in all_payments(state):
        rows.setdefault(str(row.get("PaymentDesc") or ""), []).append(row)
    orders_of = invoice_orders(state)
    add = result.differences.append
    for doc in truth["documents"].get("payments", []):
        result.checked["payments"] += 1
        charge = str(doc["stripe_charge_id"])
        found = rows.get(charge, [])
        if not found:
            add(Difference("payments", "missing", charge, doc.get("amount"), None, _target(doc)))
            continue
        if len(found) > 1:
            add(Difference("payments", "duplicate", charge, 1, len(found)))
        want_order = doc.get("p21_order_no") or orders_of.get(str(doc.get("p21_invoice_no")))
        got_order = str(found[0].get("OrderNo"))
        if want_order is not None and str(want_order) != got_order:
            add(
                Difference("payments", "document", charge, str(want_order), got_order, _target(doc))
            )
        paid = Decimal(str(found[0]["PaymentAmount"]))
        if paid != Decimal(str(doc["amount"])):
            add(Difference("payments", "amount", charge, str(doc["amount"]), str(paid)))


def _target(doc: Doc) -> str:
    if doc.get("p21_order_no"):
        return f"order {doc['p21_order_no']}"
    return f"invoice {doc.get('p21_invoice_no')}"


def check_credit_memos(truth: Doc, state: Doc, result: CheckResult) -> None:
    """One RMA per Stripe refund (PoNo = refund id) carrying the refund's amount."""
    expected = {str(c["stripe_refund_id"]): c for c in truth["documents"].get("credit_memos", [])}
    found = _by_po(state.get("rmas", []))
    add = result.differences.append
    for refund, doc in expected.items():
        result.checked["credit_memos"] += 1
        rmas = found.get(refund, [])
        if not rmas:
            add(
                Difference(
                    "credit_memos",
                    "missing",
                    refund,
                    doc.get("amount"),
                    None,
                    f"charge {doc.get('stripe_charge_id')}",
                )
            )
            continue
        if len(rmas) > 1:
            add(Difference("credit_memos", "duplicate", refund, 1, len(rmas)))
        got = abs(total_of(rmas[0]))
        if got != Decimal(str(doc["amount"])):
            add(Difference("credit_memos", "amount", refund, str(doc["amount"]), str(got)))
    for po_no, rmas in found.items():
        if po_no not in expected:
            for rma in rmas:
                add(
                    Difference(
                        "credit_memos",
                        "extra",
                        po_no or f"rma {rma['OrderNo']}",
                        None,
                        str(rma["OrderNo"]),
                    )
                )
