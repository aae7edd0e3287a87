"""Stripe-Signature verification with the official library, plus what it leaves out: several
secrets during rotation, a clear reason per failure, and refusal of future timestamps."""

from __future__ import annotations

import enum
import time
from collections.abc import Sequence

import stripe


class SignatureProblem(enum.StrEnum):
    MISSING_HEADER = "missing_signature_header"
    MALFORMED_HEADER = "malformed_signature_header"
    NO_SECRET = "webhook_secret_not_configured"  # noqa: S105 - a reason, not a secret
    STALE = "timestamp_too_old"
    FUTURE = "timestamp_in_future"
    MISMATCH = "signature_mismatch"


class SignatureError(Exception):
    """Why a delivery's signature was refused; the message is safe to send back."""

    def __init__(self, problem: SignatureProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


def _timestamp(header: str) -> int:
    timestamp: int | None = None
    has_v1 = False
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            continue
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            has_v1 = True
    if timestamp is None or not has_v1:
        raise SignatureError(
            SignatureProblem.MALFORMED_HEADER,
            "Stripe-Signature must look like 't=<unix time>,v1=<hex signature>'",
        )
    return timestamp


def verify_signature(
    body: bytes,
    header: str | None,
    secrets: Sequence[str],
    *,
    tolerance: int = 300,
    now: float | None = None,
) -> None:
    """Raise `SignatureError` unless one of `secrets` signed `body` within `tolerance` seconds."""
    if not header:
        raise SignatureError(SignatureProblem.MISSING_HEADER, "Stripe-Signature header is missing")
    timestamp = _timestamp(header)
    if not secrets:
        raise SignatureError(
            SignatureProblem.NO_SECRET, "no webhook signing secret is configured on this server"
        )
    age = (time.time() if now is None else now) - timestamp
    if age > tolerance:
        raise SignatureError(SignatureProblem.STALE, f"timestamp is more than {tolerance}s old")
    if -age > tolerance:
        raise SignatureError(
            SignatureProblem.FUTURE, f"timestamp is more than {tolerance}s in the future"
        )
    for secret in secrets:
        try:
            # tolerance=0 disables the library's own (one-sided) age check: done above.
            stripe.WebhookSignature.verify_header(body, header, secret, tolerance=0)
        except stripe.SignatureVerificationError:
            continue
        return
    raise SignatureError(
        SignatureProblem.MISMATCH, "no signature matches any configured endpoint secret"
    )


def sign(body: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """A valid Stripe-Signature header for `body` (demo, tests and benchmarks)."""
    return str(
        stripe.WebhookSignature.generate_signature_header(
            body.decode("utf-8"), secret, timestamp=timestamp
        )
    )
