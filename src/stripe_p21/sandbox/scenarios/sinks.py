"""Where a planned scenario goes: straight into an in-process `StripeSandbox`, or into an
already-running sandbox through its `/_sandbox` admin API. Either way the sandbox stores each
object, stamps events with the simulated clock and delivers them signed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from stripe_p21.sandbox.stripe import StripeSandbox

StripeObj = dict[str, Any]


class ScenarioSink(Protocol):
    """The four things a scenario does to a Stripe sandbox."""

    def set_time(self, at: int) -> None:
        """Move the sandbox's simulated clock to Unix time `at`."""
        ...

    def put(self, obj: StripeObj, payout: str | None) -> None:
        """Store `obj` (linked to `payout` when given) without an event."""
        ...

    def emit(self, event_type: str, obj: StripeObj, previous: StripeObj | None) -> str:
        """Store `obj`, send an event about it and return the event id."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class LocalSink:
    """Writes into a `StripeSandbox` in this process."""

    def __init__(self, box: StripeSandbox) -> None:
        self.box = box

    def set_time(self, at: int) -> None:
        self.box.clock.set(datetime.fromtimestamp(at, UTC))

    def put(self, obj: StripeObj, payout: str | None) -> None:
        self.box.store.put(obj, payout=payout)

    def emit(self, event_type: str, obj: StripeObj, previous: StripeObj | None) -> str:
        self.box.store.put(obj)
        event = self.box.store.emit_event(event_type, obj, previous_attributes=previous)
        return str(event["id"])

    def close(self) -> None:
        return None


class AdminApiSink:
    """Writes into a running sandbox over HTTP (`POST /_sandbox/objects`, `/_sandbox/clock`)."""

    def __init__(
        self, base_url: str, api_key: str, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=30.0,
            transport=transport,
        )

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self._http.post(path, json=body)
        if response.status_code != 200:
            raise RuntimeError(f"sandbox refused {path}: {response.status_code} {response.text}")
        answer: dict[str, Any] = response.json()
        return answer

    def set_time(self, at: int) -> None:
        self._post("/_sandbox/clock", {"set": at})

    def put(self, obj: StripeObj, payout: str | None) -> None:
        self._post("/_sandbox/objects", {"object": obj, "payout": payout})

    def emit(self, event_type: str, obj: StripeObj, previous: StripeObj | None) -> str:
        body = {"object": obj, "event": event_type, "previous": previous}
        return str(self._post("/_sandbox/objects", body)["id"])

    def close(self) -> None:
        self._http.close()
