"""A week of the scenario, delivered with duplicates and reordering to the whole system: every
credit memo, the Radar and dispute review items and the order states the truth names (held
while a review or dispute is open, cancelled when refunded as fraud or a dispute is lost)."""

from __future__ import annotations

import pytest

from tests.support.sync_stack import SyncStackFactory

MINE = frozenset({"fraud", "disputes"})


@pytest.mark.slow
async def test_week_of_refunds_radar_and_disputes_matches_the_truth(
    sync_stack_factory: SyncStackFactory,
) -> None:
    async with sync_stack_factory() as s:
        scenario = await s.play(days=7, seed=7, duplicate_rate=0.1, reorder_window=3)
        await s.settle_all(within=240)
        result = await s.check()
    diffs = result.differences
    assert [d.line() for d in diffs if d.area == "credit_memos"] == []
    assert result.checked["credit_memos"] == len(scenario.truth.credit_memos) > 0
    queues = [d for d in diffs if d.area == "review_items"]
    assert [d.line() for d in queues if str(d.expected or d.actual).split("/")[0] in MINE] == []
    assert [d.line() for d in diffs if d.area == "orders" and d.kind == "status"] == []
    lost = [s for s in scenario.steps if s.event_type == "charge.dispute.closed"]
    assert any(step.obj.get("status") == "lost" for step in lost)  # the case is exercised
    assert not [d for d in diffs if d.area == "gl_entries" and "dispute" in d.kind]
