"""`StripeClientGateway`: the `StripeGateway` built on `stripe.StripeClient` (async, httpx),
pinned to one API version, rate-bounded, honouring 429 `Retry-After`, raising typed errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any, Protocol, TypeVar

import httpx
import stripe
import structlog

from stripe_p21.connectors.stripe.gateway import (
    DEFAULT_EXPAND,
    STRIPE_API_VERSION,
    MetadataKind,
    StripeDict,
    StripeGateway,
)
from stripe_p21.connectors.stripe.ratelimit import Sleep, TokenBucket
from stripe_p21.connectors.stripe.translate import retry_after_seconds, translate
from stripe_p21.connectors.stripe.transport import AsyncStripeHttpClient
from stripe_p21.settings import StripeSettings

T = TypeVar("T")
_log = structlog.get_logger(__name__)


class _Listable(Protocol):
    async def list_async(self, params: Any = None, options: Any = None) -> Any: ...


class StripeClientGateway:
    """Talks to Stripe (or any Stripe-compatible API at `api_base`) for the pipeline.

    `requests_per_second` bounds our rate; a 429 is retried `max_rate_limit_retries` times after
    its `Retry-After` (or 0.5 s, 1 s, 2 s … without one) unless that asks for more than
    `max_retry_after` seconds, when `StripeRateLimited` lets the job runtime reschedule instead.
    5xx, 409 and network errors get the library's own `max_network_retries` (same idempotency
    key). `sleep` is what waits out a 429 (tests pass a recorder); `transport` reaches httpx.
    """

    def __init__(
        self,
        api_key: str,
        *,
        api_base: str = "https://api.stripe.com",
        requests_per_second: float = 20.0,
        max_rate_limit_retries: int = 3,
        max_retry_after: float = 30.0,
        max_network_retries: int = 2,
        timeout: float = 30.0,
        sleep: Sleep = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = AsyncStripeHttpClient(timeout=timeout, transport=transport)
        self._client = stripe.StripeClient(
            api_key,
            stripe_version=STRIPE_API_VERSION,
            base_addresses={"api": api_base.rstrip("/")},
            max_network_retries=max_network_retries,
            http_client=self._http,
        )
        self._bucket = TokenBucket(requests_per_second)
        self._sleep = sleep
        self._max_429_retries = max_rate_limit_retries
        self._max_retry_after = max_retry_after
        self.api_base = api_base

    @classmethod
    def from_settings(cls, settings: StripeSettings, **options: Any) -> StripeClientGateway:
        """The gateway for `STRIPE_API_KEY` / `STRIPE_API_BASE`; `options` go to the constructor."""
        if settings.stripe_api_key is None:
            raise ValueError("STRIPE_API_KEY is not set")
        key = settings.stripe_api_key.get_secret_value()
        options.setdefault("requests_per_second", settings.stripe_requests_per_second)
        return cls(key, api_base=settings.stripe_api_base, **options)

    async def aclose(self) -> None:
        await self._http.close_async()

    async def _call(self, operation: str, request: Callable[[], Awaitable[T]]) -> T:
        """One API request within the rate budget, waiting out 429s a bounded number of times."""
        attempt = 0
        while True:
            await self._bucket.acquire()
            try:
                return await request()
            except stripe.RateLimitError as exc:
                attempt += 1
                wait = self._rate_limit_wait(exc, attempt)
                if wait is None:
                    raise translate(exc) from exc
                _log.warning("stripe.rate_limited", operation=operation, attempt=attempt, wait=wait)
                await self._sleep(wait)
            except stripe.StripeError as exc:
                error = translate(exc)
                _log.info(
                    "stripe.error",
                    operation=operation,
                    error=type(error).__name__,
                    status=error.status,
                    code=error.code,
                    request_id=error.request_id,
                )
                raise error from exc

    def _rate_limit_wait(self, exc: stripe.RateLimitError, attempt: int) -> float | None:
        """Seconds to wait before retrying a 429, or None to give up (raise StripeRateLimited)."""
        if attempt > self._max_429_retries:
            return None
        retry_after = retry_after_seconds(exc)
        if retry_after is None:
            return min(self._max_retry_after, 0.5 * 2.0 ** (attempt - 1))
        if retry_after > self._max_retry_after:
            return None
        return retry_after

    def _service(self, kind: str) -> Any:
        v1 = self._client.v1
        services: dict[str, Any] = {
            "charge": v1.charges, "customer": v1.customers, "dispute": v1.disputes,
            "early_fraud_warning": v1.radar.early_fraud_warnings, "invoice": v1.invoices,
            "payment_intent": v1.payment_intents, "payout": v1.payouts, "refund": v1.refunds,
            "review": v1.reviews, "subscription": v1.subscriptions,
        }  # fmt: skip
        return services[kind]

    async def _retrieve(
        self, kind: str, object_id: str, expand: Sequence[str] | None
    ) -> StripeDict:
        service = self._service(kind)
        wanted = list(DEFAULT_EXPAND.get(kind, ()) if expand is None else expand)
        params = {"expand": wanted} if wanted else None
        obj = await self._call(
            f"retrieve_{kind}", lambda: service.retrieve_async(object_id, params=params)
        )
        return _plain(obj)

    async def retrieve_charge(
        self, charge_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        return await self._retrieve("charge", charge_id, expand)

    async def retrieve_payment_intent(
        self, payment_intent_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        return await self._retrieve("payment_intent", payment_intent_id, expand)

    async def retrieve_refund(
        self, refund_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        return await self._retrieve("refund", refund_id, expand)

    async def retrieve_customer(
        self, customer_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        return await self._retrieve("customer", customer_id, expand)

    async def retrieve_invoice(
        self, invoice_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        return await self._retrieve("invoice", invoice_id, expand)

    async def retrieve_subscription(
        self, subscription_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        return await self._retrieve("subscription", subscription_id, expand)

    async def retrieve_payout(
        self, payout_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        return await self._retrieve("payout", payout_id, expand)

    async def retrieve_dispute(
        self, dispute_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        return await self._retrieve("dispute", dispute_id, expand)

    async def retrieve_review(
        self, review_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        return await self._retrieve("review", review_id, expand)

    async def retrieve_early_fraud_warning(
        self, warning_id: str, *, expand: Sequence[str] | None = None
    ) -> StripeDict:
        return await self._retrieve("early_fraud_warning", warning_id, expand)

    async def update_metadata(
        self,
        kind: MetadataKind,
        object_id: str,
        metadata: Mapping[str, str | None],
        *,
        idempotency_key: str | None = None,
    ) -> StripeDict:
        service = self._service(kind)
        params = {"metadata": {key: value or "" for key, value in metadata.items()}}
        options = {"idempotency_key": idempotency_key} if idempotency_key else None
        obj = await self._call(
            f"update_{kind}",
            lambda: service.update_async(object_id, params=params, options=options),
        )
        return _plain(obj)

    async def _paginate(
        self, operation: str, service: _Listable, params: dict[str, Any]
    ) -> AsyncIterator[StripeDict]:
        """Every object of a list, page after page (100 per page). Pages are fetched here rather
        than with `auto_paging_iter()` so each one goes through the rate budget and 429 handling."""
        cursor: str | None = None
        while True:
            page_params = {**params, "limit": 100, **({"starting_after": cursor} if cursor else {})}
            page = await self._call(operation, partial(service.list_async, params=page_params))
            items = [_plain(item) for item in page.data]
            for item in items:
                yield item
            if not page.has_more or not items:
                return
            cursor = str(items[-1]["id"])

    def payout_balance_transactions(self, payout_id: str) -> AsyncIterator[StripeDict]:
        params = {"payout": payout_id}
        return self._paginate(
            "list_payout_transactions", self._client.v1.balance_transactions, params
        )

    def events_since(
        self, created_after: datetime, *, types: Sequence[str] | None = None
    ) -> AsyncIterator[StripeDict]:
        if created_after.tzinfo is None:
            raise ValueError("created_after must be timezone-aware")
        params: dict[str, Any] = {"created": {"gt": int(created_after.timestamp())}}
        if types:
            params["types"] = list(types)
        return self._paginate("list_events", self._client.v1.events, params)


def _plain(obj: Any) -> StripeDict:
    """A library object as plain JSON-compatible dicts (a StripeObject or already a dict)."""
    if isinstance(obj, stripe.StripeObject):
        return obj.to_dict(for_json=True)
    return dict(obj)


def _conforms(gateway: StripeClientGateway) -> StripeGateway:
    """Lets mypy prove the implementation satisfies the protocol."""
    return gateway
