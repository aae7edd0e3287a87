"""A tiny OpenAI-compatible server on loopback: answers `POST /v1/chat/completions` with what
the test queues, records what it was sent, and can stall to exercise timeouts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeOpenAI:
    replies: list[str | int] = field(default_factory=list)
    """Message contents to answer with, in order; an int answers that HTTP status instead."""
    stall_seconds: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        headers = {
            k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
        }
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.headers.append(headers)
        self.requests.append(json.loads(body or b"{}"))
        if self.stall_seconds:
            await asyncio.sleep(self.stall_seconds)
        reply = self.replies.pop(0) if self.replies else "{}"
        if isinstance(reply, int):
            status, payload = reply, {"error": {"message": "nope", "type": "server_error"}}
        else:
            status, payload = (
                200,
                {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "created": 1764028800,
                    "model": "fake-model",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
            )
        data = json.dumps(payload).encode()
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
            + data
        )
        try:
            await writer.drain()
        finally:
            writer.close()


@asynccontextmanager
async def fake_openai(**options: Any) -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI(**options)

    running: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        running.add(task)
        try:
            await fake._handle(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()  # a cancelled (stalled) answer ends quietly: the test is over
        finally:
            running.discard(task)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    fake.port = server.sockets[0].getsockname()[1]
    try:
        yield fake
    finally:
        server.close()
        for task in list(running):  # a stalled answer must not outlive the test's loop
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await server.wait_closed()
