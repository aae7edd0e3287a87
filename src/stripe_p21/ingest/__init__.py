"""Ingest: verify, persist, enqueue — the only work done while Stripe waits for an answer."""
