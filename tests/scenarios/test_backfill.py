"""`stripe-p21 backfill`: events created while nobody listened are stored once through the inbox
path, a second run adds nothing, and `--types` limits what is fetched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import stripe
from click.testing import CliRunner

from stripe_p21.ingest.backfill_cli import backfill, run_backfill
from stripe_p21.sandbox.stripe import RunningServer, StripeSandbox
from stripe_p21.settings import Settings
from tests.scenarios.conftest import API_KEY
from tests.scenarios.inbox import stored_ids, stored_types


def _make_activity(box: StripeSandbox, server: RunningServer) -> set[str]:
    """Two customers and two paid payment intents through the official library; no delivery."""
    client = stripe.StripeClient(API_KEY, base_addresses={"api": server.url})
    for n in range(2):
        customer = client.v1.customers.create(params={"name": f"Backfill Co {n}"})
        client.v1.payment_intents.create(
            params={"amount": 5_000 + n, "currency": "usd", "customer": customer.id,
                    "payment_method": "pm_card_visa", "confirm": True}
        )  # fmt: skip
    return {str(event["id"]) for event in box.store.list("event", limit=100).data}


def _since() -> datetime:
    return datetime.now(UTC) - timedelta(hours=1)


def test_backfill_stores_missing_events_once(
    sandbox: tuple[StripeSandbox, RunningServer], service_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box, server = sandbox
    created = _make_activity(box, server)
    assert len(created) == 8
    settings = _settings(server.url, monkeypatch)
    first = run_backfill(settings, _since(), ())
    assert (first.seen, first.new, first.already_stored) == (8, 8, 0)
    second = run_backfill(settings, _since(), ())
    assert (second.seen, second.new, second.already_stored) == (8, 0, 8)
    stored = stored_ids(service_env)
    assert set(stored) == created and set(stored.values()) == {1}


def test_backfill_types_filter(
    sandbox: tuple[StripeSandbox, RunningServer], service_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box, server = sandbox
    _make_activity(box, server)
    summary = run_backfill(_settings(server.url, monkeypatch), _since(), ("charge.succeeded",))
    assert (summary.seen, summary.new) == (2, 2)
    assert stored_types(service_env) == {"charge.succeeded"}


def test_backfill_command_prints_a_summary(
    sandbox: tuple[StripeSandbox, RunningServer], service_env: Path
) -> None:
    box, server = sandbox
    _make_activity(box, server)
    env = {"STRIPE_API_BASE": server.url}
    day = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    args = ["--since", day, "--types", "customer.created", "--types", "payment_intent.succeeded"]
    result = CliRunner().invoke(backfill, args, env=env)
    assert result.exit_code == 0, result.output
    assert "seen 4, new 4, already stored 0" in result.output
    again = CliRunner().invoke(backfill, args, env=env)
    assert "seen 4, new 0, already stored 4" in again.output


def _settings(api_base: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("STRIPE_API_BASE", api_base)
    return Settings(env_file=None)
