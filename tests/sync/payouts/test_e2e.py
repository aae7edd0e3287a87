"""The whole system on a seven-day scenario (deliveries duplicated and reordered): every paid
payout has one balanced GL entry and a reconciliation run as the truth says, and the
reconciliation queue holds exactly the truth's items. A break the truth does not expect is
accepted only when another flow left that charge or refund without its P21 document — then the
break is real, and the difference belongs to that flow."""

from __future__ import annotations

import pytest

from stripe_p21.sync_check.result import Difference
from tests.support.sync_stack import (
    SyncStackFactory,
    sync_stack_factory,  # noqa: F401  (fixture)
)

DOCUMENT_AREAS = ("orders", "payments", "credit_memos")


def _about_payouts(d: Difference, payout_ids: set[str]) -> bool:
    if d.area == "gl_entries":
        return d.subject in payout_ids
    return d.area == "review_items" and "reconciliation/" in str(d.expected or d.actual)


def _payout_differences(differences: list[Difference], payout_ids: set[str]) -> list[Difference]:
    undocumented = {
        d.subject for d in differences if d.area in DOCUMENT_AREAS and d.kind == "missing"
    }
    mine = []
    for d in differences:
        if d.area == "reconciliation":
            subject = str(d.actual or "").split(" ")[1:2]
            if d.kind == "extra_break" and subject and subject[0] in undocumented:
                continue
            mine.append(d)
        elif _about_payouts(d, payout_ids):
            mine.append(d)
    return mine


@pytest.mark.slow
async def test_payouts_of_a_week_end_to_end(sync_stack_factory: SyncStackFactory) -> None:  # noqa: F811
    async with sync_stack_factory() as s:
        scenario = await s.play(days=7, seed=7, duplicate_rate=0.1, reorder_window=3)
        await s.settle_all(within=600)
        result = await s.check()
    payout_ids = {doc["stripe_payout_id"] for doc in scenario.truth.gl_entries}
    assert _payout_differences(result.differences, payout_ids) == [], result.summary()
    assert result.checked["gl_entries"] == len(payout_ids) == 8
    assert result.checked["reconciliation"] == 8
