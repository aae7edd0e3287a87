"""Fault injection around the sandbox app: latency, gateway errors, session-pool failures,
outage windows and "commit, then drop the response".

It wraps the whole ASGI app, so every P21 surface misbehaves the same way; ``/sandbox/*`` admin
routes are exempt so a test can always turn faults off again.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import msgspec
import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from stripe_p21.sandbox.p21.config import FaultConfig
from stripe_p21.sandbox.p21.wire import envelope

log = structlog.get_logger(__name__)
_rng = secrets.SystemRandom()
SESSION_POOL_MESSAGE = (
    "Unexpected response window. The session pool could not service the request; try again."
)
WRITE_PATHS = ("/uiserver0/api/v2/transaction", "/api/accounting/gl", "/api/entity/customers",
               "/api/sales/orders", "/api/v2/")  # fmt: skip


class ResponseDropped(ConnectionError):
    """Raised after the headers went out: the server closes the connection mid-response."""


def is_write(scope: Scope) -> bool:
    path = str(scope.get("path", ""))
    if scope.get("method") not in ("POST", "PUT") or path.endswith("/transaction/get"):
        return False
    return path.startswith(WRITE_PATHS)


class FaultInjector:
    """ASGI wrapper applying ``FaultConfig`` to every P21 request."""

    def __init__(self, app: ASGIApp, faults: FaultConfig) -> None:
        self.app = app
        self.faults = faults
        self.dropped = 0
        self.injected = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or str(scope.get("path", "")).startswith("/sandbox"):
            await self.app(scope, receive, send)
            return
        faults = self.faults
        delay = faults.latency_ms + (_rng.uniform(0, faults.jitter_ms) if faults.jitter_ms else 0)
        if delay > 0:
            await asyncio.sleep(delay / 1000)
        if faults.in_outage():
            await self._answer(send, 503, b"")
            return
        if faults.error_rate and _rng.random() < faults.error_rate:
            await self._answer(send, faults.error_status, b"")
            return
        if is_write(scope):
            if faults.session_pool_rate and _rng.random() < faults.session_pool_rate:
                body = msgspec.json.encode(envelope(SESSION_POOL_MESSAGE, "P21.SessionPool"))
                await self._answer(send, 500, body)
                return
            if self._should_drop():
                await self._commit_then_drop(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _should_drop(self) -> bool:
        if self.faults.drop_next > 0:
            self.faults.drop_next -= 1
            return True
        return bool(self.faults.drop_rate) and _rng.random() < self.faults.drop_rate

    async def _answer(self, send: Send, status: int, body: bytes) -> None:
        self.injected += 1
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _commit_then_drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Let the app do (and commit) the work, swallow its answer, then cut the connection."""

        async def swallow(message: Message) -> None:
            return None

        await self.app(scope, receive, swallow)
        self.dropped += 1
        log.info("sandbox.fault.dropped_response", path=scope.get("path"))
        headers: list[Any] = [(b"content-type", b"application/json"), (b"content-length", b"4096")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        raise ResponseDropped("sandbox fault: response dropped after commit")
