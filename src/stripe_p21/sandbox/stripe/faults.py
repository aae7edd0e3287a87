"""Injected failures and an optional request-rate limit, so clients can be tested against the
429s, 5xx and `Retry-After` headers real Stripe sends under load or during incidents."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from stripe_p21.sandbox.stripe.wire import ApiError


@dataclass(slots=True)
class Fault:
    """Answer the next `times` matching requests with `status` instead of serving them."""

    status: int = 429
    times: int = 1
    retry_after: float | None = None
    path_prefix: str = "/v1/"
    method: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return path.startswith(self.path_prefix) and self.method in (None, method)

    def error(self) -> ApiError:
        if self.status == 429:
            message = "Too many requests hit the API too quickly."
            return ApiError(429, message, code="rate_limit", type="invalid_request_error")
        message = "An unknown error occurred (injected by the Stripe sandbox)."
        return ApiError(self.status, message, type="api_error")


class FaultInjector:
    """Queued faults consumed in order, plus a per-second request budget."""

    def __init__(self, requests_per_second: float | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._limit = requests_per_second
        self._recent: deque[float] = deque()

    def inject(self, fault: Fault) -> None:
        """Queue a fault; it fires on the next `fault.times` matching requests."""
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault to answer this request with, if any (injected first, then the rate limit)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
            return self._over_limit(time.monotonic())

    def _over_limit(self, now: float) -> Fault | None:
        if self._limit is None:
            return None
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self._limit:
            return Fault(status=429, retry_after=1.0)
        self._recent.append(now)
        return None
