"""Plans a whole scenario: customers on the first morning, a fixed set of stories that makes
every required kind of activity appear at least once, random daily sales, and payouts each
morning. `generate(spec)` is pure: the same spec always gives the same steps and truth."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from stripe_p21.sandbox.p21 import seed as p21_seed
from stripe_p21.sandbox.scenarios import billing, risk, sales
from stripe_p21.sandbox.scenarios.customers import create_customers
from stripe_p21.sandbox.scenarios.money import split_partial
from stripe_p21.sandbox.scenarios.payments import refund
from stripe_p21.sandbox.scenarios.payouts import pay_out
from stripe_p21.sandbox.scenarios.sim import DAY, Simulation, Step, StripeObj
from stripe_p21.sandbox.scenarios.truth import Truth
from stripe_p21.sandbox.scenarios.world import World

DEFAULT_START = datetime(2026, 11, 1, tzinfo=UTC)
Story = Callable[[World], object]


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """What to generate: `days` of activity from `start`, for the P21 seed `p21_seed`."""

    seed: int = 7
    days: int = 30
    start: datetime = DEFAULT_START
    p21_seed: int = p21_seed.DEFAULT_SEED


@dataclass(frozen=True, slots=True)
class Scenario:
    """The planned steps (objects and events, in order) and the expected outcome."""

    spec: ScenarioSpec
    steps: list[Step]
    truth: Truth

    @property
    def event_count(self) -> int:
        return sum(1 for step in self.steps if step.event_type is not None)


def _refund_later(world: World, charge: StripeObj, amounts: list[int]) -> None:
    for n, amount in enumerate(amounts, start=1):
        world.sim.later(n * 5 * 3600, partial(_refund_action, world, charge, amount))


def _refund_action(world: World, charge: StripeObj, amount: int, _: Simulation) -> None:
    refund(world, charge, amount)


def _refunded(world: World, currency: str, parts: int) -> None:
    charge = sales.web_order(world, currency=currency)
    if charge is None:
        return
    total = int(charge["amount"])
    amounts = [total] if parts == 1 else split_partial(total, currency, parts, Decimal("0.6"))
    _refund_later(world, charge, amounts)


def _with_charge(then: Callable[..., object], *args: Any, level: str = "normal") -> Story:
    """A USD web order, then `then(world, charge, *args)` when it was charged."""

    def story(world: World) -> None:
        charge = sales.web_order(world, currency="usd", risk=level)
        if charge is not None:
            then(world, charge, *args)

    return story


def set_pieces() -> list[tuple[str, Story]]:
    """One story per kind of activity the scenario must contain."""
    pieces: list[tuple[str, Story]] = [
        ("jpy_sale", partial(sales.web_order, currency="jpy")),
        ("kwd_partial_refunds", partial(_refunded, currency="kwd", parts=2)),
        ("full_refund", partial(_refunded, currency="usd", parts=1)),
        ("multiple_partial_refunds", partial(_refunded, currency="usd", parts=3)),
        ("ach_sale", partial(sales.web_order, currency="usd", method="ach")),
        ("invoice_payment", sales.invoice_payment),
        ("order_payment", sales.order_payment),
        ("unknown_item", partial(sales.web_order, unknown_item=True)),
        ("blocked_highest_risk", partial(sales.web_order, risk="highest")),
    ]
    for refund_it, label in ((True, "efw_refunded"), (False, "efw_open")):
        pieces.append((label, _with_charge(_warn, refund_it)))
    for outcome in ("won", "lost", "inquiry"):
        pieces.append((f"dispute_{outcome}", _with_charge(risk.open_dispute, outcome)))
    for reason in risk.CLOSED_REASONS:
        story = _with_charge(risk.open_review, reason, level="elevated")
        pieces.append((f"review_{reason}", story))
    for outcome in ("paid", "failed", "trialing", "cancelled"):
        pieces.append((f"subscription_{outcome}", partial(billing.subscribe, outcome=outcome)))
    return pieces


def _warn(world: World, charge: StripeObj, refund_it: bool) -> None:
    risk.early_fraud_warning(world, charge, refund_it=refund_it)


def _background_sale(world: World, _: Simulation) -> None:
    roll = world.sim.rng.random()
    if roll < 0.12:
        sales.invoice_payment(world)
    elif roll < 0.17:
        sales.order_payment(world)
    elif roll < 0.22:
        risky = sales.web_order(world, risk="elevated")
        if risky is not None:
            world.truth.exception("fraud", "elevated_risk", risky["id"])
    else:
        charge = sales.web_order(world, method="ach" if roll > 0.95 else "card")
        if charge is not None and world.sim.chance(0.08):
            half = [int(charge["amount"]) // 2]
            world.sim.later(DAY - 5 * 3600, lambda _: _refund_later(world, charge, half))


def _run_story(world: World, story: Story, _: Simulation) -> None:
    story(world)


def _schedule(world: World, spec: ScenarioSpec) -> None:
    sim = world.sim
    window = max(1, spec.days - 4)
    for index, (_, story) in enumerate(set_pieces()):
        sim.at(sim.business_hour(index % window), partial(_run_story, world, story))
    for day in range(spec.days):
        for _ in range(sim.rng.randint(2, 6)):
            sim.at(sim.business_hour(day), partial(_background_sale, world))
    manual_day = max(1, spec.days - 2)
    for day in range(1, spec.days):
        morning = int(spec.start.timestamp()) + day * DAY + 6 * 3600
        for currency in sales.CURRENCIES:
            manual = day == manual_day and currency == "usd"
            sim.at(morning, partial(_payout_action, world, currency, manual))


def _payout_action(world: World, currency: str, manual: bool, _: Simulation) -> None:
    pay_out(world, currency, manual=manual)


def generate(spec: ScenarioSpec) -> Scenario:
    """Plan the scenario described by `spec` (pure and deterministic)."""
    if spec.days < 1:
        raise ValueError("a scenario needs at least one day")
    start = int(spec.start.timestamp())
    sim = Simulation(spec.seed, start, start + spec.days * DAY)
    # The P21 company as it stands when the scenario starts: its open orders predate the start.
    seed_data = p21_seed.generate(spec.p21_seed, today=spec.start.astimezone(UTC).date())
    meta: dict[str, Any] = {
        "seed": spec.seed, "days": spec.days, "p21_seed": spec.p21_seed,
        "p21_company_id": seed_data.company_id,
        "start": spec.start.astimezone(UTC).isoformat(), "end": datetime.fromtimestamp(
            sim.end, UTC).isoformat(),
    }  # fmt: skip
    world = World(sim, seed_data, Truth(meta))
    world.customers = create_customers(sim, seed_data, world.truth, 10 + min(spec.days, 50))
    _schedule(world, spec)
    sim.run()
    meta["events"] = sum(1 for step in sim.steps if step.event_type is not None)
    return Scenario(spec, sim.steps, world.truth)
