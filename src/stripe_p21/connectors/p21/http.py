"""The HTTP layer under the P21 client: one AsyncClient, per-host limits, auth, logging, retries.

Every call goes through here so that timeouts, the per-host concurrency bound, the 401 → new token
→ once more rule, read-only retries and the request log are applied the same way everywhere.
Writes are never retried blindly; a write whose answer is lost raises ``P21OutcomeUnknown``.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
import msgspec
import structlog

from stripe_p21.connectors.p21.auth import Credentials, TokenManager
from stripe_p21.connectors.p21.errors import (
    P21Error,
    P21NotFound,
    P21OutcomeUnknown,
    P21TransientError,
)
from stripe_p21.connectors.p21.responses import decode_json, raise_for_status

log = structlog.get_logger(__name__)

ROUTER_PATH = "/api/ui/router/v1/"
_encoder = msgspec.json.Encoder(decimal_format="number")
_jitter = secrets.SystemRandom()


class P21Http:
    """Authenticated, bounded, logged requests to one P21 host and its UI server."""

    def __init__(
        self,
        base_url: str,
        *,
        credentials: Credentials,
        max_concurrency: int = 4,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        read_attempts: int = 3,
        retry_backoff: float = 0.2,
        refresh_margin: float = 60.0,
        ui_url: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )
        self._max_concurrency = max_concurrency
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._read_attempts = max(1, read_attempts)
        self._backoff = retry_backoff
        self.tokens = TokenManager(
            credentials, refresh_margin=refresh_margin, backoff=retry_backoff
        )
        self._ui_url = ui_url.rstrip("/") if ui_url else None
        self._ui_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._client.aclose()

    def _semaphore_for(self, url: str) -> asyncio.Semaphore:
        host = httpx.URL(url).netloc.decode() or httpx.URL(self.base_url).netloc.decode()
        if host not in self._semaphores:
            self._semaphores[host] = asyncio.Semaphore(self._max_concurrency)
        return self._semaphores[host]

    async def send(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        write: bool = False,
    ) -> httpx.Response:
        """One request, no auth and no status check; transport failures become typed errors."""
        path = httpx.URL(url).path
        content = None if json is None else _encoder.encode(json)
        if content is not None:
            headers = {**(headers or {}), "Content-Type": "application/json"}
        started = time.perf_counter()
        status: int | None = None
        try:
            async with self._semaphore_for(url):
                response = await self._client.request(
                    method, url, content=content, params=params, headers=headers
                )
            status = response.status_code
            return response
        except httpx.TransportError as exc:
            raise _transport_error(exc, write=write, method=method, path=path) from exc
        finally:
            elapsed = round((time.perf_counter() - started) * 1000, 1)
            log.info("p21.request", method=method, path=path, status=status, duration_ms=elapsed)

    def _raw(
        self, method: str, url: str, *, json: Any = None, headers: Mapping[str, str] | None = None
    ) -> Awaitable[httpx.Response]:
        return self.send(method, url, json=json, headers=headers)

    async def request(
        self,
        method: str,
        path: str,
        *,
        write: bool = False,
        ui: bool = False,
        json: Any = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """An authenticated call; reads are retried on transient failures, writes never are."""

        async def call() -> httpx.Response:
            url = (await self.ui_base()) + path if ui else path
            return await self._authorized(method, url, json=json, params=params, write=write)

        return await (call() if write else self._retrying(call))

    async def request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        return decode_json(await self.request(method, path, **kwargs))

    async def _authorized(
        self, method: str, url: str, *, json: Any, params: Mapping[str, str] | None, write: bool
    ) -> httpx.Response:
        token = await self.tokens.current(self._raw)
        headers = {"Authorization": f"Bearer {token}"}
        response = await self.send(
            method, url, json=json, params=params, headers=headers, write=write
        )
        if response.status_code == 401:
            # A 401 is refused before any work is done, so sending a write again is not blind.
            token = await self.tokens.renew(token, self._raw)
            headers = {"Authorization": f"Bearer {token}"}
            response = await self.send(
                method, url, json=json, params=params, headers=headers, write=write
            )
        raise_for_status(response, write=write)
        return response

    async def _retrying(self, call: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        for attempt in range(self._read_attempts - 1):
            try:
                return await call()
            except P21TransientError as exc:
                delay = self._backoff * 2**attempt * _jitter.uniform(0.5, 1.5)
                log.warning("p21.read.retry", attempt=attempt + 1, error=exc.message, delay=delay)
                await asyncio.sleep(delay)
        return await call()

    async def ui_base(self) -> str:
        """The UI server's URL (Transaction API host), discovered once through the router."""
        if self._ui_url is not None:
            return self._ui_url
        async with self._ui_lock:
            if self._ui_url is None:
                self._ui_url = await self._discover_ui()
            return self._ui_url

    async def _discover_ui(self) -> str:
        try:
            found = decode_json(
                await self._retrying(
                    lambda: self._authorized(
                        "GET", ROUTER_PATH, json=None, params={"urlType": "external"}, write=False
                    )
                )
            )
        except P21NotFound:
            log.warning("p21.router.missing", fallback="/uiserver0")
            return self.base_url + "/uiserver0"
        url = str((found or {}).get("Url") or "").rstrip("/")
        return url or self.base_url + "/uiserver0"


def _transport_error(exc: httpx.TransportError, *, write: bool, method: str, path: str) -> P21Error:
    """Nothing sent → transient. Sent but unanswered → transient for reads, unknown for writes."""
    where: dict[str, Any] = {"method": method, "path": path}
    unsent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if write and not unsent:
        return P21OutcomeUnknown(f"P21 write outcome unknown ({text})", **where)
    return P21TransientError(f"P21 unreachable ({text})", **where)
