"""The one thing the rest of the service asks of a queue: "work on event X (from time T)"."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class JobQueue(Protocol):
    """Says "work on this event now or at `defer_until`". State lives in the database, so a
    lost message is only a delay: the sweeper enqueues whatever is due or stuck."""

    async def enqueue(
        self, event_id: str, *, attempt: int = 0, defer_until: datetime | None = None
    ) -> bool:
        """Queue a `process_event` job; False when an identical job is already queued."""
        ...

    async def ping(self) -> bool:
        """True when the queue's backend is reachable."""
        ...

    async def close(self) -> None: ...


def job_id(event_id: str, attempt: int) -> str:
    """Deterministic job id: one queued job per event and attempt number."""
    return f"process_event:{event_id}:{attempt}"
