"""Which real backends the suite can reach. Off CI a missing service skips with a reason;
with CI=true it fails, so the PostgreSQL and Redis paths can never silently not run."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

POSTGRES_URL = os.environ.get(
    "STRIPE_P21_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("STRIPE_P21_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def require(service: str) -> None:
    """Skip (or fail on CI) when `service` ('postgres' or 'redis') is not reachable."""
    url, port = (POSTGRES_URL, 5432) if service == "postgres" else (REDIS_URL, 6379)
    if _reachable(url, port):
        return
    message = f"{service} is not reachable at {urlsplit(url).netloc}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI requires it (.ci/run starts it)")
    pytest.skip(message)
