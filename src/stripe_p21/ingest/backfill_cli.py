"""`stripe-p21 backfill --since 2026-11-01 [--types charge.succeeded …]`: recover the events
created while the service was down (Stripe lists 30 days of them) through the webhook inbox path."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import click

from stripe_p21.connectors.stripe import StripeClientGateway, StripeDict
from stripe_p21.ingest.backfill import BackfillSummary, ingest_events, list_events
from stripe_p21.logging import configure_logging
from stripe_p21.settings import Settings


async def _list(settings: Settings, since: datetime, types: Sequence[str]) -> list[StripeDict]:
    gateway = StripeClientGateway.from_settings(settings.stripe)
    try:
        return await list_events(gateway, since, types)
    finally:
        await gateway.aclose()


async def _ingest(settings: Settings, events: list[StripeDict]) -> BackfillSummary:
    from stripe_p21.app import build_queue
    from stripe_p21.runtime.services import Services

    services = Services.build(settings, build_queue(settings))
    try:
        with click.progressbar(length=len(events), label="Storing events") as bar:
            return await ingest_events(services, events, on_event=lambda _e, _n: bar.update(1))
    finally:
        await services.close()


def run_backfill(settings: Settings, since: datetime, types: Sequence[str]) -> BackfillSummary:
    """Migrate an SQLite database if needed, list the events, and ingest them."""
    if settings.db.is_sqlite:
        from stripe_p21.db.migrate import upgrade

        upgrade(settings.db.database_url)
    events = asyncio.run(_list(settings, since, types))
    return asyncio.run(_ingest(settings, events))


@click.command("backfill")
@click.option(
    "--since",
    required=True,
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"]),
    help="Events created after this UTC time (Stripe keeps 30 days).",
)
@click.option("--types", "types", multiple=True, help="Event type, e.g. charge.succeeded (repeat).")
def backfill(since: datetime, types: tuple[str, ...]) -> None:
    """Ingest the Stripe events the inbox lacks (idempotent), as if delivered by webhook."""
    settings = Settings()
    server = settings.server
    configure_logging(
        level=server.log_level, fmt=server.log_format, secrets=settings.secret_values()
    )
    if settings.stripe.stripe_api_key is None:
        raise click.UsageError("STRIPE_API_KEY is not set")
    start = since.replace(tzinfo=UTC)
    click.echo(f"Listing events since {start.isoformat()} from {settings.stripe.stripe_api_base}…")
    summary = run_backfill(settings, start, types)
    click.echo(f"seen {summary.seen}, new {summary.new}, already stored {summary.already_stored}")
