"""`stripe-p21` command line: serve, worker, demo, db upgrade, tokens, replay, sandboxes."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import click

from stripe_p21.db.tables import TokenRole
from stripe_p21.settings import Settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="stripe-p21")
def main() -> None:
    """Keep Epicor Prophet 21 in step with Stripe. Settings come from the environment (.env)."""


@main.command()
@click.option("--host", default=None, help="Bind address (default 127.0.0.1, STRIPE_P21_HOST).")
@click.option("--port", default=None, type=int, help="Port (default 8000, STRIPE_P21_PORT).")
@click.option("--workers", default=1, show_default=True, help="Server processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Run the HTTP service: webhooks, API, metrics (and the inline runner without Redis)."""
    import uvicorn

    settings = Settings()
    _validate_mapping(settings)
    uvicorn.run(
        "stripe_p21.app:create_app",
        factory=True,
        host=host or settings.server.host,
        port=port or settings.server.port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )


@main.command()
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker(burst: bool) -> None:
    """Run an arq worker (needs STRIPE_P21_REDIS_URL); it also runs the sweeper cron."""
    from stripe_p21.worker import build_worker

    settings = Settings()
    if settings.queue.redis_url is None:
        raise click.UsageError("STRIPE_P21_REDIS_URL is not set: the arq worker needs Redis")
    _validate_mapping(settings)
    build_worker(settings, burst=burst).run()


def _validate_mapping(settings: Settings) -> None:
    """A bad mapping file stops start-up with the exact key and the reason."""
    from stripe_p21.pipeline.mapping.config import MappingConfigError, load_mapping

    try:
        load_mapping(settings.sync.mapping_file)
    except MappingConfigError as exc:
        raise click.ClickException(f"invalid mapping configuration: {exc}") from None


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations (SQLite or PostgreSQL, from STRIPE_P21_DATABASE_URL)."""
    from stripe_p21.db.migrate import upgrade

    upgrade(Settings().db.database_url, revision)
    click.echo(f"database at {revision}")


@main.group()
def tokens() -> None:
    """API bearer tokens."""


@tokens.command("create")
@click.option("--name", required=True, help="Who or what uses the token.")
@click.option(
    "--role",
    type=click.Choice([role.value for role in TokenRole]),
    default=TokenRole.VIEWER.value,
    show_default=True,
)
def tokens_create(name: str, role: str) -> None:
    """Create a token; it is printed once, as the last line, and only its hash is stored."""
    from stripe_p21.auth.tokens import create_token

    async def run(services: Any) -> str:
        return await create_token(services.sessions, name=name, role=TokenRole(role))

    token = _with_services(run)
    click.echo(f"Created {role} token for {name}. Store it now; it is not shown again:", err=True)
    click.echo(token)


@main.command()
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["dead", "failed", "needs_review", "ignored", "processed"]),
)
@click.option("--type", "types", multiple=True, help="Event type, e.g. charge.succeeded.")
@click.option("--id", "ids", multiple=True, help="Event id (repeatable).")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Write nothing: print the P21 commands the current mapping would produce for each --id "
    "and how they differ from what was written.",
)
@click.option("--as-is", is_flag=True, help="With --dry-run: keep earlier links (default: fresh).")
@click.option("--json", "as_json", is_flag=True, help="With --dry-run: print JSON.")
def replay(
    statuses: tuple[str, ...],
    types: tuple[str, ...],
    ids: tuple[str, ...],
    dry_run: bool,
    as_is: bool,
    as_json: bool,
) -> None:
    """Put matching events back in line (fresh attempt budget) and enqueue them."""
    if dry_run:
        from stripe_p21.pipeline.dryrun import cli_dry_run

        sys.exit(cli_dry_run(ids, fresh=not as_is, as_json=as_json))
    if not (statuses or types or ids):
        raise click.UsageError("name at least one --status, --type or --id")
    from stripe_p21.pipeline.replay import reset_for_replay

    async def run(services: Any) -> list[str]:
        chosen = await reset_for_replay(services.sessions, ids=ids, statuses=statuses, types=types)
        if services.settings.queue.redis_url is not None:
            for event_id in chosen:
                await services.enqueue_quietly(event_id)
        return chosen

    chosen = _with_services(run)
    for event_id in chosen:
        click.echo(event_id)
    note = "" if Settings().queue.redis_url else " (the running service's sweeper picks them up)"
    click.echo(f"{len(chosen)} event(s) queued for replay{note}", err=True)


@main.command()
@click.option("--port", default=8000, show_default=True)
@click.option("--days", default=30, show_default=True, help="Simulated days of Stripe activity.")
@click.option("--seed", default=7, show_default=True, help="Scenario seed (same seed, same run).")
@click.option("--no-serve", is_flag=True, help="Exit after the scenario instead of serving.")
@click.option(
    "--check", "check_only", is_flag=True,
    help="Exit after the run; non-zero when P21 differs from the ground truth.",
)  # fmt: skip
def demo(port: int, days: int, seed: int, no_serve: bool, check_only: bool) -> None:
    """Embedded service + P21 and Stripe sandboxes + a scenario, checked against its truth."""
    from stripe_p21.demo import run_demo

    code = asyncio.run(
        run_demo(port=port, serve_forever=not no_serve, check_only=check_only, days=days, seed=seed)
    )
    sys.exit(code)


@main.group()
def sandbox() -> None:
    """Bundled stand-ins for P21 and Stripe (loopback only)."""


def _with_services(run: Any) -> Any:
    from stripe_p21.app import build_queue
    from stripe_p21.db.migrate import upgrade
    from stripe_p21.runtime.services import Services

    settings = Settings()
    if settings.db.is_sqlite:
        upgrade(settings.db.database_url)

    async def go() -> Any:
        services = Services.build(settings, build_queue(settings))
        try:
            return await run(services)
        finally:
            await services.close()

    return asyncio.run(go())


def _attach_subcommands() -> None:
    """Commands that live beside their domain (sandboxes, scenarios, backfill)."""
    from stripe_p21.evals.cli import eval_group
    from stripe_p21.ingest.backfill_cli import backfill
    from stripe_p21.intelligence.matching.train import train_group
    from stripe_p21.sandbox.p21.cli import p21
    from stripe_p21.sandbox.scenarios.cli import scenario
    from stripe_p21.sandbox.stripe.cli import stripe

    sandbox.add_command(p21, "p21")
    sandbox.add_command(stripe, "stripe")
    main.add_command(scenario, "scenario")
    main.add_command(backfill, "backfill")
    main.add_command(eval_group, "eval")
    main.add_command(train_group, "train")


_attach_subcommands()
