"""``stripe-p21 sandbox p21``: run the P21 sandbox on its own with uvicorn.

Credentials, token behaviour and faults come from flags or ``P21_SANDBOX_*`` environment
variables; faults can be changed later through ``PUT /sandbox/faults``.
"""

from __future__ import annotations

import click
import uvicorn

from stripe_p21.sandbox.p21.app import create_app
from stripe_p21.sandbox.p21.config import (
    DEFAULT_CONSUMER_KEY,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    FaultConfig,
    SandboxConfig,
)
from stripe_p21.sandbox.p21.seed import DEFAULT_SEED


def _outage(text: str) -> tuple[float, float]:
    start, _, length = text.partition(":")
    try:
        return float(start), float(length)
    except ValueError as exc:
        raise click.BadParameter(f"expected START:SECONDS, got {text!r}") from exc


def _env(name: str) -> str:
    return f"P21_SANDBOX_{name}"


@click.command("p21")
@click.option("--host", default="127.0.0.1", show_default=True, envvar=_env("HOST"))
@click.option("--port", default=8021, show_default=True, envvar=_env("PORT"))
@click.option(
    "--db",
    "db_path",
    default=":memory:",
    show_default=True,
    envvar=_env("DB"),
    help="SQLite file; kept between runs (seeded only when new).",
)
@click.option("--seed", default=DEFAULT_SEED, show_default=True, envvar=_env("SEED"))
@click.option("--username", default=DEFAULT_USERNAME, show_default=True, envvar=_env("USERNAME"))
@click.option("--password", default=DEFAULT_PASSWORD, show_default=True, envvar=_env("PASSWORD"))
@click.option(
    "--consumer-key",
    default=DEFAULT_CONSUMER_KEY,
    show_default=True,
    envvar=_env("CONSUMER_KEY"),
    help="ClientSecret for the client-credentials grant.",
)
@click.option("--company", default="ACME", show_default=True, envvar=_env("COMPANY"))
@click.option(
    "--token-lifetime",
    default=86400.0,
    show_default=True,
    envvar=_env("TOKEN_LIFETIME"),
    help="Seconds a token stays valid.",
)
@click.option(
    "--single-session/--multi-session",
    default=False,
    envvar=_env("SINGLE_SESSION"),
    help="A new token invalidates the previous ones.",
)
@click.option(
    "--xml-tokens", is_flag=True, envvar=_env("XML_TOKENS"), help="Answer token calls in XML."
)
@click.option(
    "--expires-field",
    type=click.Choice(["ExpiresIn", "ExpiresInSeconds"]),
    default="ExpiresIn",
    show_default=True,
    envvar=_env("EXPIRES_FIELD"),
)
@click.option(
    "--no-token-v2",
    is_flag=True,
    envvar=_env("NO_TOKEN_V2"),
    help="Serve only the legacy token call (v2 answers 404).",
)
@click.option("--latency-ms", default=0.0, envvar=_env("LATENCY_MS"), help="Fixed delay.")
@click.option("--jitter-ms", default=0.0, envvar=_env("JITTER_MS"), help="Random extra delay.")
@click.option(
    "--error-rate",
    default=0.0,
    envvar=_env("ERROR_RATE"),
    help="Share of calls answered with --error-status.",
)
@click.option("--error-status", default=503, show_default=True, envvar=_env("ERROR_STATUS"))
@click.option(
    "--session-pool-rate",
    default=0.0,
    envvar=_env("SESSION_POOL_RATE"),
    help='Share of writes refused with "Unexpected response window".',
)
@click.option(
    "--drop-rate",
    default=0.0,
    envvar=_env("DROP_RATE"),
    help="Share of writes committed, then answered with a dropped connection.",
)
@click.option(
    "--drop-next",
    default=0,
    envvar=_env("DROP_NEXT"),
    help="Drop the responses of the next N writes (after committing).",
)
@click.option(
    "--outage",
    "outages",
    multiple=True,
    type=str,
    envvar=_env("OUTAGES"),
    help="START:SECONDS after startup during which every call gets 503 (repeatable).",
)
@click.option("--log-level", default="warning", show_default=True, envvar=_env("LOG_LEVEL"))
def p21(
    host: str, port: int, db_path: str, seed: int, username: str, password: str,
    consumer_key: str, company: str, token_lifetime: float, single_session: bool,
    xml_tokens: bool, expires_field: str, no_token_v2: bool, latency_ms: float,
    jitter_ms: float, error_rate: float, error_status: int, session_pool_rate: float,
    drop_rate: float, drop_next: int, outages: tuple[str, ...], log_level: str,
) -> None:  # fmt: skip
    """Run the Prophet 21 sandbox (default login api_user / p21-sandbox, consumer key
    sandbox-consumer-key). State: http://HOST:PORT/sandbox/state."""
    faults = FaultConfig(
        latency_ms=latency_ms, jitter_ms=jitter_ms, error_rate=error_rate,
        error_status=error_status, session_pool_rate=session_pool_rate, drop_rate=drop_rate,
        drop_next=drop_next,
    )  # fmt: skip
    for window in outages:
        faults.add_outage(*_outage(window))
    config = SandboxConfig(
        username=username, password=password, consumer_key=consumer_key, company_id=company,
        seed=seed, db_path=db_path, token_lifetime=token_lifetime,
        single_session=single_session, xml_tokens=xml_tokens,
        expires_field="ExpiresInSeconds" if expires_field == "ExpiresInSeconds" else "ExpiresIn",
        token_v2=not no_token_v2, faults=faults,
    )  # fmt: skip
    try:
        app = create_app(config)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"P21 sandbox (company {company}) on http://{host}:{port} — state at /sandbox/state")
    uvicorn.run(app, host=host, port=port, log_level=log_level, ws="none")
