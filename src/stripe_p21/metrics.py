"""Prometheus metrics of this process: ingestion, rejections, job outcomes and durations."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

EVENTS_RECEIVED = Counter(
    "stripe_p21_events_received_total",
    "Webhook events accepted, by type and outcome (stored or duplicate).",
    ["type", "outcome"],
    registry=REGISTRY,
)
EVENTS_PROCESSED = Counter(
    "stripe_p21_events_processed_total",
    "Job runs that ended, by event type and outcome.",
    ["type", "outcome"],
    registry=REGISTRY,
)
WEBHOOK_REJECTED = Counter(
    "stripe_p21_webhook_rejected_total",
    "Webhook deliveries refused, by reason.",
    ["reason"],
    registry=REGISTRY,
)
INGEST_LATENCY = Histogram(
    "stripe_p21_ingest_seconds",
    "Time from request start to the 2xx answer for stored events.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    registry=REGISTRY,
)
JOB_DURATION = Histogram(
    "stripe_p21_job_seconds",
    "Duration of process_event runs, by event type.",
    ["type"],
    buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
ENQUEUE_FAILURES = Counter(
    "stripe_p21_enqueue_failures_total",
    "Enqueue attempts that failed (the sweeper enqueues those events later).",
    registry=REGISTRY,
)
EVENTS_BY_STATUS = Gauge(
    "stripe_p21_events",
    "Inbox events by status, read from the database at scrape time.",
    ["status"],
    registry=REGISTRY,
)
DUE_RETRIES = Gauge(
    "stripe_p21_due_retries",
    "Failed events whose next attempt is due now, read at scrape time.",
    registry=REGISTRY,
)
DEAD_EVENTS = Gauge(
    "stripe_p21_dead_events",
    "Events that exhausted their attempts, read at scrape time.",
    registry=REGISTRY,
)
