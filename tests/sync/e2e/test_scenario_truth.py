"""ACCEPTANCE (issue 5): a scenario delivered with duplicates and reordering leaves P21 and our
database exactly as the scenario's ground truth says — on SQLite with the inline runner and on
PostgreSQL with arq workers — also through a P21 outage and "commit, then drop the response".

`SYNC_E2E_DAYS` (default 7) sets the scenario length of the quick runs; the 30-day run is the
acceptance criterion itself (marked slow). `SYNC_E2E_OUTAGE_SECONDS` (default 5) sets the outage:
the issue asks for 2 minutes (`SYNC_E2E_OUTAGE_SECONDS=120`, the benchmark does it too)."""

from __future__ import annotations

import asyncio
import os

import pytest

from stripe_p21.sync_check import CheckResult
from tests.support.sync_stack import SyncStack, SyncStackFactory

DAYS = int(os.environ.get("SYNC_E2E_DAYS", "7"))
OUTAGE_SECONDS = float(os.environ.get("SYNC_E2E_OUTAGE_SECONDS", "5"))
CHAOS = {"duplicate_rate": 0.1, "reorder_window": 3}

pytestmark = [pytest.mark.acceptance, pytest.mark.slow]


def _assert_matches_truth(result: CheckResult) -> None:
    assert result.ok, result.summary(limit=200)


async def _no_duplicate_documents(s: SyncStack) -> None:
    state = await s.p21_state()
    po_numbers = [o["PoNo"] for o in [*state["orders"], *state["rmas"]] if o["PoNo"]]
    assert len(po_numbers) == len(set(po_numbers)), "a Stripe id names two P21 documents"
    references = [p["PaymentDesc"] for p in state["payments"] if p["PaymentDesc"]]
    assert len(references) == len(set(references)), "a Stripe charge paid twice in P21"


async def test_week_duplicated_and_reordered_matches_the_truth(
    sync_stack_factory: SyncStackFactory,
) -> None:
    async with sync_stack_factory() as s:
        await s.play(days=DAYS, seed=7, **CHAOS)
        await s.settle_all(within=600)
        await _no_duplicate_documents(s)
        _assert_matches_truth(await s.check())


async def test_thirty_days_duplicated_and_reordered_matches_the_truth(
    sync_stack_factory: SyncStackFactory,
) -> None:
    async with sync_stack_factory() as s:
        await s.play(days=30, seed=7, **CHAOS)
        await s.settle_all(within=1800)
        await _no_duplicate_documents(s)
        _assert_matches_truth(await s.check())


async def test_p21_outage_mid_scenario_loses_nothing_and_doubles_nothing(
    sync_stack_factory: SyncStackFactory,
) -> None:
    cap = str(max(2.0, OUTAGE_SECONDS / 4))
    async with sync_stack_factory(
        STRIPE_P21_RETRY_CAP_SECONDS=cap, STRIPE_P21_MAX_ATTEMPTS="25"
    ) as s:
        playing = asyncio.create_task(s.play(days=DAYS, seed=7, **CHAOS))
        await asyncio.sleep(1.0)
        await s.p21_faults(outage_seconds=OUTAGE_SECONDS)
        await playing
        await s.settle_all(within=600 + OUTAGE_SECONDS * 2)
        statuses, _ = await s.event_statuses()
        assert statuses.get("dead", 0) == 0, statuses
        await _no_duplicate_documents(s)
        _assert_matches_truth(await s.check())


async def test_commit_then_drop_the_response_doubles_nothing(
    sync_stack_factory: SyncStackFactory,
) -> None:
    async with sync_stack_factory(STRIPE_P21_MAX_ATTEMPTS="25") as s:
        await s.p21_faults(drop_rate=0.1)
        await s.play(days=DAYS, seed=7, **CHAOS)
        await s.settle_all(within=600)
        await s.p21_faults(drop_rate=0.0)
        assert s.p21_app is not None
        assert s.p21_app.injector.dropped > 0, "the fault never fired"
        await _no_duplicate_documents(s)
        _assert_matches_truth(await s.check())
