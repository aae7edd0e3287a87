"""How handlers say what went wrong, which decides what the job runtime does next.

    Exception
     ├── TransientError   retry later with backoff (network blips, 5xx, locks)
     └── PermanentError   retrying cannot help: the event goes to `needs_review` at once

Any other exception is treated as transient: it is retried and ends `dead` after the last
attempt, so a bug never silently drops an event.
"""

from __future__ import annotations

from typing import Any


class TransientError(Exception):
    """Temporary failure; the event is retried with exponential backoff."""


class PermanentError(Exception):
    """Retrying will not help; a person must look (status `needs_review`)."""


class NeedsReview(PermanentError):
    """A business exception a person must settle: raises a review item in `queue`.

    `evidence` (Stripe object, P21 message, commands attempted, suggestions) is stored on the
    item; the event ends `needs_review`."""

    def __init__(
        self,
        message: str,
        *,
        queue: str = "sync",
        reason: str = "permanent_failure",
        stripe_object_id: str | None = None,
        priority: int = 3,
        evidence: dict[str, Any] | None = None,
        links: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.queue = queue
        self.reason = reason
        self.stripe_object_id = stripe_object_id
        self.priority = priority
        self.evidence = evidence or {}
        self.links = links or {}
