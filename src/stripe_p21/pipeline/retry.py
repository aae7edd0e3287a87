"""Retry schedule: exponential backoff with full jitter, capped (AWS architecture blog style)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to try a failed event again, and when to give up."""

    max_attempts: int = 8
    base_seconds: float = 600.0
    cap_seconds: float = 21600.0

    def ceiling(self, attempt: int) -> float:
        """Largest delay after the `attempt`-th failure (1-based)."""
        return float(min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempt - 1)))

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full jitter: uniform between 0 and the ceiling."""
        draw = (rng or random).uniform
        return draw(0.0, self.ceiling(attempt))

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def next_attempt_at(self, now: datetime, attempt: int) -> datetime:
        return now + timedelta(seconds=self.delay(attempt))
