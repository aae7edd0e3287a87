"""Turns the `stripe` library's exceptions into the gateway's typed errors, and reads
`Retry-After`; the only place that knows the library's error classes."""

from __future__ import annotations

import stripe

from stripe_p21.connectors.stripe.errors import (
    StripeAuthError,
    StripeGatewayError,
    StripeInvalidRequest,
    StripeNotFound,
    StripeRateLimited,
    StripeTransientError,
)


def retry_after_seconds(exc: stripe.StripeError) -> float | None:
    """The `Retry-After` header of a response, in seconds (None when absent or malformed)."""
    headers = exc.headers or {}
    raw = headers.get("Retry-After") or headers.get("retry-after")
    if raw is None:
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


def translate(exc: stripe.StripeError) -> StripeGatewayError:
    """The typed gateway error for a library exception (message without any secret)."""
    message = exc.user_message or type(exc).__name__
    status, code, request_id = exc.http_status, exc.code, exc.request_id
    param = getattr(exc, "param", None)
    if isinstance(exc, stripe.RateLimitError):
        return StripeRateLimited(
            message, retry_after=retry_after_seconds(exc), code=code, request_id=request_id
        )
    kind = _permanent_kind(exc, status, code)
    if isinstance(exc, stripe.APIConnectionError) or status in (None, 409) or status >= 500:
        kind = StripeTransientError
    return kind(message, status=status, code=code, param=param, request_id=request_id)


def _permanent_kind(
    exc: stripe.StripeError, status: int | None, code: str | None
) -> type[StripeGatewayError]:
    if status == 404 or code == "resource_missing":
        return StripeNotFound
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return StripeAuthError
    return StripeInvalidRequest
