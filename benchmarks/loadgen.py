"""A small keep-alive HTTP/1.1 load generator on raw asyncio streams (httpx would be the
bottleneck): closed-loop maximum throughput, or an open-loop steady rate with latencies measured
from each request's scheduled time (no coordinated omission)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    sent: int = 0
    ok: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await self.reader.readexactly(length)
        return status


def build_request(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
    ]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def closed_loop(host: str, port: int, requests: list[bytes], connections: int) -> Result:
    """As fast as the server answers, `connections` requests in flight."""
    result = Result()
    queue = iter(requests)

    async def run() -> None:
        conn = Connection(host, port)
        for raw in queue:
            started = time.perf_counter()
            try:
                status = await conn.request(raw)
            except (OSError, asyncio.IncompleteReadError):
                result.errors += 1
                conn = Connection(host, port)
                continue
            result.statuses[status] = result.statuses.get(status, 0) + 1
            result.ok += status == 200
            result.latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(run() for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    result.sent = len(requests)
    return result


async def open_loop(host: str, port: int, requests: list[bytes], rate: float, pool: int) -> Result:
    """Requests leave at a steady `rate`; latency counts from the scheduled send time."""
    result = Result()
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(pool):
        idle.put_nowait(Connection(host, port))
    begin = time.perf_counter()

    async def one(index: int, raw: bytes) -> None:
        scheduled = begin + index / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        conn = await idle.get()
        try:
            status = await conn.request(raw)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            result.ok += status == 200
            result.latencies.append(time.perf_counter() - scheduled)
        except (OSError, asyncio.IncompleteReadError):
            result.errors += 1
            conn = Connection(host, port)
        finally:
            idle.put_nowait(conn)

    await asyncio.gather(*(one(i, raw) for i, raw in enumerate(requests)))
    result.seconds = time.perf_counter() - begin
    result.sent = len(requests)
    return result
