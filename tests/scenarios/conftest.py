"""Fixtures for the scenario and backfill tests: planned scenarios (cached per module), a Stripe
sandbox on loopback, and the environment for a service on a temporary SQLite file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stripe_p21.sandbox.scenarios import Scenario, ScenarioSpec, generate
from stripe_p21.sandbox.stripe import (
    RunningServer,
    SandboxConfig,
    StripeSandbox,
    create_app,
    serve_in_thread,
)

API_KEY = "sk_test_scenario_suite"
SECRET = "whsec_scenario_suite_0123456789abcdef"
START = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def week() -> Scenario:
    """A seven-day scenario, seed 7 — every required kind of activity is in it."""
    return generate(ScenarioSpec(seed=7, days=7, start=START))


@pytest.fixture
def sandbox() -> Iterator[tuple[StripeSandbox, RunningServer]]:
    """A Stripe sandbox without webhook endpoints, served on a free loopback port."""
    box = StripeSandbox(SandboxConfig(seed=3))
    server = serve_in_thread(create_app(box))
    yield box, server
    server.stop()
    box.stop()


@pytest.fixture
def service_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Environment for stripe-p21 on a fresh SQLite file; returns the database path."""
    for key in [k for k in os.environ if k.startswith(("STRIPE_P21_", "STRIPE_", "P21_"))]:
        monkeypatch.delenv(key)
    db = tmp_path / "inbox.db"
    monkeypatch.setenv("STRIPE_P21_DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("STRIPE_API_KEY", API_KEY)
    monkeypatch.setenv("STRIPE_P21_LOG_LEVEL", "WARNING")
    monkeypatch.chdir(tmp_path)
    return db
