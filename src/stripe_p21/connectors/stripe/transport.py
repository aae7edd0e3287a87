"""The HTTP client under `stripe.StripeClient`: one `httpx.AsyncClient` with explicit timeouts
and an injectable transport (tests use `httpx.MockTransport`).

stripe-python's own HTTPXClient passes the form body as `data=<str>`, which httpx 0.28 deprecates
(a warning per POST, an error under `-W error`); this client sends it as `content=`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping

import httpx
import stripe

_NETWORK_ERROR = "Could not reach the Stripe API ({kind}); the request may be retried."


class AsyncStripeHttpClient(stripe.HTTPClient):
    """Async-only `stripe.HTTPClient` on httpx (the gateway makes no synchronous calls)."""

    name = "httpx"

    def __init__(
        self,
        *,
        timeout: float | httpx.Timeout = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__()
        timeouts = (
            timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout, connect=5.0)
        )
        self._client = httpx.AsyncClient(timeout=timeouts, transport=transport)

    async def request_async(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        post_data: str | bytes | None = None,
    ) -> tuple[bytes, int, Mapping[str, str]]:
        try:
            response = await self._client.request(
                method, url, headers=dict(headers), content=post_data or None
            )
        except httpx.HTTPError as exc:
            message = _NETWORK_ERROR.format(kind=type(exc).__name__)
            raise stripe.APIConnectionError(message, should_retry=True) from exc  # type: ignore[no-untyped-call]
        return response.content, response.status_code, response.headers

    async def close_async(self) -> None:
        await self._client.aclose()

    def sleep_async(self, secs: float) -> Awaitable[None]:
        return asyncio.sleep(secs)
