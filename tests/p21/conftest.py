"""Fixtures for the P21 client and sandbox tests: in-process (ASGI) and real loopback sandboxes."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from stripe_p21.connectors.p21 import P21Client
from stripe_p21.sandbox.p21.app import SandboxApp, create_app
from stripe_p21.sandbox.p21.config import SandboxConfig

USERNAME = "api_user"
PASSWORD = "p21-sandbox"


class LiveSandbox:
    """The sandbox served by uvicorn on a free loopback port, in a background thread."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.app: SandboxApp = create_app(config or SandboxConfig())
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        config_ = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="critical",
            ws="none", lifespan="off", access_log=False,
        )  # fmt: skip
        self.server = uvicorn.Server(config_)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveSandbox:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("sandbox did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.app.close()

    def state(self) -> dict[str, Any]:
        return httpx.get(f"{self.base_url}/sandbox/state").json()

    @property
    def faults(self) -> Any:
        return self.app.sandbox.config.faults


@pytest.fixture(scope="session")
def live() -> Iterator[LiveSandbox]:
    sandbox = LiveSandbox().start()
    yield sandbox
    sandbox.stop()


@pytest.fixture(autouse=True)
def _calm_live_sandbox(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "live" in request.fixturenames:
        request.getfixturevalue("live").faults.reset()


@pytest.fixture
def live_factory() -> Iterator[Callable[..., LiveSandbox]]:
    started: list[LiveSandbox] = []

    def make(**options: Any) -> LiveSandbox:
        sandbox = LiveSandbox(SandboxConfig(**options)).start()
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.stop()


def make_client(base_url: str, **options: Any) -> P21Client:
    options.setdefault("username", USERNAME)
    options.setdefault("password", PASSWORD)
    options.setdefault("retry_backoff", 0.01)
    return P21Client(base_url, **options)


@pytest.fixture
async def live_client(live: LiveSandbox) -> AsyncIterator[P21Client]:
    async with make_client(live.base_url, read_timeout=5.0) as client:
        yield client


@pytest.fixture
def sandbox_app() -> Iterator[SandboxApp]:
    app = create_app()
    yield app
    app.close()


@pytest.fixture
async def asgi_client(sandbox_app: SandboxApp) -> AsyncIterator[P21Client]:
    transport = httpx.ASGITransport(app=sandbox_app)
    async with make_client("http://p21.test", transport=transport) as client:
        yield client


@pytest.fixture
async def raw(sandbox_app: SandboxApp) -> AsyncIterator[httpx.AsyncClient]:
    """Plain httpx against the in-process sandbox, already holding a bearer token."""
    transport = httpx.ASGITransport(app=sandbox_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://p21.test") as client:
        answer = await client.post(
            "/api/security/token/v2",
            json={"username": USERNAME, "password": PASSWORD},
            headers={"Accept": "application/json"},
        )
        token = answer.json()["AccessToken"]
        client.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
        yield client


def run(coro: Any) -> Any:
    return asyncio.get_event_loop().run_until_complete(coro)
