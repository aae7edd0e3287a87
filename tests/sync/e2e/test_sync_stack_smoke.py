"""The end-to-end harness itself: both sandboxes and the service come up, a short scenario is
delivered with duplicates and reordering, every event ends terminal and stored once, and the
checker runs over the result."""

from __future__ import annotations

from stripe_p21.sync_check import summarise
from tests.support.sync_stack import SyncStackFactory


async def test_a_short_scenario_plays_and_settles(sync_stack_factory: SyncStackFactory) -> None:
    async with sync_stack_factory() as s:
        scenario = await s.play(days=2, seed=11, duplicate_rate=0.2, reorder_window=3)
        statuses = await s.settle_all(within=120)
        _, stored = await s.event_statuses()
        assert len(set(s.event_ids)) == scenario.event_count
        assert set(s.event_ids) <= stored, "a played event never reached the inbox"
        assert sum(statuses.values()) == len(stored), "stored once each (write-backs add some)"
        duplicates = [a for a in s.stripe.box.dispatcher.attempts if a.duplicate]  # type: ignore[union-attr]
        assert duplicates
        state = await s.p21_state()
        assert state["company_id"] == "ACME"
        assert len(state["seeded_orders"]) == 40
        result = await s.check()
        assert result.checked["orders"] == len(scenario.truth.orders)
        summary = await summarise(p21_state=state, sessions=s.services.sessions)
        assert sum(summary.events.values()) == len(stored)
        assert "Review items" in summary.text() and summary.as_json()["orders"] == summary.orders
