"""The running sandbox: its store, tokens and transaction engine, and how routes reach them.

Routes get the ``Sandbox`` from ``app.state``; the token guard lives here because every P21
surface except the token call and the admin pages needs a live bearer token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from stripe_p21.sandbox.p21.config import SandboxConfig
from stripe_p21.sandbox.p21.seed import generate
from stripe_p21.sandbox.p21.store import Store, now_text
from stripe_p21.sandbox.p21.tokens import Session, TokenRegistry
from stripe_p21.sandbox.p21.transactions import TransactionEngine
from stripe_p21.sandbox.p21.wire import P21Failure

NOT_AUTHORIZED = "You are not authorized to access API"


@dataclass
class Sandbox:
    config: SandboxConfig
    store: Store
    tokens: TokenRegistry
    engine: TransactionEngine
    started_at: str = field(default_factory=now_text)
    stats: dict[str, int] = field(default_factory=dict)

    def count(self, name: str) -> None:
        self.stats[name] = self.stats.get(name, 0) + 1


def build_sandbox(config: SandboxConfig) -> Sandbox:
    """Open (or create and seed) the store and set up tokens for ``config``."""
    store = Store(config.db_path)
    store.create_and_seed(generate(config.seed, today=config.today or datetime.now(UTC).date()))
    tokens = TokenRegistry(config.token_lifetime, single_session=config.single_session)
    return Sandbox(config, store, tokens, TransactionEngine(store, config.company_id))


def sandbox_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Sandbox:
    return cast(Sandbox, connection.app.state["sandbox"])


def base_url(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return str(connection.base_url).rstrip("/")


def bearer_session(connection: ASGIConnection[Any, Any, Any, Any]) -> Session | None:
    header = connection.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    return sandbox_of(connection).tokens.check(token) if token else None


def require_token(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a live bearer token or P21's 401."""
    if bearer_session(connection) is None:
        raise P21Failure(401, NOT_AUTHORIZED, "System.UnauthorizedAccessException")


def wants_json(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """P21 answers XML (or an empty 500) unless the client asks for JSON."""
    return "json" in connection.headers.get("accept", "").lower()
