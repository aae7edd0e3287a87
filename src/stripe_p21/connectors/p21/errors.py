"""Typed failures of calls to Prophet 21, so callers can tell "try again" from "fix the data".

P21 reports failure in many shapes (HTTP 200 with ``Summary.Failed``, 500 error envelopes, empty
500s, 404s for bad queries, dropped sessions). The client folds them into this hierarchy::

    P21Error                     base of everything the client raises
    ├── P21AuthError             credentials refused, no permission, 401 despite a new token
    ├── P21TransientError        nothing happened, safe to try again later: timeouts before sending,
    │                            connection errors, 502/503/504 on reads, 503 on writes,
    │                            the session-pool "Unexpected response window"
    ├── P21RejectedError         P21 refused the request: Transaction API ``Failed``, REST 500
    │                            envelopes, 400 validation; ``message`` is P21's own text
    │   └── P21NotFound          the document or resource does not exist (REST 404)
    └── P21OutcomeUnknown        a write was sent but its answer was lost (read timeout, dropped
                                 connection, 502/504): it may or may not have been committed, so
                                 look the document up by its Stripe reference before trying again
"""

from __future__ import annotations

from collections.abc import Sequence


class P21Error(Exception):
    """Base class of every error the P21 client raises."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.method = method
        self.path = path

    def __str__(self) -> str:
        where = f" ({self.method} {self.path} → {self.status_code})" if self.method else ""
        return f"{self.message}{where}"


class P21AuthError(P21Error):
    """The credentials were refused or the API user lacks permission."""


class P21TransientError(P21Error):
    """The request did not take effect and may succeed later (outage, overload, timeout)."""


class P21RejectedError(P21Error):
    """P21 processed the request and refused it; ``messages`` holds every message P21 gave."""

    def __init__(
        self,
        message: str,
        *,
        messages: Sequence[str] = (),
        error_type: str | None = None,
        status_code: int | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, method=method, path=path)
        self.messages: tuple[str, ...] = tuple(messages) or (message,)
        self.error_type = error_type


class P21NotFound(P21RejectedError):
    """The resource asked for does not exist (P21 answers 404, ``ResourceNotFoundException``)."""


class P21OutcomeUnknown(P21Error):
    """A write was sent and no answer came back: look the document up before writing again."""


SESSION_POOL_MARKER = "Unexpected response window"
"""Text of the session-pool failure P21 gives under rapid writes (retryable, nothing committed)."""


def is_session_pool_error(message: str) -> bool:
    """True when P21's message is the session-pool hiccup rather than a business rule."""
    return SESSION_POOL_MARKER.lower() in message.lower()
