"""End-to-end fixtures: the whole system on loopback (tests/support/sync_stack.py) on both
backends, and the `acceptance` marker for the issue's acceptance scenarios."""

from __future__ import annotations

import pytest

from tests.support.sync_stack import sync_stack_factory  # noqa: F401  (fixture)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "acceptance: the issue's acceptance scenario, compared with the ground truth"
    )
