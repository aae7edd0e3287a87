"""``stripe-p21 sandbox p21`` documents its credentials and refuses bad fault settings."""

from __future__ import annotations

from click.testing import CliRunner

from stripe_p21.sandbox.p21.cli import p21


def test_help_shows_credentials_and_faults() -> None:
    result = CliRunner().invoke(p21, ["--help"])
    assert result.exit_code == 0
    for text in ("api_user", "p21-sandbox", "sandbox-consumer-key", "--drop-next", "--outage",
                 "8021", "--session-pool-rate", "--latency-ms"):  # fmt: skip
        assert text in result.output


def test_bad_fault_settings_are_a_usage_error() -> None:
    result = CliRunner().invoke(p21, ["--error-rate", "3"])
    assert result.exit_code == 2 and "error_rate" in result.output
    result = CliRunner().invoke(p21, ["--outage", "soon"])
    assert result.exit_code == 2
