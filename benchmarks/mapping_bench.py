"""Mapping-suggestion latency: one `suggest()` call for a 50x50 schema pair (target ≤ 100 ms),
cold (first call in the process) and warm, with and without 500 reviewer decisions in memory.

Run: ``.venv/bin/python benchmarks/mapping_bench.py [--runs 50]``; prints Markdown and writes
``benchmarks/results/mapping_suggest.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from stripe_p21.intelligence.mapping_suggest.catalogue import SCHEMAS, lookup
from stripe_p21.intelligence.mapping_suggest.memory import Decision, FeedbackMemory
from stripe_p21.intelligence.mapping_suggest.schema import Schema
from stripe_p21.intelligence.mapping_suggest.scorer import suggest

RESULTS = Path(__file__).parent / "results" / "mapping_suggest.json"


def schema_of(system: str, size: int, name: str) -> Schema:
    """`size` distinct fields drawn from every catalogue schema of `system` (samples kept)."""
    fields, seen = [], set()
    for key, schema in SCHEMAS.items():
        if not key.startswith(system):
            continue
        for field in schema.fields:
            if field.name not in seen and field.kind.value not in ("object", "list"):
                seen.add(field.name)
                fields.append(field)
    return Schema(name, "inline", tuple(fields[:size]))


def memory_of(source: Schema, target: Schema, count: int) -> FeedbackMemory:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    decisions = [
        Decision(source.key, target.key, t.name, s.name, None, (i % 3) != 0, at)
        for i, (t, s) in enumerate((t, s) for t in target.fields for s in source.fields)
        if i < count
    ]
    return FeedbackMemory.of(decisions)


def timed(runs: int, call: object) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 2),
        "max_ms": round(samples[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    source, target = schema_of("stripe.", 50, "stripe50"), schema_of("p21.", 50, "p21_50")
    assert len(source.fields) == 50 and len(target.fields) == 50
    started = time.perf_counter()
    suggest(source, target)
    cold = round((time.perf_counter() - started) * 1000, 2)
    memory = memory_of(source, target, 500)
    result = {
        "benchmark": "mapping_suggest",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "pair": "50 Stripe fields x 50 P21 fields",
        "cold_first_call_ms": cold,
        "warm": timed(args.runs, lambda: suggest(source, target)),
        "warm_with_500_decisions": timed(args.runs, lambda: suggest(source, target, memory=memory)),
        "seed_pair_charge_salesorder": timed(
            args.runs, lambda: suggest(lookup("Charge"), lookup("SalesOrder"))
        ),
        "target_ms": 100,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print("| case | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|")
    for case in ("warm", "warm_with_500_decisions", "seed_pair_charge_salesorder"):
        row = result[case]
        assert isinstance(row, dict)
        print(f"| {case} | {row['p50_ms']} | {row['p95_ms']} | {row['max_ms']} |")
    print(f"\ncold first call: {cold} ms (target: 100 ms per 50x50 pair)")


if __name__ == "__main__":
    main()
