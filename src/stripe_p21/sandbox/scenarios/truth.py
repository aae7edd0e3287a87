"""The ground truth of a scenario: what P21 should hold afterwards (orders, payments on existing
invoices and orders, credit memos, payout GL entries), the customer links, each payout's
reconciliation and the exceptions a reviewer should see. Its JSON form is documented in
docs/scenarios.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
"""Bumped whenever a field changes meaning or disappears (adding fields keeps the version)."""

QUEUES = ("fraud", "disputes", "reconciliation", "customer_match", "mapping", "billing")
"""Review queues the truth file names."""

Doc = dict[str, Any]


class Truth:
    """Collects the expected outcome while the simulation runs."""

    def __init__(self, scenario: Doc) -> None:
        self.scenario = scenario
        self.customers: list[Doc] = []
        self.orders: list[Doc] = []
        self.payments: list[Doc] = []
        self.credit_memos: list[Doc] = []
        self.gl_entries: list[Doc] = []
        self.reconciliation: list[Doc] = []
        self.exceptions: list[Doc] = []
        self.documented: set[str] = set()
        """Charges whose P21 document (order or payment) should exist."""

    def link_customer(
        self, stripe_id: str, p21_id: int | None, *, variant: str, name: str, email: str
    ) -> None:
        """Stripe customer `stripe_id` should be linked to P21 customer `p21_id` (None: new)."""
        link = p21_id if p21_id is not None else "new"
        self.customers.append(
            {"stripe_customer_id": stripe_id, "p21_customer_id": link, "variant": variant,
             "name": name, "email": email}
        )  # fmt: skip

    def customer_names(self) -> list[str]:
        return [str(link["name"]) for link in self.customers]

    def exception(self, queue: str, reason: str, stripe_object_id: str, **detail: Any) -> None:
        """A review item the service should raise in `queue`."""
        if queue not in QUEUES:
            raise ValueError(f"unknown review queue {queue!r}")
        item = {"queue": queue, "reason": reason, "stripe_object_id": stripe_object_id}
        self.exceptions.append({**item, **detail})

    def order(self, doc: Doc) -> None:
        """A sales order P21 should hold for a charge (`doc["stripe_charge_id"]`)."""
        self.orders.append(doc)
        self.documented.add(str(doc["stripe_charge_id"]))

    def payment(self, doc: Doc) -> None:
        """A payment P21 should hold against an existing invoice (`p21_invoice_no`) or an
        existing sales order (`p21_order_no`); exactly one of the two is named."""
        if ("p21_invoice_no" in doc) == ("p21_order_no" in doc):
            raise ValueError("a payment names either p21_invoice_no or p21_order_no")
        self.payments.append(doc)
        self.documented.add(str(doc["stripe_charge_id"]))

    def credit_memo(self, doc: Doc) -> None:
        """An RMA / credit memo P21 should hold for one Stripe refund."""
        self.credit_memos.append(doc)

    def set_order_status(self, charge_id: str, status: str) -> None:
        """Change the expected status of the order for `charge_id` (held, released, cancelled)."""
        for doc in self.orders:
            if doc["stripe_charge_id"] == charge_id:
                doc["status"] = status

    def as_json(self) -> Doc:
        """The truth file's content (see docs/scenarios.md)."""
        return {
            "format_version": FORMAT_VERSION,
            "scenario": self.scenario,
            "customers": self.customers,
            "documents": {
                "orders": self.orders,
                "payments": self.payments,
                "credit_memos": self.credit_memos,
                "gl_entries": self.gl_entries,
            },
            "reconciliation": self.reconciliation,
            "exceptions": self.exceptions,
        }

    def write(self, path: str | Path) -> Path:
        """Write the truth file (pretty-printed, stable key order) and return its path."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.as_json(), indent=2, sort_keys=True) + "\n")
        return target
