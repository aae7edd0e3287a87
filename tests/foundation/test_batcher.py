"""Group commit: one flush per burst, duplicates inside a burst answered as duplicates, a failed
flush fails every waiter (the webhook then answers 503 and Stripe retries)."""

from __future__ import annotations

import asyncio

import pytest

from stripe_p21.ingest.batcher import InsertBatcher


async def test_concurrent_rows_share_one_flush_and_duplicates_lose() -> None:
    flushes: list[list[tuple[str, ...]]] = []
    stored: set[str] = {"evt_old"}

    async def flush(rows: list[tuple[str, ...]]) -> set[str]:
        flushes.append(rows)
        new = {row[0] for row in rows} - stored
        stored.update(new)
        return new

    batcher = InsertBatcher(flush, max_rows=64, max_wait=0.01)
    ids = ["evt_a", "evt_b", "evt_a", "evt_old", "evt_c"]
    results = await asyncio.gather(*(batcher.insert((event_id, "x")) for event_id in ids))
    assert results == [True, True, False, False, True]
    assert len(flushes) == 1 and len(flushes[0]) == 5


async def test_full_batch_flushes_without_waiting() -> None:
    sizes: list[int] = []

    async def flush(rows: list[tuple[str, ...]]) -> set[str]:
        sizes.append(len(rows))
        return {row[0] for row in rows}

    batcher = InsertBatcher(flush, max_rows=3, max_wait=10)
    results = await asyncio.wait_for(
        asyncio.gather(*(batcher.insert((f"evt_{n}",)) for n in range(3))), timeout=1
    )
    assert results == [True, True, True] and sizes == [3]


async def test_failed_flush_fails_every_waiter() -> None:
    async def flush(rows: list[tuple[str, ...]]) -> set[str]:
        raise ConnectionRefusedError("database down")

    batcher = InsertBatcher(flush, max_wait=0.001)
    outcomes = await asyncio.gather(
        batcher.insert(("evt_1",)), batcher.insert(("evt_2",)), return_exceptions=True
    )
    assert all(isinstance(outcome, ConnectionRefusedError) for outcome in outcomes)
    with pytest.raises(ConnectionRefusedError):
        await batcher.insert(("evt_3",))
