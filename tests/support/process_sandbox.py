"""The P21 sandbox in a child process, for benchmarks: a real P21 server does not share our
CPU or our GIL, and an in-process sandbox thread would charge its work to the service's
event loop (and add the interpreter's 5 ms thread-switch waits to every P21 call)."""

from __future__ import annotations

import multiprocessing
import socket
import time
from multiprocessing.process import BaseProcess

import uvicorn

from stripe_p21.sandbox.p21.app import create_app
from stripe_p21.sandbox.p21.config import SandboxConfig
from stripe_p21.sandbox.threaded import free_port


def _serve(config: SandboxConfig, port: int) -> None:
    uvicorn.run(
        create_app(config),
        host="127.0.0.1",
        port=port,
        log_level="critical",
        access_log=False,
        lifespan="off",
        ws="none",
    )


class ProcessSandbox:
    """`ProcessSandbox(config).start()` … `.stop()`: the P21 sandbox on a loopback port."""

    def __init__(self, config: SandboxConfig) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        context = multiprocessing.get_context("spawn")
        self.process: BaseProcess = context.Process(
            target=_serve, args=(config, self.port), daemon=True
        )

    def start(self, within: float = 30.0) -> ProcessSandbox:
        self.process.start()
        deadline = time.monotonic() + within
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                if not self.process.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError(f"P21 sandbox on port {self.port} did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)
