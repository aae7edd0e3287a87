"""Plays a planned scenario into a sink in order, setting the simulated clock before each step,
optionally paced (`speed` simulated seconds per real second), and starts a local sandbox for it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from stripe_p21.sandbox.scenarios.generator import Scenario
from stripe_p21.sandbox.scenarios.sim import Step
from stripe_p21.sandbox.scenarios.sinks import ScenarioSink
from stripe_p21.sandbox.stripe import (
    Clock,
    DeliveryPolicy,
    RunningServer,
    SandboxConfig,
    StripeSandbox,
    create_app,
    serve_in_thread,
)

MAX_PAUSE_SECONDS = 5.0
"""Longest real pause between two steps when pacing, so a quiet night does not stall a run."""


def play(
    scenario: Scenario,
    sink: ScenarioSink,
    *,
    speed: float = 0.0,
    on_step: Callable[[Step], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """Send every step to `sink`; returns the ids of the events the sandbox created, in order.
    `speed` 0 sends as fast as possible."""
    event_ids: list[str] = []
    clock: int | None = None
    for step in scenario.steps:
        if clock is not None and speed > 0 and step.at > clock:
            sleep(min((step.at - clock) / speed, MAX_PAUSE_SECONDS))
        if step.at != clock:
            sink.set_time(step.at)
            clock = step.at
        if step.event_type is None:
            sink.put(step.obj, step.payout)
        else:
            event_ids.append(sink.emit(step.event_type, step.obj, step.previous))
        if on_step is not None:
            on_step(step)
    return event_ids


@dataclass(slots=True)
class LocalSandbox:
    """A Stripe sandbox started for a scenario run, served on loopback."""

    box: StripeSandbox
    server: RunningServer

    @property
    def url(self) -> str:
        return self.server.url


@contextmanager
def local_sandbox(
    *,
    seed: int,
    start: datetime,
    targets: tuple[str, ...],
    secret: str | None,
    port: int = 0,
    delivery: DeliveryPolicy | None = None,
) -> Iterator[LocalSandbox]:
    """Start a seeded sandbox (so event ids repeat per seed) delivering to `targets`."""
    config = SandboxConfig(
        seed=seed,
        webhook_endpoints=targets,
        webhook_secret=secret,
        delivery=delivery or DeliveryPolicy(seed=seed),
    )
    box = StripeSandbox(config, clock=Clock(start.astimezone(UTC)))
    server = serve_in_thread(create_app(box), port=port)
    try:
        yield LocalSandbox(box, server)
    finally:
        server.stop()
        box.stop()
