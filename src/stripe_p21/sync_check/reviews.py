"""Reconciliation runs, review items and customer links against the truth."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from stripe_p21.pipeline.mapping.money import to_decimal
from stripe_p21.sync_check.db import OurState
from stripe_p21.sync_check.result import CheckResult, Difference

Doc = dict[str, Any]
NOT_BREAKS = frozenset({"matched", "not_synced_kind"})


def check_reconciliation(truth: Doc, ours: OurState, result: CheckResult) -> None:
    expected = {str(r["stripe_payout_id"]): r for r in truth.get("reconciliation", [])}
    add = result.differences.append
    for payout, doc in expected.items():
        result.checked["reconciliation"] += 1
        run = ours.run(payout)
        if run is None:
            add(Difference("reconciliation", "missing_run", payout, doc.get("status"), None))
            continue
        if run.status != doc.get("status"):
            add(Difference("reconciliation", "status", payout, doc.get("status"), run.status))
        if doc.get("automatic", True) and run.transactions != doc.get("transactions"):
            add(
                Difference(
                    "reconciliation",
                    "transactions",
                    payout,
                    doc.get("transactions"),
                    run.transactions,
                )
            )
        if run.unexplained_minor != 0:
            add(
                Difference(
                    "reconciliation",
                    "unexplained_remainder",
                    payout,
                    "0",
                    str(to_decimal(run.unexplained_minor, run.currency)),
                )
            )
        _compare_breaks(payout, doc, ours, run.id or 0, run.currency, result)
    for run in ours.runs:
        if run.payout_id not in expected:
            add(Difference("reconciliation", "extra_run", run.payout_id, None, run.status))


def _compare_breaks(
    payout: str, doc: Doc, ours: OurState, run_id: int, currency: str, result: CheckResult
) -> None:
    want = Counter(
        (str(b["kind"]), str(b.get("stripe_object_id") or ""), Decimal(str(b.get("amount") or 0)))
        for b in doc.get("expected_breaks", [])
    )
    got = Counter(
        (line.result, line.source_id or "", abs(to_decimal(line.amount_minor, currency)))
        for line in ours.lines.get(run_id, [])
        if line.result not in NOT_BREAKS
    )
    want_abs = Counter({(k, s, abs(a)): n for (k, s, a), n in want.items()})
    for kind, subject, amount in sorted((want_abs - got).elements()):
        add = result.differences.append
        add(
            Difference(
                "reconciliation", "missing_break", payout, f"{kind} {subject} {amount}", None
            )
        )
    for kind, subject, amount in sorted((got - want_abs).elements()):
        result.differences.append(
            Difference("reconciliation", "extra_break", payout, None, f"{kind} {subject} {amount}")
        )


def check_review_items(truth: Doc, ours: OurState, result: CheckResult) -> None:
    """Exactly the truth's exceptions by (queue, reason, Stripe object); nothing in `sync`."""
    want = Counter(
        (str(e["queue"]), str(e["reason"]), str(e["stripe_object_id"]))
        for e in truth.get("exceptions", [])
    )
    got = Counter((i.queue, i.reason, str(i.stripe_object_id)) for i in ours.review_items)
    result.checked["review_items"] += sum(want.values())
    for queue, reason, subject in sorted((want - got).elements()):
        result.differences.append(
            Difference("review_items", "missing", subject, f"{queue}/{reason}", None)
        )
    for queue, reason, subject in sorted((got - want).elements()):
        item = next(
            i
            for i in ours.review_items
            if (i.queue, i.reason, str(i.stripe_object_id)) == (queue, reason, subject)
        )
        result.differences.append(
            Difference(
                "review_items",
                "extra",
                subject,
                None,
                f"{queue}/{reason}",
                (item.message or item.title or "")[:160],
            )
        )


def check_customers(truth: Doc, state: Doc, ours: OurState, result: CheckResult) -> None:
    """Each Stripe customer linked to the truth's P21 customer, or to one created for it — and
    never two P21 customers created for one Stripe customer. A customer the truth sends to the
    `customer_match` queue may stay unlinked until a person confirms the suggestion."""
    created = {int(c) for c in state.get("created_customer_ids", [])}
    emails = Counter(
        str(c.get("EmailAddress") or "").casefold()
        for c in state.get("customers", [])
        if not created or int(c.get("CustomerId") or 0) in created
    )
    awaiting_review = {
        str(e["stripe_object_id"])
        for e in truth.get("exceptions", [])
        if e.get("queue") == "customer_match"
    }
    add = result.differences.append
    for doc in truth.get("customers", []):
        result.checked["customers"] += 1
        stripe_id = str(doc["stripe_customer_id"])
        link = ours.link(stripe_id, "customer")
        want = doc.get("p21_customer_id")
        if link is None and stripe_id in awaiting_review:
            continue  # a person confirms the suggested match; no link until then
        if link is None:
            add(Difference("customers", "missing_link", stripe_id, want, None, str(doc["variant"])))
        elif want == "new":
            if created and int(link.p21_document_no) not in created:
                add(
                    Difference(
                        "customers",
                        "link",
                        stripe_id,
                        "a newly created customer",
                        link.p21_document_no,
                        str(doc["variant"]),
                    )
                )
        elif str(want) != link.p21_document_no:
            add(
                Difference(
                    "customers",
                    "link",
                    stripe_id,
                    str(want),
                    link.p21_document_no,
                    str(doc["variant"]),
                )
            )
        email = str(doc.get("email") or "").casefold()
        if want == "new" and created and emails[email] > 1:
            add(Difference("customers", "duplicate", stripe_id, 1, emails[email], email))
