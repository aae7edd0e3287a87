"""Fixtures of the order-to-cash tests: the whole system on loopback (both backends)."""

from __future__ import annotations

from tests.support.sync_stack import sync_stack_factory  # noqa: F401  (fixture)
