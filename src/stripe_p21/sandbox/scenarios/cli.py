"""`stripe-p21 scenario run`: plan a seeded scenario, write its ground truth, and play it into the
Stripe sandbox (started here, or an already-running one) that delivers it signed to `--target`."""

from __future__ import annotations

import secrets
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click

from stripe_p21.logging import configure_logging
from stripe_p21.sandbox.scenarios.generator import DEFAULT_START, Scenario, ScenarioSpec, generate
from stripe_p21.sandbox.scenarios.runner import LocalSandbox, local_sandbox, play
from stripe_p21.sandbox.scenarios.sim import Step
from stripe_p21.sandbox.scenarios.sinks import AdminApiSink, LocalSink, ScenarioSink
from stripe_p21.sandbox.stripe import DeliveryPolicy

DEFAULT_API_KEY = "sk_test_scenario"
DELIVERY_TIMEOUT_SECONDS = 300.0


@click.group("scenario")
def scenario() -> None:
    """Generated, realistic Stripe activity with its expected P21 outcome."""


def _send(planned: Scenario, sink: ScenarioSink, speed: float) -> list[str]:
    with click.progressbar(length=len(planned.steps), label="Sending scenario") as bar:

        def advance(_: Step) -> None:
            bar.update(1)

        return play(planned, sink, speed=speed, on_step=advance)


def _report_deliveries(local: LocalSandbox) -> None:
    click.echo("Waiting for webhook deliveries to settle…")
    settled = local.box.dispatcher.wait_idle(DELIVERY_TIMEOUT_SECONDS)
    outcomes = Counter("ok" if a.ok else "failed" for a in local.box.dispatcher.attempts)
    duplicates = sum(1 for a in local.box.dispatcher.attempts if a.duplicate)
    note = "" if settled else " (still retrying)"
    click.echo(
        f"Delivery attempts: {outcomes['ok']} ok, {outcomes['failed']} failed, "
        f"{duplicates} duplicate{note}"
    )


@dataclass(frozen=True, slots=True)
class LocalRun:
    """How to run the sandbox started for a scenario."""

    target: str | None
    secret: str | None
    port: int
    speed: float
    duplicate_rate: float
    reorder_window: int


def _run_local(planned: Scenario, run: LocalRun, serve: bool) -> None:
    secret = run.secret or f"whsec_{secrets.token_hex(16)}"
    delivery = DeliveryPolicy(
        duplicate_rate=run.duplicate_rate, reorder_window=run.reorder_window, seed=planned.spec.seed
    )
    targets = (run.target,) if run.target else ()
    with ExitStack() as stack:
        try:
            local = stack.enter_context(local_sandbox(
                seed=planned.spec.seed, start=planned.spec.start, targets=targets,
                secret=secret, port=run.port, delivery=delivery,
            ))  # fmt: skip
        except OSError as exc:
            message = f"cannot listen on 127.0.0.1:{run.port} ({exc.strerror}); use --sandbox-url"
            raise click.ClickException(message) from None
        click.echo(f"Stripe sandbox on {local.url} (STRIPE_API_BASE); any sk_test_ key works")
        if not run.secret:
            click.echo(f"Webhook signing secret (STRIPE_WEBHOOK_SECRET): {secret}")
        _play_locally(planned, local, run.speed, serve)


def _play_locally(planned: Scenario, local: LocalSandbox, speed: float, serve: bool) -> None:
    events = _send(planned, LocalSink(local.box), speed)
    click.echo(f"{len(events)} events created")
    if local.box.config.webhook_endpoints:
        _report_deliveries(local)
    if serve:
        click.echo("The sandbox keeps serving for re-fetches; press Ctrl-C to stop.")
        local.server.thread.join()


@scenario.command("run")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 366))
@click.option("--seed", default=7, show_default=True, help="Same seed, same scenario.")
@click.option("--p21-seed", default=21, show_default=True, help="Seed of the P21 sandbox.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
              help=f"First simulated day, UTC (default {DEFAULT_START:%Y-%m-%d}).")  # fmt: skip
@click.option(
    "--target", metavar="URL", help="Webhook endpoint, e.g. http://127.0.0.1:8000/webhooks/stripe."
)
@click.option("--secret", envvar="STRIPE_WEBHOOK_SECRET", help="whsec_ signing secret.")
@click.option("--truth", "truth_path", default="var/scenario-truth.json", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path))  # fmt: skip
@click.option(
    "--sandbox-port", default=12111, show_default=True, help="Port of the sandbox started here."
)
@click.option("--sandbox-url", help="Use this running sandbox's admin API instead of starting one.")
@click.option(
    "--api-key", envvar="STRIPE_API_KEY", default=DEFAULT_API_KEY, help="Key for --sandbox-url."
)
@click.option("--speed", default=0.0, show_default=True, type=click.FloatRange(0),
              help="Simulated seconds per real second (0: as fast as possible).")  # fmt: skip
@click.option("--duplicate-rate", default=0.0, show_default=True, type=click.FloatRange(0, 1))
@click.option("--reorder-window", default=1, show_default=True, type=click.IntRange(1))
@click.option("--log-level", default="WARNING", show_default=True, help="Log level (stderr).")
@click.option("--serve/--exit", default=True, show_default=True,
              help="Keep the started sandbox serving for re-fetches.")  # fmt: skip
def run(
    days: int, seed: int, p21_seed: int, start: datetime | None, target: str | None,
    secret: str | None, truth_path: Path, sandbox_port: int, sandbox_url: str | None,
    api_key: str, speed: float, duplicate_rate: float, reorder_window: int, log_level: str,
    serve: bool,
) -> None:  # fmt: skip
    """Generate a distributor's Stripe activity, write the truth file, and deliver it."""
    configure_logging(level=log_level.upper(), fmt="console", secrets=[api_key])
    if secret is not None and not secret.startswith("whsec_"):
        raise click.BadParameter("must start with whsec_", param_hint="--secret")
    first = (start or DEFAULT_START).replace(tzinfo=UTC)
    planned = generate(ScenarioSpec(seed=seed, days=days, start=first, p21_seed=p21_seed))
    written = planned.truth.write(truth_path)
    click.echo(
        f"Scenario seed {seed}: {days} days, {planned.event_count} events; truth → {written}"
    )
    if sandbox_url is None:
        local = LocalRun(target, secret, sandbox_port, speed, duplicate_rate, reorder_window)
        _run_local(planned, local, serve)
        return
    if target:
        click.echo("Note: --target is ignored; the running sandbox delivers to its own endpoints.")
    sink = AdminApiSink(sandbox_url, api_key)
    try:
        events = _send(planned, sink, speed)
    finally:
        sink.close()
    click.echo(f"{len(events)} events created in {sandbox_url}")
