"""P21 benchmarks: client overhead over raw httpx, and the sandbox's order-creation throughput.

Starts the sandbox in its own process (``python -m stripe_p21.sandbox.p21``) on a free loopback
port, so client and server do not share an event loop. Run: ``.venv/bin/python
benchmarks/p21_bench.py [--calls 1000] [--orders 3000] [--concurrency 8]``; results are printed as
Markdown (recorded in benchmarks/p21_results.md).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import msgspec
import structlog

from stripe_p21.connectors.p21 import OrderDraft, OrderLine, P21Client, Payment
from stripe_p21.connectors.p21.transaction import build_order

USER, PASSWORD = "api_user", "p21-sandbox"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_sandbox(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "stripe_p21.sandbox.p21", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 - our own module
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/sandbox/faults", timeout=0.5)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("sandbox did not start")


def quiet_logs() -> None:
    """Keep the per-request log (as production would) but write it to /dev/null."""
    sink = open(os.devnull, "w")  # noqa: SIM115 - lives for the whole run
    structlog.configure(
        processors=[
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.PrintLoggerFactory(file=sink),
    )


def draft(index: int) -> OrderDraft:
    charge = f"ch_bench_{index:07d}_{time.time_ns()}"
    lines = (OrderLine("WIDGET-001", 2), OrderLine("FAST-0001", 1))
    return OrderDraft(100001 + index % 200, charge, lines, Payment("75.00", charge))


async def timed(calls: int, call: Callable[[], Awaitable[Any]]) -> list[float]:
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def keep_alive_load(port: int, token: str, bodies: list[bytes], concurrency: int) -> float:
    """Orders per second with a minimal HTTP/1.1 keep-alive generator (little client CPU, so the
    sandbox, not httpx, is what is measured); every answer must be a passed transaction."""
    queue = iter(bodies)
    head = (
        "POST /uiserver0/api/v2/transaction HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nAccept: application/json\r\n"
        "Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    )

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for body in queue:
            writer.write(head.replace("{length}", str(len(body))).encode() + body)
            status = await reader.readuntil(b"\r\n\r\n")
            length = int(status.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            answer = await reader.readexactly(length)
            if not status.startswith(b"HTTP/1.1 200") or b'"Failed":0' not in answer:
                raise RuntimeError(f"order not created: {status[:40]!r} {answer[:200]!r}")
        writer.close()
        await writer.wait_closed()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return len(bodies) / (time.perf_counter() - started)


async def throughput(
    total: int, concurrency: int, create: Callable[[int], Awaitable[Any]]
) -> float:
    queue = iter(range(total))

    async def worker() -> None:
        for index in queue:
            await create(index)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started)


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"{statistics.mean(samples):.3f} | {statistics.median(samples):.3f} | {p95:.3f}"


async def run(base: str, calls: int, orders: int, concurrency: int) -> None:
    async with httpx.AsyncClient(base_url=base, headers={"Accept": "application/json"}) as raw:
        token = (
            await raw.post("/api/security/token/v2", json={"username": USER, "password": PASSWORD})
        ).json()
        raw.headers["Authorization"] = f"Bearer {token['AccessToken']}"
        async with P21Client(
            base, username=USER, password=PASSWORD, max_concurrency=concurrency
        ) as p21:
            await p21.get_item("WIDGET-001")  # token + warm-up
            await raw.get("/api/inventory/parts/WIDGET-001")
            raw_get = await timed(calls, lambda: raw.get("/api/inventory/parts/WIDGET-001"))
            client_get = await timed(calls, lambda: p21.get_item("WIDGET-001"))
            path = "/uiserver0/api/v2/transaction"
            raw_post = await timed(calls // 4, lambda: raw.post(path, json=build_order(draft(0))))
            client_post = await timed(calls // 4, lambda: p21.create_order(draft(0)))
            httpx_rate = await throughput(
                orders, concurrency, lambda i: raw.post(path, json=build_order(draft(i)))
            )
            bodies = [msgspec.json.encode(build_order(draft(i))) for i in range(orders)]
            port = int(base.rsplit(":", 1)[1])
            raw_rate = await keep_alive_load(port, token["AccessToken"], bodies, concurrency)
            client_rate = await throughput(
                orders, concurrency, lambda i: p21.create_order(draft(i))
            )
    overhead_get = statistics.median(client_get) - statistics.median(raw_get)
    overhead_post = statistics.median(client_post) - statistics.median(raw_post)
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print("\n| call | n | mean ms | median ms | p95 ms |\n|---|---|---|---|---|")
    print(f"| raw httpx GET part | {calls} | {summary(raw_get)} |")
    print(f"| P21Client.get_item | {calls} | {summary(client_get)} |")
    print(f"| raw httpx POST Order transaction | {calls // 4} | {summary(raw_post)} |")
    print(f"| P21Client.create_order | {calls // 4} | {summary(client_post)} |")
    print(f"\nClient overhead (median): GET {overhead_get:+.3f} ms, ", end="")
    print(f"create_order {overhead_post:+.3f} ms")
    print(f"\nOrder creation throughput, {orders} orders, {concurrency} in flight, no latency:")
    print(f"- keep-alive socket generator → sandbox: {raw_rate:.0f} orders/s (sandbox capacity)")
    print(f"- raw httpx → sandbox: {httpx_rate:.0f} orders/s")
    print(f"- P21Client → sandbox: {client_rate:.0f} orders/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    quiet_logs()
    port = free_port()
    sandbox = start_sandbox(port)
    try:
        asyncio.run(run(f"http://127.0.0.1:{port}", args.calls, args.orders, args.concurrency))
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)


if __name__ == "__main__":
    main()
