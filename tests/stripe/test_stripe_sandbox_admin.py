"""The `/_sandbox` admin routes and the `stripe-p21 sandbox stripe` command line."""

from __future__ import annotations

import httpx
import pytest
from click.testing import CliRunner

from stripe_p21.sandbox.stripe import StripeSandbox
from stripe_p21.sandbox.stripe import shapes_risk as risk
from stripe_p21.sandbox.stripe.cli import stripe as stripe_command

from .conftest import API_KEY

AUTH = {"Authorization": f"Bearer {API_KEY}"}


def test_admin_inserts_objects_and_emits_events(api_base: str, sandbox: StripeSandbox) -> None:
    payout = risk.payout(id="po_admin1", created=1_767_225_600, amount=900, currency="usd")
    answer = httpx.post(
        f"{api_base}/_sandbox/objects",
        json={"object": payout, "event": "payout.paid"},
        headers=AUTH,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["type"] == "payout.paid"
    fetched = httpx.get(f"{api_base}/v1/payouts/po_admin1", headers=AUTH).json()
    assert fetched == payout
    refused = httpx.post(f"{api_base}/_sandbox/objects", json={"object": {"id": "x"}}, headers=AUTH)
    assert refused.status_code == 400 and "error" in refused.json()
    assert httpx.post(f"{api_base}/_sandbox/objects", json={}).status_code == 401


def test_admin_faults_and_clock(api_base: str, sandbox: StripeSandbox) -> None:
    injected = httpx.post(
        f"{api_base}/_sandbox/faults",
        json={"status": 429, "times": 1, "retry_after": 2, "path_prefix": "/v1/payouts"},
        headers=AUTH,
    )
    assert injected.status_code == 200
    limited = httpx.get(f"{api_base}/v1/payouts", headers=AUTH)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    assert httpx.get(f"{api_base}/v1/payouts", headers=AUTH).status_code == 200
    moved = httpx.post(f"{api_base}/_sandbox/clock", json={"advance_seconds": 0}, headers=AUTH)
    assert moved.json()["now"] == pytest.approx(sandbox.clock.timestamp(), abs=2)


def test_cli_help_lists_chaos_options() -> None:
    result = CliRunner().invoke(stripe_command, ["--help"])
    assert result.exit_code == 0
    for option in (
        "--port",
        "--webhook-endpoint",
        "--duplicate-rate",
        "--reorder-window",
        "--delay",
    ):
        assert option in result.output


def test_cli_refuses_a_secret_without_whsec_prefix() -> None:
    result = CliRunner().invoke(stripe_command, ["--webhook-secret", "not-a-secret"])
    assert result.exit_code == 2 and "whsec_" in result.output
