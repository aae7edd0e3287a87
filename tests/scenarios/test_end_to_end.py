"""End to end: our service on loopback, a three-day scenario delivered to it signed by the
sandbox — with duplicates and reordering — and every event stored in the inbox exactly once."""

from __future__ import annotations

import socket
from collections import Counter
from pathlib import Path

import pytest

from stripe_p21.app import create_app
from stripe_p21.sandbox.scenarios import LocalSink, ScenarioSpec, generate, local_sandbox, play
from stripe_p21.sandbox.stripe import DeliveryPolicy, serve_in_thread
from stripe_p21.settings import Settings
from tests.scenarios.conftest import SECRET, START
from tests.scenarios.inbox import stored_ids


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_scenario_events_land_in_the_inbox_once(
    service_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox_port = _free_port()
    monkeypatch.setenv("STRIPE_API_BASE", f"http://127.0.0.1:{sandbox_port}")
    service = serve_in_thread(create_app(Settings(env_file=None)))
    scenario = generate(ScenarioSpec(seed=7, days=3, start=START))
    chaos = DeliveryPolicy(duplicate_rate=0.2, reorder_window=4, retry_base_seconds=0.2, seed=7)
    try:
        target = f"{service.url}/webhooks/stripe"
        with local_sandbox(seed=7, start=START, targets=(target,), secret=SECRET,
                           port=sandbox_port, delivery=chaos) as local:  # fmt: skip
            event_ids = play(scenario, LocalSink(local.box))
            assert local.box.dispatcher.wait_idle(60)
            attempts = list(local.box.dispatcher.attempts)
    finally:
        service.stop()
    assert len(event_ids) == scenario.event_count > 100
    assert any(a.duplicate for a in attempts)
    assert all(a.ok for a in attempts)
    assert stored_ids(service_env) == Counter(event_ids)
