"""`stripe-p21 sandbox stripe`: run the Stripe sandbox with webhook delivery and chaos options."""

from __future__ import annotations

from pathlib import Path

import click

from stripe_p21.sandbox.stripe.app import create_app
from stripe_p21.sandbox.stripe.server import serve_forever
from stripe_p21.sandbox.stripe.service import SandboxConfig, StripeSandbox
from stripe_p21.sandbox.stripe.signing import DeliveryPolicy


def _policy(chaos: dict[str, float], seed: int | None) -> DeliveryPolicy:
    return DeliveryPolicy(
        max_attempts=int(chaos["max_attempts"]),
        retry_base_seconds=chaos["retry_base"],
        duplicate_rate=chaos["duplicate_rate"],
        reorder_window=int(chaos["reorder_window"]),
        max_delay_seconds=chaos["delay"],
        seed=seed,
    )


@click.command("stripe")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=12111, show_default=True, help="Port to bind.")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file (default: in memory).",
)
@click.option(
    "--api-key",
    envvar="STRIPE_SANDBOX_API_KEY",
    help="Accept only this key (default: any sk_test_ key).",
)
@click.option(
    "--webhook-endpoint",
    "endpoints",
    multiple=True,
    metavar="URL",
    help="Deliver events here (repeatable).",
)
@click.option(
    "--webhook-secret",
    envvar="STRIPE_WEBHOOK_SECRET",
    help="whsec_ secret to sign deliveries with.",
)
@click.option(
    "--duplicate-rate",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Share of events delivered twice.",
)
@click.option(
    "--reorder-window",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Shuffle events within groups of this size.",
)
@click.option(
    "--delay",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Random extra delay per delivery, up to this many seconds.",
)
@click.option(
    "--max-attempts",
    default=4,
    show_default=True,
    type=click.IntRange(1),
    help="Delivery attempts per event and endpoint.",
)
@click.option(
    "--retry-base",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds before the first retry (doubles each time).",
)
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=1),
    help="Answer 429 beyond this many requests per second.",
)
@click.option("--seed", type=int, help="Seed for ids and delivery chaos (repeatable runs).")
def stripe(
    host: str,
    port: int,
    db: Path | None,
    api_key: str | None,
    endpoints: tuple[str, ...],
    webhook_secret: str | None,
    rate_limit: float | None,
    seed: int | None,
    **chaos: float,
) -> None:
    """Run a local stand-in for the Stripe API that sends signed webhooks."""
    if webhook_secret is not None and not webhook_secret.startswith("whsec_"):
        raise click.BadParameter("must start with whsec_", param_hint="--webhook-secret")
    config = SandboxConfig(
        db_path=db or ":memory:",
        api_key=api_key,
        webhook_endpoints=endpoints,
        webhook_secret=webhook_secret,
        delivery=_policy(chaos, seed),
        seed=seed,
        requests_per_second=rate_limit,
    )
    sandbox = StripeSandbox(config)
    click.echo(f"Stripe sandbox on http://{host}:{port} (set STRIPE_API_BASE to this)")
    if endpoints and webhook_secret is None:
        click.echo(f"Webhook signing secret (STRIPE_WEBHOOK_SECRET): {sandbox.webhook_secret}")
    serve_forever(create_app(sandbox), host, port)
