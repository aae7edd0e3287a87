"""One P21 token shared by every coroutine: fetched once, renewed shortly before expiry or on 401.

Each token call opens a server session on P21, so tokens are reused and refreshes are
single-flight. Token v2 takes a JSON body (user/password or consumer key); legacy v1 takes headers
and is used when v2 is missing. Answers come as JSON or XML, with ``ExpiresIn`` or
``ExpiresInSeconds``.
"""

from __future__ import annotations

import asyncio
import time
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import structlog
from pydantic import SecretStr

from stripe_p21.connectors.p21.errors import P21AuthError, P21TransientError
from stripe_p21.connectors.p21.responses import decode_json, error_text, raise_for_status

log = structlog.get_logger(__name__)

TOKEN_V2_PATH = "/api/security/token/v2"  # noqa: S105 - a URL path, not a secret
TOKEN_V1_PATH = "/api/security/token"  # noqa: S105 - a URL path, not a secret
DEFAULT_LIFETIME_SECONDS = 3600.0


class RawSend(Protocol):
    """Sends one request without auth (the HTTP layer provides it)."""

    def __call__(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Awaitable[httpx.Response]: ...


@dataclass(frozen=True)
class Credentials:
    """Who the client is: a user/password pair, or a consumer key (optionally with a user)."""

    username: str | None = None
    password: SecretStr | None = None
    client_secret: SecretStr | None = None

    def __post_init__(self) -> None:
        if self.client_secret is None and not (self.username and self.password):
            raise ValueError("P21 needs username+password or a client_secret (consumer key)")


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and when (monotonic seconds) it stops being usable."""

    value: str = field(repr=False)
    expires_at: float
    lifetime: float


def parse_token(response: httpx.Response) -> tuple[str, float]:
    """Access token and lifetime in seconds from a JSON or XML token answer."""
    body = response.content.strip()
    if body.startswith(b"<"):
        fields = _xml_fields(body)
    else:
        decoded = decode_json(response)
        fields = {str(k).lower(): v for k, v in (decoded or {}).items()}
    token = fields.get("accesstoken")
    if not token:
        raise P21AuthError("P21 token answer has no AccessToken", status_code=response.status_code)
    raw = fields.get("expiresin") or fields.get("expiresinseconds")
    return str(token), float(raw) if raw else DEFAULT_LIFETIME_SECONDS


def _xml_fields(body: bytes) -> dict[str, str]:
    # The answer comes from the configured P21 host; expat does not resolve external entities.
    root = ET.fromstring(body)  # noqa: S314
    return {el.tag.rsplit("}", 1)[-1].lower(): (el.text or "").strip() for el in root.iter()}


class TokenManager:
    """Hands out the shared token; at most one token request is in flight at any time."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        attempts: int = 3,
        backoff: float = 0.2,
    ) -> None:
        self._credentials = credentials
        self._margin = refresh_margin
        self._clock = clock
        self._attempts = attempts
        self._backoff = backoff
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()
        self._legacy = False
        self.requests = 0
        """How many token calls were made (each one opens a P21 session)."""

    def _usable(self, token: AccessToken | None) -> bool:
        if token is None:
            return False
        margin = min(self._margin, token.lifetime / 10)
        return self._clock() < token.expires_at - margin

    async def current(self, send: RawSend) -> str:
        """A usable token, fetching one if none is held or the held one is about to expire."""
        token = self._token
        if token is not None and self._usable(token):
            return token.value
        async with self._lock:
            if self._token is None or not self._usable(self._token):
                self._token = await self._fetch(send)
            return self._token.value

    async def renew(self, rejected: str, send: RawSend) -> str:
        """After a 401 with ``rejected``: a new token, unless another coroutine already got one."""
        async with self._lock:
            if self._token is None or self._token.value == rejected:
                self._token = await self._fetch(send)
            return self._token.value

    def forget(self) -> None:
        """Drop the held token (the next call authenticates again)."""
        self._token = None

    async def _fetch(self, send: RawSend) -> AccessToken:
        for attempt in range(self._attempts - 1):
            try:
                return await self._fetch_once(send)
            except P21TransientError as exc:
                log.warning("p21.token.retry", attempt=attempt + 1, error=exc.message)
                await asyncio.sleep(self._backoff * 2**attempt)
        return await self._fetch_once(send)

    async def _fetch_once(self, send: RawSend) -> AccessToken:
        self.requests += 1
        response = await (self._legacy_call(send) if self._legacy else self._v2_call(send))
        if response.status_code in (404, 405) and not self._legacy and self._can_use_legacy():
            log.info("p21.token.legacy_fallback", status=response.status_code)
            self._legacy = True
            response = await self._legacy_call(send)
        if response.status_code in (400, 401, 403):
            message, _ = error_text(response)
            refused = message or "P21 refused the credentials"
            raise P21AuthError(refused, status_code=response.status_code)
        raise_for_status(response, write=False)
        value, lifetime = parse_token(response)
        return AccessToken(value=value, expires_at=self._clock() + lifetime, lifetime=lifetime)

    def _can_use_legacy(self) -> bool:
        return bool(self._credentials.username and self._credentials.password)

    def _v2_call(self, send: RawSend) -> Awaitable[httpx.Response]:
        creds = self._credentials
        body: dict[str, str]
        if creds.client_secret is not None:
            body = {"ClientSecret": creds.client_secret.get_secret_value()}
            body["GrantType"] = "client_credentials"
            if creds.username:
                body["username"] = creds.username
        else:
            body = {"username": creds.username or "", "password": _reveal(creds.password)}
        return send("POST", TOKEN_V2_PATH, json=body)

    def _legacy_call(self, send: RawSend) -> Awaitable[httpx.Response]:
        creds = self._credentials
        headers = {"username": creds.username or "", "password": _reveal(creds.password)}
        return send("POST", TOKEN_V1_PATH, headers=headers)


def _reveal(secret: SecretStr | None) -> str:
    return "" if secret is None else secret.get_secret_value()
