"""Payout journal entries: one balanced P21 GL entry per paid payout whose bank line is the
payout, with the truth's net amount per account; dispute entries posted on their own (not the
`memo` mode, where the payout's entry carries them) must exist and balance; nothing else."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from stripe_p21.sync_check.db import OurState
from stripe_p21.sync_check.result import CheckResult, Difference

Doc = dict[str, Any]
DISPUTE_KINDS = ("gl_dispute_withdrawn", "gl_dispute_reinstated")


def _lines(entry: Doc) -> list[Doc]:
    return list(entry.get("Lines") or [])


def net_by_account(entry: Doc) -> dict[str, Decimal]:
    """Signed amount per account (debit positive), zero accounts left out."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in _lines(entry):
        totals[str(line["AccountNumber"])] += Decimal(str(line["Amount"]))
    return {account: amount for account, amount in totals.items() if amount != 0}


def expected_net(doc: Doc) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in doc.get("lines", []):
        totals[str(line["account"])] += Decimal(str(line["debit"])) - Decimal(str(line["credit"]))
    return {account: amount for account, amount in totals.items() if amount != 0}


def _mentions(entry: Doc, stripe_id: str) -> bool:
    return any(
        stripe_id in str(line.get(key) or "")
        for line in _lines(entry)
        for key in ("Description", "Source", "JournalId")
    )


def check_gl_entries(truth: Doc, state: Doc, ours: OurState, result: CheckResult) -> None:
    entries = {str(e["TransactionNumber"]): e for e in state.get("gl_entries", [])}
    accounted: set[str] = set()
    add = result.differences.append
    for doc in truth["documents"].get("gl_entries", []):
        result.checked["gl_entries"] += 1
        payout = str(doc["stripe_payout_id"])
        link = ours.link(payout, "gl_payout")
        numbers = {n for n, e in entries.items() if _mentions(e, payout)}
        if link is not None:
            numbers.add(link.p21_document_no)
        accounted |= numbers
        present = sorted(n for n in numbers if n in entries)
        if not present:
            add(
                Difference(
                    "gl_entries",
                    "missing",
                    payout,
                    doc.get("amount"),
                    None,
                    f"{doc.get('currency')}, linked {link.p21_document_no if link else None}",
                )
            )
            continue
        if len(present) > 1:
            add(Difference("gl_entries", "duplicate", payout, 1, len(present), ", ".join(present)))
        entry = entries[present[0]]
        _compare_entry(payout, doc, entry, result)
    for link in ours.links_of(*DISPUTE_KINDS):
        if link.status == "memo":
            continue  # booked through the payout's entry; the link only keeps the memo
        result.checked["dispute_gl_entries"] += 1
        entry = entries.get(link.p21_document_no)
        accounted.add(link.p21_document_no)
        if entry is None:
            add(
                Difference(
                    "gl_entries",
                    "dispute_entry_missing",
                    link.stripe_object_id,
                    link.p21_document_no,
                    None,
                    link.p21_kind,
                )
            )
        elif sum(net_by_account(entry).values(), Decimal(0)) != 0:
            add(
                Difference(
                    "gl_entries",
                    "unbalanced",
                    link.stripe_object_id,
                    "0",
                    str(sum(net_by_account(entry).values(), Decimal(0))),
                )
            )
    for number in sorted(set(entries) - accounted):
        add(Difference("gl_entries", "extra", f"gl {number}", None, _describe(entries[number])))


def _compare_entry(payout: str, doc: Doc, entry: Doc, result: CheckResult) -> None:
    add = result.differences.append
    got = net_by_account(entry)
    balance = sum(got.values(), Decimal(0))
    if balance != 0:
        add(Difference("gl_entries", "unbalanced", payout, "0", str(balance)))
    bank = next((line for line in doc.get("lines", []) if line.get("role") == "bank"), None)
    if bank is not None:
        account = str(bank["account"])
        want_bank = Decimal(str(bank["debit"])) - Decimal(str(bank["credit"]))
        if got.get(account, Decimal(0)) != want_bank:
            add(
                Difference(
                    "gl_entries",
                    "bank_line",
                    payout,
                    str(want_bank),
                    str(got.get(account, Decimal(0))),
                )
            )
    want = expected_net(doc)
    if want != got:
        add(
            Difference(
                "gl_entries",
                "accounts",
                payout,
                {k: str(v) for k, v in sorted(want.items())},
                {k: str(v) for k, v in sorted(got.items())},
            )
        )


def _describe(entry: Doc) -> str:
    lines = _lines(entry)
    description = str(lines[0].get("Description") or "") if lines else ""
    return f"{len(lines)} lines, {description}"[:120]
