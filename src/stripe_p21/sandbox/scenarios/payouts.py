"""Payouts: each morning the available balance of every currency is paid out automatically (its
balance transactions listable by payout), and once by hand (not itemised). For each one the truth
gets the balanced GL entry P21 should hold and the expected reconciliation result."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from stripe_p21.sandbox.scenarios.money import as_decimal
from stripe_p21.sandbox.scenarios.sim import DAY, StripeObj
from stripe_p21.sandbox.scenarios.world import World
from stripe_p21.sandbox.stripe import shapes_payments, shapes_risk

FEE_ROLES = {"charge": "card_fees", "refund": "card_fees", "dispute": "dispute_fees"}
"""GL role of a balance transaction's fee, by its reporting category."""


def _signed_by_role(txns: list[StripeObj], amount: int, itemised: bool) -> dict[str, int]:
    """Debits (positive) and credits (negative) per GL role for a deposit of `amount`; a payout
    that cannot be itemised moves its amount from Stripe clearing to the bank, nothing more."""
    roles: dict[str, int] = defaultdict(int)
    roles["bank"] += amount
    if not itemised:
        roles["stripe_clearing"] -= amount
        return roles
    for txn in txns:
        category = str(txn["reporting_category"])
        roles[FEE_ROLES.get(category, "card_fees")] += int(txn["fee"])
        side = "dispute_losses" if category.startswith("dispute") else "stripe_clearing"
        roles[side] -= int(txn["amount"])
    return roles


def gl_entry(world: World, payout: StripeObj, txns: list[StripeObj]) -> dict[str, Any]:
    """The journal entry for a payout: bank, Stripe clearing, fees and dispute lines."""
    currency, lines = str(payout["currency"]), []
    for role, signed in sorted(
        _signed_by_role(txns, int(payout["amount"]), bool(payout["automatic"])).items()
    ):
        if signed == 0:
            continue
        side, other = ("debit", "credit") if signed > 0 else ("credit", "debit")
        amounts = {side: as_decimal(abs(signed), currency), other: as_decimal(0, currency)}
        lines.append({"account": world.account(role), "role": role, **amounts})
    return {"stripe_payout_id": payout["id"], "currency": currency,
            "amount": as_decimal(int(payout["amount"]), currency),
            "itemised": bool(payout["automatic"]), "lines": lines}  # fmt: skip


def _breaks(world: World, txns: list[StripeObj]) -> list[dict[str, Any]]:
    """Transactions whose P21 document should not exist (so reconciliation flags them)."""
    found = []
    for txn in txns:
        source = world.sim.objects.get(str(txn["source"]), {})
        charge = str(source.get("charge") or source.get("id") or "")
        if source.get("object") in ("charge", "refund") and charge not in world.truth.documented:
            amount = as_decimal(int(txn["amount"]), str(txn["currency"]))
            found.append(
                {"kind": "missing_in_p21", "stripe_object_id": txn["source"], "amount": amount}
            )
    return found


def _reconcile(world: World, payout: StripeObj, txns: list[StripeObj]) -> None:
    currency, truth = str(payout["currency"]), world.truth
    if payout["automatic"]:
        breaks = _breaks(world, txns)
        status = "breaks" if breaks else "matched"
    else:
        breaks = [{"kind": "manual_payout_not_itemised", "stripe_object_id": payout["id"],
                   "amount": as_decimal(int(payout["amount"]), currency)}]  # fmt: skip
        status = "needs_review"
    truth.reconciliation.append({
        "stripe_payout_id": payout["id"], "currency": currency, "automatic": payout["automatic"],
        "amount": as_decimal(int(payout["amount"]), currency),
        "transactions": len(txns) if payout["automatic"] else 0, "status": status,
        "expected_breaks": breaks, "unexplained_remainder": as_decimal(0, currency),
    })  # fmt: skip
    truth.gl_entries.append(gl_entry(world, payout, txns))
    if breaks:
        reason = "payout_breaks" if payout["automatic"] else "manual_payout"
        truth.exception("reconciliation", reason, payout["id"], breaks=len(breaks))


def pay_out(world: World, currency: str, *, manual: bool = False) -> None:
    """Pay out what is available in `currency` now; `payout.paid` follows a day later."""
    sim = world.sim
    txns = world.ledger.take_available(currency, sim.now)
    amount = sum(int(txn["net"]) for txn in txns)
    if amount <= 0:
        world.ledger.pending.setdefault(currency, []).extend(txns)
        return
    payout_id = sim.new_id("payout")
    own = shapes_payments.balance_transaction(
        id=sim.new_id("balance_transaction"), created=sim.now, amount=-amount, currency=currency,
        source=payout_id, type="payout", fee=0, description="STRIPE PAYOUT",
    )  # fmt: skip
    sim.put(own)
    payout = shapes_risk.payout(
        id=payout_id, created=sim.now, amount=amount, currency=currency, status="in_transit",
        automatic=not manual, balance_transaction=own["id"], arrival_date=sim.now + DAY,
        reconciliation_status="not_applicable" if manual else "in_progress",
    )  # fmt: skip
    sim.emit("payout.created", payout)
    if not manual:
        for txn in txns:
            txn["status"] = "available"
            sim.put(txn, payout=payout_id)
    sim.later(DAY, lambda _: _arrive(world, payout, txns))


def _arrive(world: World, payout: StripeObj, txns: list[StripeObj]) -> None:
    sim = world.sim
    if payout["automatic"]:
        sim.update("payout.paid", payout, status="paid")
        sim.update("payout.reconciliation_completed", payout, reconciliation_status="completed")
    else:
        sim.update("payout.paid", payout, status="paid")
    _reconcile(world, payout, txns)
