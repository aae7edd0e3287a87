"""End to end on PostgreSQL with two arq worker processes: a scenario's events are posted signed
to the webhook at a steady rate (open loop), and we measure events/s and the time from webhook
receipt to the P21 document (the run of the event that wrote it), with the P21 sandbox at 0 ms
and at 150 ms injected latency (and more P21 concurrency). Where the time goes: queue wait
(receipt → job start) and handler time (job start → end), from `event_attempt`.

    .venv/bin/python -m benchmarks.sync_e2e --days 30 --rate 100
    .venv/bin/python -m benchmarks.sync_e2e --outage 120      # the issue's 2-minute outage

Needs PostgreSQL (STRIPE_P21_TEST_POSTGRES_URL) and Redis (STRIPE_P21_TEST_REDIS_URL).
Results: benchmarks/results/sync_e2e.json (or --out)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import msgspec
from sqlalchemy import select

from benchmarks.loadgen import build_request, open_loop
from stripe_p21.connectors.stripe.signature import sign
from stripe_p21.db.migrate import upgrade
from stripe_p21.db.tables import EventAttempt, StripeEvent
from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.review.fingerprint import parameterise
from tests.support.backends import POSTGRES_URL, REDIS_URL
from tests.support.sync_stack import SECRET, SyncStack, sync_stack

RESULTS = Path(__file__).parent / "results" / "sync_e2e.json"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1) if values else 0.0


async def _admin(sql: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    parts = urlsplit(POSTGRES_URL)
    connection = await asyncpg.connect(urlunsplit(parts._replace(scheme="postgresql")))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def fresh_database() -> tuple[str, str]:
    name = f"stripe_p21_bench_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    await asyncio.to_thread(upgrade, url.replace("postgresql://", "postgresql+asyncpg://", 1))
    return name, url


def start_workers(count: int) -> list[subprocess.Popen[bytes]]:
    """`stripe-p21 worker` processes with the stack's environment (set while it runs)."""
    return [
        subprocess.Popen(
            [sys.executable, "-m", "stripe_p21", "worker"],
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def attach_profilers(
    workers: list[subprocess.Popen[bytes]], directory: Path | None
) -> list[subprocess.Popen[bytes]]:
    """With `--profile DIR`: `py-spy record` on each worker, collapsed stacks written to DIR
    when the worker exits (py-spy must be on PATH)."""
    if directory is None:
        return []
    directory.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(  # noqa: S603 - our own fixed command line
            [
                *("py-spy", "record", "--format", "raw", "--rate", "250", "--nonblocking"),
                *("--pid", str(w.pid), "-o", str(directory / f"worker{i}.txt")),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i, w in enumerate(workers)
    ]


def machine_busy_seconds() -> float:
    """CPU-seconds the whole machine spent busy so far (all cores, /proc/stat)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc), 0 when unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def requests_for(s: SyncStack) -> list[bytes]:
    parts = urlsplit(s.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    out = []
    for event in s.events:
        body = msgspec.json.encode(event)
        headers = {"Content-Type": "application/json", "Stripe-Signature": sign(body, SECRET)}
        out.append(build_request(host, port, "/webhooks/stripe", body, headers))
    return out


async def measure(s: SyncStack, started: float) -> dict[str, Any]:
    async with s.services.sessions() as session:
        events = {e.id: e for e in (await session.execute(select(StripeEvent))).scalars()}
        links = list((await session.execute(select(SyncLink))).scalars())
        attempts = list((await session.execute(select(EventAttempt))).scalars())
    documented = {link.event_id for link in links if link.event_id and link.status != "memo"}
    documented_events = [
        e for e in events.values() if e.id in documented and e.processed_at is not None
    ]
    to_document = [(e.processed_at - e.received_at).total_seconds() for e in documented_events]  # type: ignore[operator]
    by_type: dict[str, list[float]] = {}
    for e in documented_events:
        by_type.setdefault(e.type, []).append((e.processed_at - e.received_at).total_seconds())  # type: ignore[operator]
    everything = [
        (e.processed_at - e.received_at).total_seconds()
        for e in events.values()
        if e.processed_at is not None
    ]
    first_attempt = {}
    for attempt in sorted(attempts, key=lambda a: a.started_at):
        first_attempt.setdefault(attempt.event_id, attempt)
    waits = [
        (a.started_at - events[a.event_id].received_at).total_seconds()
        for a in first_attempt.values()
        if a.event_id in events
    ]
    handling = [(a.finished_at - a.started_at).total_seconds() for a in attempts]
    handling_by_type: dict[str, list[float]] = {}
    waits_by_type: dict[str, list[float]] = {}
    for a in first_attempt.values():
        if a.event_id in documented:
            kind = events[a.event_id].type
            handling_by_type.setdefault(kind, []).append(
                (a.finished_at - a.started_at).total_seconds()
            )
            waits_by_type.setdefault(kind, []).append(
                (a.started_at - events[a.event_id].received_at).total_seconds()
            )
    retry_reasons = Counter(
        parameterise(f"{a.error_class}: {a.error_message or ''}")[:240]
        for a in attempts
        if a.outcome == "failed"
    )
    received = min(e.received_at for e in events.values())
    timeline = sorted(
        (
            round((events[a.event_id].received_at - received).total_seconds(), 4),
            events[a.event_id].type,
            round((a.started_at - events[a.event_id].received_at).total_seconds(), 4),
            round((a.finished_at - a.started_at).total_seconds(), 4),
        )
        for a in first_attempt.values()
    )
    finished = max((e.processed_at or e.received_at) for e in events.values())
    span = (finished - received).total_seconds()
    return {
        "events": len(events),
        "statuses": dict(Counter(e.status for e in events.values())),
        "attempts": len(attempts),
        "retries": len(attempts) - len(first_attempt),
        "events_per_s": round(len(events) / span, 1) if span else 0.0,
        "seconds": round(span, 2),
        "wall_seconds": round(time.monotonic() - started, 2),
        "documents": len(to_document),
        "receipt_to_p21_document_ms": {
            "p50": pct(to_document, 0.5),
            "p95": pct(to_document, 0.95),
            "max": pct(to_document, 1.0),
        },
        "receipt_to_p21_document_ms_by_type": {
            kind: {
                "n": len(values),
                "p50": pct(values, 0.5),
                "p95": pct(values, 0.95),
                "handler_p50": pct(handling_by_type.get(kind, []), 0.5),
                "queue_wait_p50": pct(waits_by_type.get(kind, []), 0.5),
            }
            for kind, values in sorted(by_type.items(), key=lambda kv: -len(kv[1]))
        },
        "receipt_to_processed_ms_all_events": {
            "p50": pct(everything, 0.5),
            "p95": pct(everything, 0.95),
        },
        "queue_wait_ms": {"p50": pct(waits, 0.5), "p95": pct(waits, 0.95)},
        "handler_ms": {"p50": pct(handling, 0.5), "p95": pct(handling, 0.95)},
        "retry_reasons": dict(retry_reasons.most_common(8)),
        "_timeline": timeline,
    }


async def run_case(
    args: argparse.Namespace,
    *,
    latency_ms: float,
    concurrency: int,
    outage: float = 0.0,
    jobs: int | None = None,
) -> dict[str, Any]:
    name, url = await fresh_database()
    tmp = Path(tempfile.mkdtemp(prefix="sync_e2e_"))
    env = {
        "P21_MAX_CONCURRENCY": str(concurrency),
        "STRIPE_P21_WORKER_CONCURRENCY": str(jobs or args.jobs),
        "STRIPE_P21_LOG_LEVEL": "ERROR",
        "STRIPE_P21_RETRY_CAP_SECONDS": "20",
        "STRIPE_P21_MAX_ATTEMPTS": "30",
        # The Stripe sandbox has no rate limit; a live Stripe account allows 100 reads/s.
        "STRIPE_P21_STRIPE_REQUESTS_PER_SECOND": str(args.stripe_rps),
    }
    pg = url.replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        async with sync_stack(
            "postgres-arq",
            tmp,
            postgres_url=pg,
            redis_url=REDIS_URL,
            workers=0,
            p21_process=not args.check,  # the truth check reads the sandbox in-process
            **env,
        ) as s:
            workers = start_workers(args.workers)
            spies = attach_profilers(workers, args.profile)
            try:
                # Steady state: let the workers start, load the matching model and build its
                # customer index from P21 before the clock runs (a cold start is a separate
                # question from throughput).
                await asyncio.sleep(args.warmup)
                await s.p21_faults(latency_ms=latency_ms)
                await s.play(days=args.days, seed=args.seed, deliver=False)
                raw = requests_for(s)
                cpu_before = [cpu_seconds(w.pid) for w in workers]
                machine_before = machine_busy_seconds()
                started = time.monotonic()
                cpu_main = time.process_time()
                if outage:
                    await s.p21_faults(outage_seconds=outage)
                sent = await open_loop(
                    "127.0.0.1", urlsplit(s.url).port or 80, raw, args.rate, args.pool
                )
                await s.settle_all(within=args.settle + outage * 2)
                row = await measure(s, started)
                timeline = row.pop("_timeline")
                if args.timeline is not None:
                    text = json.dumps(
                        [
                            dict(zip(("at_s", "type", "wait_s", "run_s"), t, strict=True))
                            for t in timeline
                        ]
                    )
                    await asyncio.to_thread(args.timeline.write_text, text)
                row["cpu_seconds"] = {
                    "service_and_sandboxes_process": round(time.process_time() - cpu_main, 1),
                    "workers": [
                        round(cpu_seconds(w.pid) - before, 1)
                        for w, before in zip(workers, cpu_before, strict=True)
                    ],
                    "workers_at_start": [round(before, 1) for before in cpu_before],
                    "machine_busy": round(machine_busy_seconds() - machine_before, 1),
                    "load_average_1m": round(os.getloadavg()[0], 2),
                }
                row |= {
                    "p21_latency_ms": latency_ms,
                    "p21_max_concurrency": concurrency,
                    "jobs_per_worker": jobs or args.jobs,
                    "rate_sent": args.rate,
                    "webhook_errors": sent.errors,
                    "webhook_p95_ms": round(sent.percentile(0.95), 1),
                    "outage_seconds": outage,
                }
                if args.check:
                    result = await s.check()
                    row["truth_differences"] = len(result.differences)
                    row["truth_by_kind"] = dict(result.by_kind())
                return row
            finally:
                for worker in workers:
                    worker.terminate()
                for worker in workers:
                    worker.wait(20)
                for spy in spies:
                    spy.wait(30)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    cases: list[dict[str, Any]] = [{"latency_ms": 0.0, "concurrency": 4}]
    if not args.quick:
        cases += [
            {"latency_ms": 150.0, "concurrency": 4},
            {"latency_ms": 150.0, "concurrency": 16},
            # Waiting on P21 is not CPU: more P21 calls in flight need more jobs in flight too.
            {"latency_ms": 150.0, "concurrency": 32, "jobs": 48},
        ]
    if args.outage:
        cases = [{"latency_ms": 0.0, "concurrency": 4, "outage": args.outage}]
    rows = []
    for case in cases:
        row = await run_case(args, **case)
        print(json.dumps(row))
        rows.append(row)
    meta = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "days": args.days,
        "seed": args.seed,
        "workers": args.workers,
        "rate": args.rate,
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return {"meta": meta, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=float, default=100.0, help="webhooks per second")
    parser.add_argument("--pool", type=int, default=16, help="HTTP connections")
    parser.add_argument("--workers", type=int, default=2, help="arq worker processes")
    parser.add_argument("--settle", type=float, default=600.0, help="seconds to wait")
    parser.add_argument(
        "--stripe-rps", type=float, default=100.0, help="Stripe requests/s per worker process"
    )
    parser.add_argument(
        "--warmup", type=float, default=10.0, help="seconds for the workers to start"
    )
    parser.add_argument("--outage", type=float, default=0.0, help="P21 outage at start (s)")
    parser.add_argument("--quick", action="store_true", help="only the 0 ms case")
    parser.add_argument("--check", action="store_true", help="also compare with the truth")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--jobs", type=int, default=16, help="concurrent jobs per worker")
    parser.add_argument(
        "--timeline", type=Path, default=None, help="write each event's receipt, wait and run"
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="py-spy each worker; stacks go to this folder"
    )
    args = parser.parse_args()
    report = asyncio.run(main_async(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"→ {args.out}")


if __name__ == "__main__":
    main()
