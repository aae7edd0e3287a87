"""Builds the P21 sandbox: a Litestar app over its own SQLite store, wrapped in fault injection.

Wiring only; every surface lives in a ``routes_*`` module. ``create_app`` returns the ASGI app
to serve and the ``Sandbox`` behind it, so tests can reach the store and the fault settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.exceptions import HTTPException
from litestar.types import Receive, Scope, Send

from stripe_p21.sandbox.p21 import (
    routes_admin,
    routes_alias,
    routes_entity,
    routes_odata,
    routes_sales,
    routes_security,
)
from stripe_p21.sandbox.p21.config import SandboxConfig
from stripe_p21.sandbox.p21.faults import FaultInjector
from stripe_p21.sandbox.p21.runtime import Sandbox, build_sandbox
from stripe_p21.sandbox.p21.wire import P21Failure, render_failure


@dataclass
class SandboxApp:
    """The ASGI app to serve (fault injection around Litestar) and its state."""

    sandbox: Sandbox
    litestar: Litestar
    injector: FaultInjector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.injector(scope, receive, send)

    def close(self) -> None:
        self.sandbox.store.close()


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    config = config or SandboxConfig()
    config.faults.validate()
    sandbox = build_sandbox(config)
    handlers: list[Any] = [
        *routes_security.ROUTES,
        *routes_entity.ROUTES,
        *routes_sales.ROUTES,
        *routes_odata.ROUTES,
        *routes_alias.ROUTES,
        *routes_admin.ROUTES,
    ]
    litestar = Litestar(
        route_handlers=handlers,
        exception_handlers={P21Failure: render_failure, HTTPException: render_failure},
        openapi_config=None,
        logging_config=None,
        debug=False,
    )
    litestar.state["sandbox"] = sandbox
    injector = FaultInjector(litestar, config.faults)
    litestar.state["injector"] = injector
    return SandboxApp(sandbox, litestar, injector)
