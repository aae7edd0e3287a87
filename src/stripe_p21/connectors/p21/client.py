"""``P21Client``: the async Prophet 21 client the pipeline uses through ``P21Gateway``.

It wires the HTTP layer (one AsyncClient, shared token, per-host limit, timeouts) to the customer,
order, invoice and accounting capabilities, and can be built from ``P21Settings`` or explicit
arguments.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from types import TracebackType
from typing import Any, Self
from zoneinfo import ZoneInfo

import httpx
from pydantic import SecretStr

from stripe_p21.connectors.p21.accounting import AccountingOps
from stripe_p21.connectors.p21.auth import Credentials, TokenManager
from stripe_p21.connectors.p21.customers import CustomerOps
from stripe_p21.connectors.p21.http import P21Http
from stripe_p21.connectors.p21.invoices import InvoiceOps
from stripe_p21.connectors.p21.orders import OrderOps
from stripe_p21.settings import P21Settings


class P21Client(CustomerOps, OrderOps, InvoiceOps, AccountingOps):
    """Async client for one P21 server; use as ``async with P21Client(...) as p21:``."""

    def __init__(
        self,
        base_url: str,
        *,
        username: str | None = None,
        password: str | SecretStr | None = None,
        client_secret: str | SecretStr | None = None,
        company_id: str = "ACME",
        max_concurrency: int = 4,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        read_attempts: int = 3,
        retry_backoff: float = 0.2,
        token_refresh_margin: float = 60.0,
        ui_url: str | None = None,
        server_timezone: str | tzinfo = UTC,
    ) -> None:
        credentials = Credentials(
            username=username,
            password=_secret(password),
            client_secret=_secret(client_secret),
        )
        self.company_id = company_id
        self.server_tz = (
            ZoneInfo(server_timezone) if isinstance(server_timezone, str) else server_timezone
        )
        self._http = P21Http(
            base_url,
            credentials=credentials,
            max_concurrency=max_concurrency,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            transport=transport,
            read_attempts=read_attempts,
            retry_backoff=retry_backoff,
            refresh_margin=token_refresh_margin,
            ui_url=ui_url,
        )

    @classmethod
    def from_settings(
        cls,
        settings: P21Settings,
        transport: httpx.AsyncBaseTransport | None = None,
        **overrides: Any,
    ) -> Self:
        """A client configured from ``P21_*`` settings; keyword overrides win."""
        options: dict[str, Any] = {
            "username": settings.username,
            "password": settings.password,
            "client_secret": settings.client_secret,
            "company_id": settings.company_id,
            "max_concurrency": settings.max_concurrency,
            "connect_timeout": settings.connect_timeout,
            "read_timeout": settings.read_timeout,
            "transport": transport,
        }
        options.update(overrides)
        return cls(settings.base_url, **options)

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def tokens(self) -> TokenManager:
        """The shared token holder (``tokens.requests`` counts P21 sessions opened)."""
        return self._http.tokens

    async def ui_url(self) -> str:
        """The UI server the Transaction API lives on (discovered once, then cached)."""
        return await self._http.ui_base()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _secret(value: str | SecretStr | None) -> SecretStr | None:
    if value is None or isinstance(value, SecretStr):
        return value
    return SecretStr(value)
