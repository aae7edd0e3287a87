"""Realistic payouts for the tests: the scenario generator's payouts with their balance
transactions, the truth it expects, and the sync links a correct run of the other flows leaves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from stripe_p21.pipeline.mapping.payouts import BalanceTxn, PayoutView, payout_transactions
from stripe_p21.pipeline.mapping.reconcile import LinkFact
from stripe_p21.sandbox.scenarios import Scenario, ScenarioSpec, generate

START = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ScenarioPayout:
    raw: dict[str, Any]
    listed: list[dict[str, Any]]
    gl_truth: dict[str, Any]
    reconciliation_truth: dict[str, Any]

    @property
    def view(self) -> PayoutView:
        return PayoutView.parse(self.raw)

    @property
    def txns(self) -> list[BalanceTxn]:
        return payout_transactions(self.view, self.listed)


@cache
def week() -> Scenario:
    return generate(ScenarioSpec(seed=7, days=7, start=START))


def payouts(scenario: Scenario | None = None) -> list[ScenarioPayout]:
    """Every paid payout of the scenario, in the truth's order."""
    scenario = scenario or week()
    objects: dict[str, dict[str, Any]] = {}
    listed: dict[str, dict[str, dict[str, Any]]] = {}
    for step in scenario.steps:
        objects[str(step.obj["id"])] = step.obj
        if step.payout:
            listed.setdefault(step.payout, {})[str(step.obj["id"])] = step.obj
    truth = scenario.truth
    return [
        ScenarioPayout(
            objects[gl["stripe_payout_id"]],
            list(listed.get(gl["stripe_payout_id"], {}).values()),
            gl,
            rec,
        )
        for gl, rec in zip(truth.gl_entries, truth.reconciliation, strict=True)
    ]


def one(
    currency: str, *, itemised: bool = True, scenario: Scenario | None = None
) -> ScenarioPayout:
    return next(
        p for p in payouts(scenario) if p.view.currency == currency and p.view.itemised == itemised
    )


def correct_links(
    payout: ScenarioPayout, scenario: Scenario | None = None
) -> dict[str, list[LinkFact]]:
    """The links the charge and refund flows leave when they follow the truth."""
    truth = (scenario or week()).truth
    credit_memos = {c["stripe_refund_id"]: c for c in truth.credit_memos}
    links: dict[str, list[LinkFact]] = {}
    for txn in payout.txns:
        source = txn.source or ""
        if source in truth.documented:
            links[source] = [LinkFact(source, "order", "1000101", txn.amount, txn.currency)]
        elif source in credit_memos:
            amount = int(credit_memos[source]["amount_minor"])
            links[source] = [LinkFact(source, "rma", "1000202", amount, txn.currency)]
    return links
