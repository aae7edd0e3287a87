"""Webhook ingestion benchmark: events/s and acknowledgement latency for (a) a no-op route on the
same server and settings (the framework floor), (b) the webhook on SQLite (embedded mode),
(c) the webhook on PostgreSQL + Redis (production mode). The server runs in its own processes
(uvicorn workers); this process is the load generator. Loopback only.

    .venv/bin/python benchmarks/webhook_ingest.py [--targets noop,sqlite,postgres] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.loadgen import Result, build_request, closed_loop, open_loop
from stripe_p21.connectors.stripe.signature import sign

ROOT = Path(__file__).resolve().parents[1]
SECRET = "whsec_benchmark_secret_0123456789"  # noqa: S105 - loopback benchmark only
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def event_body(n: int) -> bytes:
    """A realistic ~1.3 KB charge.succeeded snapshot with a unique id."""
    event = {
        "id": f"evt_bench{uuid.uuid4().hex[:16]}{n}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": f"req_{n}", "idempotency_key": str(uuid.uuid4())},
        "type": "charge.succeeded",
        "data": {
            "object": {
                "id": f"ch_3Q{uuid.uuid4().hex[:22]}",
                "object": "charge",
                "amount": 125_000,
                "amount_captured": 125_000,
                "amount_refunded": 0,
                "currency": "usd",
                "customer": "cus_Q1bench",
                "description": "Order 1000123 - ACME Plumbing Supply",
                "metadata": {"p21_order_no": "1000123", "ecommerce_order": f"WEB-{n}"},
                "outcome": {
                    "network_status": "approved_by_network",
                    "risk_level": "normal",
                    "risk_score": 12,
                    "seller_message": "Payment complete.",
                    "type": "authorized",
                },
                "paid": True,
                "payment_intent": f"pi_3Q{n}",
                "status": "succeeded",
                "payment_method_details": {
                    "type": "card",
                    "card": {
                        "brand": "visa",
                        "last4": "4242",
                        "exp_month": 12,
                        "exp_year": 2030,
                        "country": "US",
                    },
                },
                "billing_details": {
                    "email": "ap@acmeplumbing.example",
                    "name": "ACME Plumbing",
                    "address": {
                        "city": "Dayton",
                        "country": "US",
                        "line1": "12 Main St",
                        "postal_code": "45402",
                        "state": "OH",
                    },
                },
                "balance_transaction": f"txn_3Q{n}",
                "created": int(time.time()),
            }
        },
    }
    return json.dumps(event, separators=(",", ":")).encode()


def signed_requests(port: int, path: str, count: int) -> list[bytes]:
    out = []
    for n in range(count):
        body = event_body(n)
        out.append(
            build_request("127.0.0.1", port, path, body, {"Stripe-Signature": sign(body, SECRET)})
        )
    return out


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def server_env(target: str, tmp: Path) -> tuple[dict[str, str], str | None]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE", "P21_"))}
    env |= {
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "STRIPE_P21_LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }
    database = None
    if target == "postgres":
        database = f"stripe_p21_bench_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(f'CREATE DATABASE "{database}"'))
        base = PG_ADMIN.rsplit("/", 1)[0]
        env["STRIPE_P21_DATABASE_URL"] = f"{base}/{database}"
        env["STRIPE_P21_REDIS_URL"] = REDIS
        env["STRIPE_P21_QUEUE_NAME"] = f"stripe_p21:bench:{uuid.uuid4().hex[:6]}"
        env["STRIPE_P21_DB_POOL_SIZE"] = "20"
        subprocess.run(
            [sys.executable, "-m", "stripe_p21", "db", "upgrade"],
            env=env,
            check=True,
            capture_output=True,
        )
    else:
        env["STRIPE_P21_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp}/bench.db"
    return env, database


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: S603 - uvicorn with our factory, loopback only
        [
            sys.executable,
            "-m",
            "uvicorn",
            "benchmarks.bench_app:create",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not become ready")


def describe(name: str, result: Result) -> dict[str, object]:
    return {
        "target": name,
        "ok": result.ok,
        "errors": result.errors,
        "statuses": result.statuses,
        "events_per_s": round(result.rate, 1),
        "p50_ms": round(result.percentile(0.50), 2),
        "p99_ms": round(result.percentile(0.99), 2),
        "seconds": round(result.seconds, 2),
    }


def run_target(target: str, args: argparse.Namespace) -> list[dict[str, object]]:
    port = free_port()
    path = "/bench/noop" if target == "noop" else "/webhooks/stripe"
    with tempfile.TemporaryDirectory() as tmp:
        env, database = server_env("sqlite" if target == "noop" else target, Path(tmp))
        server = start_server(env, port, args.workers)
        try:
            warm = signed_requests(port, path, 500)
            asyncio.run(closed_loop("127.0.0.1", port, warm, args.connections))
            burst = signed_requests(port, path, args.events)
            peak = asyncio.run(closed_loop("127.0.0.1", port, burst, args.connections))
            steady_reqs = signed_requests(port, path, int(args.rate * args.seconds))
            steady = asyncio.run(open_loop("127.0.0.1", port, steady_reqs, args.rate, 64))
        finally:
            server.terminate()
            server.wait(timeout=30)
            if database:
                asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    return [describe(f"{target} max", peak), describe(f"{target} steady {args.rate:g}/s", steady)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", default="noop,sqlite,postgres")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=128)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", default=str(ROOT / "benchmarks/results/webhook_ingest.json"))
    args = parser.parse_args()
    rows: list[dict[str, object]] = []
    for target in args.targets.split(","):
        rows += run_target(target, args)
        print(json.dumps(rows[-2]), json.dumps(rows[-1]), sep="\n", flush=True)
    print(f"\n{'target':<26}{'events/s':>10}{'p50 ms':>9}{'p99 ms':>9}  statuses")
    for row in rows:
        print(
            f"{row['target']:<26}{row['events_per_s']:>10}{row['p50_ms']:>9}{row['p99_ms']:>9}"
            f"  {row['statuses']}"
        )
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "workers": args.workers,
        "connections": args.connections,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    Path(args.json).write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
