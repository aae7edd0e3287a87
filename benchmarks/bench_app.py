"""The production app plus one no-op POST route, to measure the framework floor on the same
server, settings and body size as the webhook (uvicorn factory: benchmarks.bench_app:create)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request, Response, post
from litestar.datastructures import State

from stripe_p21.app import create_app


@post("/bench/noop", status_code=200)
async def noop(request: Request[Any, Any, State]) -> Response[bytes]:
    await request.body()
    return Response(b'{"received":true}', media_type="application/json")


def create() -> Litestar:
    app = create_app()
    app.register(noop)
    return app
