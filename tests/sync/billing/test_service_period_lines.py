"""`invoice.paid` end to end: the P21 order of a paid subscription invoice carries each line's
service period on the line itself (`oe_line.extended_desc`, company-local days), not only on the
order's link — on SQLite + inline runner and PostgreSQL + arq, against both sandboxes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.sandbox.p21 import seed as p21_seed
from stripe_p21.sandbox.scenarios import Scenario, ScenarioSpec, Truth
from stripe_p21.sandbox.scenarios import billing as stories
from stripe_p21.sandbox.scenarios.customers import create_customer
from stripe_p21.sandbox.scenarios.sim import DAY, Simulation
from stripe_p21.sandbox.scenarios.world import World
from tests.support.sync_stack import START, SyncStackFactory

CHICAGO = ZoneInfo("America/Chicago")
"""The company zone of config/mapping.yaml (the service's mapping in the stack)."""


def _subscriptions() -> Scenario:
    """Two customers, each with a monthly subscription whose first invoice is paid: one at 03:00
    UTC on 2 November (still 1 November in Chicago), one at noon (and cancelled later)."""
    spec = ScenarioSpec(seed=11, days=3, start=START)
    start = int(START.timestamp())
    sim = Simulation(spec.seed, start, start + spec.days * DAY)
    seed = p21_seed.generate(spec.p21_seed, today=START.date())
    world = World(sim, seed, Truth({"seed": spec.seed, "days": spec.days,
                                    "p21_company_id": seed.company_id}))  # fmt: skip
    sim.now = start + 7 * 3600
    world.customers = [create_customer(sim, seed, world.truth, "identical")]
    sim.at(start + DAY + 3 * 3600, lambda _: stories.subscribe(world, "paid"))
    sim.at(start + DAY + 18 * 3600, lambda _: stories.subscribe(world, "cancelled"))
    sim.run()
    return Scenario(spec, sim.steps, world.truth)


def _local_day(unix_seconds: int) -> str:
    return datetime.fromtimestamp(unix_seconds, UTC).astimezone(CHICAGO).date().isoformat()


async def test_paid_subscription_invoice_lines_carry_their_service_period(
    sync_stack_factory: SyncStackFactory,
) -> None:
    scenario = _subscriptions()
    invoices = {step.obj["id"]: step.obj for step in scenario.steps
                if step.event_type == "invoice.paid"}  # fmt: skip
    orders = scenario.truth.orders
    assert len(orders) == len(invoices) == 2
    expected, raw = {}, {}
    for doc in orders:
        [line] = invoices[doc["stripe_invoice_id"]]["lines"]["data"]
        period = line["period"]
        raw[str(doc["stripe_charge_id"])] = [
            (_local_day(period["start"]), _local_day(period["end"]))
        ]
        expected[str(doc["stripe_charge_id"])] = [
            # Stripe's period.end is when the next period starts: the last day is one before.
            f"Service {_local_day(period['start'])} through {_local_day(period['end'] - DAY)}"
        ]
    assert sorted(text for texts in expected.values() for text in texts) == [
        "Service 2026-11-01 through 2026-11-30",  # paid at 03:00 UTC on 2 November
        "Service 2026-11-02 through 2026-12-01",
    ]

    async with sync_stack_factory() as s:
        await s.play(scenario=scenario, duplicate_rate=0.3, reorder_window=3)
        await s.settle_all(within=120)
        state = await s.p21_state()
        result = await s.check()
        async with s.services.sessions() as session:
            links = list((await session.execute(select(SyncLink))).scalars())

    got = {
        str(order["PoNo"]): [line["ExtendedDesc"] for line in order["Lines"]["list"]]
        for order in state["orders"]
        if str(order["PoNo"]) in expected
    }
    assert got == expected
    assert [d.line() for d in result.differences if d.area == "orders"] == []
    # The link keeps Stripe's period as it is (start and end apart, the same local days).
    periods = {
        link.stripe_object_id: [(p["start"], p["end"]) for p in link.details["service_period"]]
        for link in links if link.stripe_object_id in expected and link.p21_kind == "order"
    }  # fmt: skip
    assert periods == raw
