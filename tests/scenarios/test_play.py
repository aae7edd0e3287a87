"""Playing a scenario into the Stripe sandbox: the objects and events are there for the official
library and our gateway, payouts list their balance transactions, and ids repeat per seed."""

from __future__ import annotations

from datetime import timedelta

from stripe_p21.connectors.stripe import StripeClientGateway
from stripe_p21.sandbox.scenarios import (
    AdminApiSink,
    LocalSink,
    Scenario,
    ScenarioSpec,
    generate,
    local_sandbox,
    play,
)
from stripe_p21.sandbox.stripe import RunningServer, StripeSandbox
from tests.scenarios.conftest import API_KEY, START


def _play_events(scenario: Scenario) -> list[str]:
    with local_sandbox(seed=scenario.spec.seed, start=START, targets=(), secret=None) as local:
        return play(scenario, LocalSink(local.box))


async def test_gateway_reads_what_the_scenario_created(week: Scenario) -> None:
    with local_sandbox(seed=7, start=START, targets=(), secret=None) as local:
        event_ids = play(week, LocalSink(local.box))
        gateway = StripeClientGateway(API_KEY, api_base=local.url, requests_per_second=1000)
        try:
            listed = [e async for e in gateway.events_since(START - timedelta(days=1))]
            assert sorted(e["id"] for e in listed) == sorted(event_ids)
            payouts = [
                s.obj for s in week.steps if s.event_type == "payout.reconciliation_completed"
            ]
            payout = payouts[0]
            txns = [t async for t in gateway.payout_balance_transactions(payout["id"])]
            assert txns and sum(t["net"] for t in txns) == payout["amount"]
            sale = next(t for t in txns if t["type"] == "charge")
            charge = await gateway.retrieve_charge(sale["source"])
            assert charge["balance_transaction"]["id"] in {t["id"] for t in txns}
        finally:
            await gateway.aclose()
    assert len(event_ids) == week.event_count == len(set(event_ids))


def test_event_ids_repeat_for_the_same_seed() -> None:
    small = generate(ScenarioSpec(seed=11, days=1, start=START))
    assert _play_events(small) == _play_events(small)


def test_admin_api_sink_plays_into_a_running_sandbox(
    sandbox: tuple[StripeSandbox, RunningServer],
) -> None:
    box, server = sandbox
    small = generate(ScenarioSpec(seed=5, days=1, start=START))
    sink = AdminApiSink(server.url, API_KEY)
    try:
        event_ids = play(small, sink)
    finally:
        sink.close()
    assert len(event_ids) == small.event_count
    last = small.steps[-1]
    assert box.store.get(last.obj["id"]) == last.obj
    assert box.store.get(event_ids[-1], "event") is not None
    assert box.clock.timestamp() == last.at
