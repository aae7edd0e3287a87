"""The checker on hand-made truth and state: it must see every kind of difference (and none
when the outcome is right), since the acceptance test is only as good as it is."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stripe_p21.pipeline.tables import ReconciliationLine, ReconciliationRun, SyncLink
from stripe_p21.review.tables import ReviewItem
from stripe_p21.sync_check import CheckResult
from stripe_p21.sync_check.check import load_truth
from stripe_p21.sync_check.db import OurState
from stripe_p21.sync_check.documents import check_credit_memos, check_orders, check_payments
from stripe_p21.sync_check.ledger import check_gl_entries
from stripe_p21.sync_check.reviews import (
    check_customers,
    check_reconciliation,
    check_review_items,
)

TRUTH: dict[str, Any] = {
    "format_version": 1,
    "customers": [
        {"stripe_customer_id": "cus_A", "p21_customer_id": 100018, "variant": "identical",
         "name": "Reyes", "email": "b@reyes.com"},
        {"stripe_customer_id": "cus_N", "p21_customer_id": "new", "variant": "new",
         "name": "Blue", "email": "p@blue.com"},
    ],
    "documents": {
        "orders": [
            {"stripe_charge_id": "ch_K", "p21_customer_id": 100018, "currency": "kwd",
             "amount": "1804.760", "status": "open", "source": "webshop",
             "lines": [{"item_id": "ELEC-0058", "quantity": 1, "unit_price": "510.930"},
                       {"item_id": "HYD-0033", "quantity": 2, "unit_price": "646.915"}]},
            {"stripe_charge_id": "ch_J", "p21_customer_id": "new", "currency": "jpy",
             "amount": "151000", "status": "held", "source": "webshop",
             "lines": [{"item_id": "W-1", "quantity": 1, "unit_price": "151000"}]},
        ],
        "payments": [
            {"stripe_charge_id": "ch_P", "p21_order_no": "1000011", "amount": "4780.28"},
            {"stripe_charge_id": "ch_I", "p21_invoice_no": "900132", "amount": "7277.43"},
        ],
        "credit_memos": [
            {"stripe_refund_id": "re_1", "stripe_charge_id": "ch_K", "amount": "902.380"},
        ],
        "gl_entries": [
            {"stripe_payout_id": "po_1", "currency": "usd", "amount": "28995.28",
             "lines": [{"account": "1010", "role": "bank", "debit": "28995.28", "credit": "0.00"},
                       {"account": "6150", "role": "card_fees", "debit": "1101.61",
                        "credit": "0.00"},
                       {"account": "1015", "role": "stripe_clearing", "debit": "0.00",
                        "credit": "30096.89"}]},
        ],
    },
    "reconciliation": [
        {"stripe_payout_id": "po_1", "currency": "usd", "automatic": True, "amount": "28995.28",
         "transactions": 13, "status": "breaks", "unexplained_remainder": "0.00",
         "expected_breaks": [{"kind": "missing_in_p21", "stripe_object_id": "ch_X",
                              "amount": "4324.80"}]},
    ],
    "exceptions": [
        {"queue": "mapping", "reason": "unknown_item", "stripe_object_id": "ch_X"},
    ],
}  # fmt: skip


def _order(no: str, po: str, customer: int, lines: list[tuple[str, str, str]], paid: str,
           approved: str = "Y") -> dict[str, Any]:  # fmt: skip
    return {
        "OrderNo": no, "PoNo": po, "CustomerId": customer, "Approved": approved,
        "CancelFlag": "N",
        "Lines": {"list": [{"ItemId": i, "QtyOrdered": q, "UnitPrice": p,
                            "ExtendedPrice": str(float(q) * float(p))} for i, q, p in lines]},
        "Payments": {"list": [{"PaymentAmount": paid, "PaymentDesc": po}]},
    }  # fmt: skip


def _state() -> dict[str, Any]:
    k = _order(
        "2000001",
        "ch_K",
        100018,
        [("ELEC-0058", "1", "510.930"), ("HYD-0033", "2", "646.915")],
        "1804.760",
    )
    j = _order("2000002", "ch_J", 100201, [("W-1", "1", "151000")], "151000", approved="N")
    rma = {
        "OrderNo": "2000003",
        "PoNo": "re_1",
        "CustomerId": 100018,
        "Lines": {
            "list": [
                {
                    "ItemId": "ELEC-0058",
                    "QtyOrdered": "1",
                    "UnitPrice": "902.380",
                    "ExtendedPrice": "902.380",
                }
            ]
        },
        "Payments": {"list": []},
    }
    gl = {
        "TransactionNumber": "500001",
        "Lines": [
            {"AccountNumber": "1010", "Amount": "28995.28", "Description": "Stripe payout po_1"},
            {"AccountNumber": "6150", "Amount": "1101.61", "Description": "Stripe payout po_1"},
            {"AccountNumber": "1015", "Amount": "-30096.89", "Description": "Stripe payout po_1"},
        ],
    }
    return {
        "orders": [k, j], "rmas": [rma], "gl_entries": [gl], "created_customer_ids": [100201],
        "customers": [{"CustomerId": 100201, "EmailAddress": "p@blue.com"}],
        "seeded_orders": [{"OrderNo": "1000011"}],
        "invoices": [{"InvoiceNo": "900132", "OrderNo": "1000500"}],
        "payments": [
            {"OrderNo": "2000001", "PaymentDesc": "ch_K", "PaymentAmount": "1804.760"},
            {"OrderNo": "2000002", "PaymentDesc": "ch_J", "PaymentAmount": "151000"},
            {"OrderNo": "1000011", "PaymentDesc": "ch_P", "PaymentAmount": "4780.28"},
            {"OrderNo": "1000500", "PaymentDesc": "ch_I", "PaymentAmount": "7277.43"},
        ],
    }  # fmt: skip


def _link(obj: str, kind: str, doc: str) -> SyncLink:
    return SyncLink(stripe_object_id=obj, stripe_object_type="x", p21_kind=kind,
                    p21_document_no=doc, mapping_version="1")  # fmt: skip


def _ours() -> OurState:
    ours = OurState()
    ours.links = [_link("cus_A", "customer", "100018"), _link("cus_N", "customer", "100201"),
                  _link("po_1", "gl_payout", "500001")]  # fmt: skip
    ours.runs = [ReconciliationRun(id=1, payout_id="po_1", currency="usd", amount_minor=2899528,
                                   automatic=True, status="breaks", transactions=13, matched=12,
                                   breaks=1, unexplained_minor=0, mapping_version="1")]  # fmt: skip
    ours.lines = {1: [
        ReconciliationLine(run_id=1, source_id="ch_X", type="charge", result="missing_in_p21",
                           amount_minor=432480, net_minor=0),
        ReconciliationLine(run_id=1, source_id="ch_K", type="charge", result="matched",
                           amount_minor=1, net_minor=1)]}  # fmt: skip
    ours.review_items = [ReviewItem(queue="mapping", reason="unknown_item", stripe_object_id="ch_X",
                                    title="t", dedupe_key="k", fingerprint="f")]  # fmt: skip
    return ours


def _run(truth: dict[str, Any], state: dict[str, Any], ours: OurState) -> CheckResult:
    result = CheckResult()
    check_orders(truth, state, ours, result)
    check_payments(truth, state, result)
    check_credit_memos(truth, state, result)
    check_gl_entries(truth, state, ours, result)
    check_reconciliation(truth, ours, result)
    check_review_items(truth, ours, result)
    check_customers(truth, state, ours, result)
    return result


def test_a_correct_outcome_has_no_differences() -> None:
    result = _run(TRUTH, _state(), _ours())
    assert result.ok, result.summary()
    assert result.checked["orders"] == 2 and result.checked["gl_entries"] == 1
    assert "no differences" in result.summary()


def _kinds(result: CheckResult) -> set[str]:
    return set(result.by_kind())


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (lambda s, o: s["orders"].append(copy.deepcopy(s["orders"][0])), "orders.duplicate"),
        (lambda s, o: s["orders"].pop(0), "orders.missing"),
        (lambda s, o: s["orders"].append({**s["orders"][0], "PoNo": "ch_Z", "OrderNo": "9"}),
         "orders.extra"),
        (lambda s, o: s["orders"][1].update(Approved="Y"), "orders.status"),
        (lambda s, o: s["orders"][0].update(CustomerId=100019), "orders.customer"),
        (lambda s, o: s["orders"][1].update(CustomerId=100001), "orders.customer"),
        (lambda s, o: s["orders"][0]["Lines"]["list"].pop(), "orders.lines"),
        (lambda s, o: s["orders"][0]["Payments"]["list"][0].update(PaymentAmount="1804.77"),
         "orders.payment_amount"),
        (lambda s, o: s["payments"].append(dict(s["payments"][2])), "payments.duplicate"),
        (lambda s, o: s["payments"][3].update(OrderNo="1000501"), "payments.document"),
        (lambda s, o: s["payments"].pop(2), "payments.missing"),
        (lambda s, o: s["rmas"][0]["Lines"]["list"][0].update(ExtendedPrice="902.390"),
         "credit_memos.amount"),
        (lambda s, o: s["rmas"].append({**s["rmas"][0], "OrderNo": "7"}),
         "credit_memos.duplicate"),
        (lambda s, o: s["gl_entries"][0]["Lines"].pop(), "gl_entries.unbalanced"),
        (lambda s, o: s["gl_entries"][0]["Lines"][0].update(Amount="28995.29"),
         "gl_entries.bank_line"),
        (lambda s, o: s["gl_entries"].append({"TransactionNumber": "8", "Lines": []}),
         "gl_entries.extra"),
        (lambda s, o: s["gl_entries"].append({**s["gl_entries"][0], "TransactionNumber": "9"}),
         "gl_entries.duplicate"),
        (lambda s, o: o.runs.clear(), "reconciliation.missing_run"),
        (lambda s, o: o.lines[1].pop(0), "reconciliation.missing_break"),
        (lambda s, o: o.runs[0].__setattr__("unexplained_minor", 5),
         "reconciliation.unexplained_remainder"),
        (lambda s, o: o.review_items.clear(), "review_items.missing"),
        (lambda s, o: o.review_items.append(ReviewItem(queue="sync", reason="dead",
                                                       title="t", dedupe_key="d",
                                                       fingerprint="f")),
         "review_items.extra"),
        (lambda s, o: o.links.pop(0), "customers.missing_link"),
        (lambda s, o: o.links[1].__setattr__("p21_document_no", "100018"), "customers.link"),
        (lambda s, o: s["customers"].append({"CustomerId": 100202, "EmailAddress": "P@blue.com"})
         or s["created_customer_ids"].append(100202), "customers.duplicate"),
    ],
)  # fmt: skip
def test_each_kind_of_difference_is_seen(break_it: Any, expected: str) -> None:
    state, ours = _state(), _ours()
    break_it(state, ours)
    result = _run(TRUTH, state, ours)
    assert expected in _kinds(result), result.summary()


def test_truth_format_is_checked() -> None:
    with pytest.raises(ValueError, match="format_version"):
        load_truth({"format_version": 2})
