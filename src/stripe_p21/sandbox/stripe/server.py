"""Run the Stripe sandbox under uvicorn: in the foreground for the CLI, or on a background
thread for tests, the demo and scenario runs (`serve_in_thread`)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from litestar import Litestar


@dataclass(slots=True)
class RunningServer:
    """A server on a background thread; `url` is its base address for `STRIPE_API_BASE`."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to exit (running the app's shutdown hooks) and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(timeout)


def _config(app: Litestar, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="on"
    )


def serve_in_thread(app: Litestar, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Start `app` on a background thread (port 0 picks a free port) and wait until it listens."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(_config(app, host, bound_port))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the Stripe sandbox did not start")
        time.sleep(0.01)
    return RunningServer(f"http://{host}:{bound_port}", server, thread)


def serve_forever(app: Litestar, host: str, port: int) -> None:
    """Run `app` in the foreground until interrupted (Ctrl-C)."""
    uvicorn.Server(_config(app, host, port)).run()
