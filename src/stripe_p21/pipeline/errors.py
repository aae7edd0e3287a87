"""How handlers say what went wrong, which decides what the job runtime does next.

    Exception
     ├── TransientError   retry later with backoff (network blips, 5xx, locks)
     └── PermanentError   retrying cannot help: the event goes to `needs_review` at once

Any other exception is treated as transient: it is retried and ends `dead` after the last
attempt, so a bug never silently drops an event.
"""

from __future__ import annotations


class TransientError(Exception):
    """Temporary failure; the event is retried with exponential backoff."""


class PermanentError(Exception):
    """Retrying will not help; a person must look (status `needs_review`)."""
