"""A token bucket that keeps our request rate to Stripe bounded (default 20/s, under test mode's
25/s), so a backlog replay or backfill does not turn into a storm of 429s."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]
_EPSILON = 1e-9
"""Rounding slack, so a bucket refilled to 0.9999999999 tokens does not wait a nanosecond more."""


class TokenBucket:
    """`rate` requests per second on average, bursts of at most `burst`; shared by all tasks.

    Any one-second window then holds at most `burst + rate` requests, so the default burst is a
    fifth of the rate: 20/s gives at most 24 in any second, under test mode's 25.
    """

    def __init__(
        self,
        rate: float = 20.0,
        burst: int | None = None,
        *,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = float(burst if burst is not None else max(1, int(rate // 5)))
        self._tokens = self.capacity
        self._monotonic = monotonic
        self._sleep = sleep
        self._updated = monotonic()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._monotonic()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now

    async def acquire(self) -> None:
        """Wait until a request may be sent, then spend one token (first come, first served)."""
        async with self._lock:
            self._refill()
            while self._tokens < 1.0 - _EPSILON:
                await self._sleep((1.0 - self._tokens) / self.rate)
                self._refill()
            self._tokens = max(0.0, self._tokens - 1.0)

    def pause(self, seconds: float) -> None:
        """Spend the whole budget for `seconds` (after a 429 says to slow down)."""
        self._refill()
        self._tokens = min(self._tokens, 0.0) - seconds * self.rate
