"""The whole-system fixture for the scenario test (tests/support/sync_stack.py)."""

from tests.support.sync_stack import sync_stack_factory  # noqa: F401  (fixture)
