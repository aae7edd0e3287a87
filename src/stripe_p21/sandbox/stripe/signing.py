"""Webhook signatures exactly as Stripe makes them, and the delivery policy (retries and chaos).

`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "{t}.{body}" keyed by the whole whsec_ secret>`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass


def signature_header(payload: bytes, secret: str, timestamp: int) -> str:
    """The `Stripe-Signature` header value for `payload` signed at `timestamp`."""
    signed = str(timestamp).encode() + b"." + payload
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def new_webhook_secret() -> str:
    """A fresh endpoint signing secret in Stripe's `whsec_…` form."""
    return "whsec_" + secrets.token_urlsafe(24)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How webhooks are delivered: Stripe-like retries, plus chaos to test a receiver."""

    max_attempts: int = 4
    """Attempts per event and endpoint, the first included (test mode: first try + 3 retries)."""
    retry_base_seconds: float = 1.0
    """Wait before the first retry; doubles per attempt (Stripe waits hours, a sandbox seconds)."""
    retry_cap_seconds: float = 60.0
    """Longest wait between two attempts."""
    timeout_seconds: float = 10.0
    """Time allowed for the endpoint to answer; longer counts as a failure."""
    duplicate_rate: float = 0.0
    """Probability (0 to 1) that an event is delivered a second time, byte for byte."""
    reorder_window: int = 1
    """Events are shuffled within consecutive groups of this many (1 keeps Stripe's order)."""
    reorder_linger_seconds: float = 0.2
    """How long an incomplete reorder group waits for more events before it is sent."""
    max_delay_seconds: float = 0.0
    """Each delivery waits a random 0…this many seconds first (delays also reorder)."""
    seed: int | None = None
    """Seed for the chaos decisions, so a run can be repeated."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.duplicate_rate <= 1.0:
            raise ValueError("duplicate_rate must be between 0 and 1")
        if self.reorder_window < 1 or self.max_attempts < 1:
            raise ValueError("reorder_window and max_attempts must be at least 1")
        if self.max_delay_seconds < 0 or self.retry_base_seconds < 0:
            raise ValueError("delays must not be negative")

    def retry_delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return float(min(self.retry_cap_seconds, self.retry_base_seconds * 2 ** (attempt - 1)))
