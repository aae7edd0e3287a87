"""Which async handler processes which Stripe event type. `@handles("charge.succeeded")`
registers one; registering a type twice is an error at import time, not a silent override."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stripe_p21.pipeline.context import HandlerContext

Handler = Callable[["HandlerContext"], Awaitable[str | None]]
"""A handler gets the context; it returns None when done, or a note such as 'stale'."""


class DuplicateHandlerError(RuntimeError):
    """Two handlers claimed one event type."""


class HandlerRegistry:
    """Event type → handler."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def handles(self, *event_types: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for event_type in event_types:
                existing = self._handlers.get(event_type)
                if existing is not None:
                    raise DuplicateHandlerError(
                        f"{event_type!r} is handled by {existing.__qualname__} already; "
                        f"{handler.__qualname__} cannot register it again"
                    )
                self._handlers[event_type] = handler
            return handler

        return register

    def get(self, event_type: str) -> Handler | None:
        return self._handlers.get(event_type)

    def types(self) -> list[str]:
        return sorted(self._handlers)


registry = HandlerRegistry()
handles = registry.handles
