"""A clock the sandbox reads instead of the wall, so scenarios can set `created` times.

By default it follows the wall clock; `freeze()`/`set()` pin it and `advance()` moves it either way.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """Simulated UTC time: the wall clock plus an offset, or a frozen instant."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._frozen: datetime | None = None
        if start is not None:
            self.set(start)

    def now(self) -> datetime:
        """Current simulated time (timezone-aware UTC)."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return datetime.now(UTC) + self._offset

    def timestamp(self) -> int:
        """Current simulated time as a Unix timestamp, as Stripe puts in `created`."""
        return int(self.now().timestamp())

    def set(self, when: datetime) -> None:
        """Pin the clock at `when` (must be timezone-aware)."""
        if when.tzinfo is None:
            raise ValueError("Clock.set needs a timezone-aware datetime")
        with self._lock:
            self._frozen = when.astimezone(UTC)

    def freeze(self) -> None:
        """Stop the clock at its current reading."""
        self.set(self.now())

    def advance(self, delta: timedelta | float) -> datetime:
        """Move the clock by `delta` (seconds or timedelta) and return the new reading."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        with self._lock:
            if self._frozen is not None:
                self._frozen += step
            else:
                self._offset += step
        return self.now()
