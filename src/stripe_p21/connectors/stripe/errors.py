"""Typed errors of the Stripe gateway, so the pipeline knows whether to retry without knowing
the `stripe` library. They extend the pipeline's own Transient/PermanentError.

    Exception
     └── StripeGatewayError                  every failure the gateway raises
          ├── StripeTransientError           retry later (pipeline.errors.TransientError)
          │    └── StripeRateLimited         429 still answered after our retries
          └── StripePermanentError           retrying cannot help (pipeline.errors.PermanentError)
               ├── StripeNotFound            404 resource_missing: the object does not exist
               ├── StripeAuthError           401/403: bad or restricted key
               └── StripeInvalidRequest      other 4xx (bad params, idempotency conflict, …)

5xx, 409 (lock timeouts), connection errors and timeouts are transient.
"""

from __future__ import annotations

from stripe_p21.pipeline.errors import PermanentError, TransientError


class StripeGatewayError(Exception):
    """A Stripe call failed; `status`, `code` and `request_id` say how (never the API key)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.param = param
        self.request_id = request_id

    def __str__(self) -> str:
        details = ", ".join(
            f"{name}={value}"
            for name, value in (
                ("status", self.status),
                ("code", self.code),
                ("param", self.param),
                ("request_id", self.request_id),
            )
            if value is not None
        )
        return f"{self.message} ({details})" if details else self.message


class StripeTransientError(StripeGatewayError, TransientError):
    """Stripe could not answer now (5xx, 409, network, timeout): try again later."""


class StripeRateLimited(StripeTransientError):
    """Stripe kept answering 429 after the gateway's own retries."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, status=429, code=code, request_id=request_id)
        self.retry_after = retry_after


class StripePermanentError(StripeGatewayError, PermanentError):
    """Stripe refused the request; sending it again unchanged will not help."""


class StripeNotFound(StripePermanentError):
    """The object does not exist (404 `resource_missing`)."""


class StripeAuthError(StripePermanentError):
    """The API key is missing, wrong, or not allowed to do this (401/403)."""


class StripeInvalidRequest(StripePermanentError):
    """Any other 4xx: invalid parameters, idempotency conflict, card error."""
