"""What every scenario story shares: the simulation, the P21 seed it must agree with, the ground
truth being written, the Stripe balance waiting for payouts, and the scenario's customers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from stripe_p21.sandbox.p21.seed import SeedData, SeedInvoice, SeedItem, SeedOrder
from stripe_p21.sandbox.scenarios.customers import ScenarioCustomer
from stripe_p21.sandbox.scenarios.sim import Simulation, StripeObj
from stripe_p21.sandbox.scenarios.truth import Truth


class Ledger:
    """Balance transactions not yet paid out, per currency."""

    def __init__(self) -> None:
        self.pending: dict[str, list[StripeObj]] = {}

    def add(self, sim: Simulation, txn: StripeObj) -> StripeObj:
        """Store a new balance transaction and hold it for the next payout."""
        sim.put(txn)
        self.pending.setdefault(str(txn["currency"]), []).append(txn)
        return txn

    def take_available(self, currency: str, now: int) -> list[StripeObj]:
        """Remove and return the transactions of `currency` available at `now`."""
        waiting = self.pending.get(currency, [])
        ready = [txn for txn in waiting if int(txn["available_on"]) <= now]
        self.pending[currency] = [txn for txn in waiting if int(txn["available_on"]) > now]
        return ready


@dataclass
class World:
    """State shared by the stories of one scenario."""

    sim: Simulation
    seed: SeedData
    truth: Truth
    customers: list[ScenarioCustomer] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)
    web_orders: itertools.count[int] = field(default_factory=lambda: itertools.count(100_001))
    paid_orders: set[str] = field(default_factory=set)
    """P21 order numbers already paid in this scenario (an order is paid once)."""

    def customer(self) -> ScenarioCustomer:
        """A random customer of the scenario."""
        return self.sim.rng.choice(self.customers)

    def items(self, count: int) -> list[SeedItem]:
        """`count` distinct catalogue items."""
        return self.sim.rng.sample(list(self.seed.items), count)

    def open_invoice(self) -> SeedInvoice | None:
        """A P21 invoice with an open balance, if the seed has any."""
        open_ones = [inv for inv in self.seed.invoices if inv.paid < inv.total]
        return self.sim.rng.choice(open_ones) if open_ones else None

    def open_order(self) -> SeedOrder | None:
        """An open P21 sales order of the seed not yet paid in this scenario (None when all
        are); it is marked paid."""
        open_ones = [
            order
            for order in self.seed.orders
            if order.open_total > 0 and order.order_no not in self.paid_orders
        ]
        if not open_ones:
            return None
        order = self.sim.rng.choice(open_ones)
        self.paid_orders.add(order.order_no)
        return order

    def account(self, role: str) -> str:
        """The P21 GL account number the seed's chart gives `role` (bank, card_fees…)."""
        for account in self.seed.accounts:
            if account.role == role:
                return account.account_no
        raise LookupError(f"no GL account with role {role!r} in the P21 seed")
