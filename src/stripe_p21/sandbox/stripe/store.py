"""Where the Stripe sandbox keeps its objects and events: one SQLite file (or memory).

`SandboxStore.put` and `emit_event` are also the scenario generator's way to insert any object.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from stripe_p21.sandbox.stripe.clock import Clock
from stripe_p21.sandbox.stripe.ids import IdFactory
from stripe_p21.sandbox.stripe.query import Filter, Page, page_query

SANDBOX_API_VERSION = "2026-10-28.endive"
"""API version stamped on events (the version stripe-python 16.1 pins)."""

StripeObj = dict[str, Any]
EventListener = Callable[[StripeObj], None]

_log = structlog.get_logger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    id TEXT PRIMARY KEY, object TEXT NOT NULL, created INTEGER NOT NULL,
    seq INTEGER NOT NULL, payout TEXT, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS objects_by_type ON objects (object, created, seq);
CREATE INDEX IF NOT EXISTS objects_by_payout ON objects (payout);
CREATE TABLE IF NOT EXISTS idempotency (
    scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (scope, key));
"""


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """The API request behind a change, copied into `event.request`."""

    id: str | None = None
    idempotency_key: str | None = None


@dataclass(slots=True)
class StoredResponse:
    """A response remembered under an idempotency key."""

    fingerprint: str
    status: int
    body: str


@dataclass
class SandboxStore:
    """Objects by id, listable newest first, plus events and idempotent responses."""

    db_path: str | Path = ":memory:"
    clock: Clock = field(default_factory=Clock)
    ids: IdFactory = field(default_factory=IdFactory)
    api_version: str = SANDBOX_API_VERSION
    endpoint_count: int = 0
    """How many webhook endpoints are configured: new events start with this `pending_webhooks`."""

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(self.db_path), check_same_thread=False)
        if str(self.db_path) != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        row = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM objects").fetchone()
        self._seq = int(row[0])
        self._listeners: list[EventListener] = []

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def put(self, obj: StripeObj, *, payout: str | None = None) -> StripeObj:
        """Insert or replace `obj` (it needs `id`, `object` and `created`); no event is sent."""
        with self._lock:
            row = self._db.execute(
                "SELECT seq, payout FROM objects WHERE id = ?", (obj["id"],)
            ).fetchone()
            if row is None:
                self._seq += 1
                seq, linked = self._seq, payout
            else:
                seq, linked = int(row[0]), payout or row[1]
            self._db.execute(
                "INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?, ?)",
                (obj["id"], obj["object"], int(obj["created"]), seq, linked, json.dumps(obj)),
            )
            self._db.commit()
        return obj

    def get(self, object_id: str, object_type: str | None = None) -> StripeObj | None:
        """The stored object, or None (also when it is of another type than `object_type`)."""
        with self._lock:
            row = self._db.execute(
                "SELECT object, body FROM objects WHERE id = ?", (object_id,)
            ).fetchone()
        if row is None or (object_type is not None and row[0] != object_type):
            return None
        return dict(json.loads(row[1]))

    def link_payout(self, payout_id: str, transaction_ids: Sequence[str]) -> None:
        """Record that these balance transactions were paid out in `payout_id`."""
        with self._lock:
            self._db.executemany(
                "UPDATE objects SET payout = ? WHERE id = ?",
                [(payout_id, txn) for txn in transaction_ids],
            )
            self._db.commit()

    def list(
        self,
        object_type: str,
        filters: Sequence[Filter] = (),
        *,
        limit: int = 10,
        starting_after: str | None = None,
        ending_before: str | None = None,
    ) -> Page:
        """One page, newest first; cursors are object ids (unknown cursor → LookupError)."""
        with self._lock:
            sql, params = page_query(
                self._db, object_type, filters, limit, starting_after, ending_before
            )
            rows = self._db.execute(sql, params).fetchall()
        has_more = len(rows) > limit
        rows = rows[:limit]
        if ending_before is not None and starting_after is None:
            rows.reverse()
        return Page(data=[json.loads(row[0]) for row in rows], has_more=has_more)

    def add_listener(self, listener: EventListener) -> None:
        """Call `listener(event)` for every event emitted from now on."""
        self._listeners.append(listener)

    def emit_event(
        self,
        event_type: str,
        obj: StripeObj,
        *,
        previous_attributes: StripeObj | None = None,
        request: RequestInfo | None = None,
    ) -> StripeObj:
        """Store a Stripe event carrying a snapshot of `obj` and hand it to the listeners."""
        data: StripeObj = {"object": json.loads(json.dumps(obj))}
        if previous_attributes is not None:
            data["previous_attributes"] = previous_attributes
        req = request or RequestInfo()
        event: StripeObj = {
            "id": self.ids.for_object("event"), "object": "event",
            "api_version": self.api_version, "created": self.clock.timestamp(), "data": data,
            "livemode": False, "pending_webhooks": self.endpoint_count,
            "request": {"id": req.id, "idempotency_key": req.idempotency_key},
            "type": event_type,
        }  # fmt: skip
        self.put(event)
        _log.info("sandbox.event", event_id=event["id"], type=event_type, object_id=obj.get("id"))
        for listener in list(self._listeners):
            listener(event)
        return event

    def mark_delivered(self, event_id: str) -> None:
        """One endpoint acknowledged the event: decrement its `pending_webhooks`."""
        with self._lock:
            event = self.get(event_id, "event")
            if event is not None and event["pending_webhooks"] > 0:
                event["pending_webhooks"] -= 1
                self.put(event)

    def recall(self, scope: str, key: str) -> StoredResponse | None:
        """The response stored under an idempotency key, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT fingerprint, status, body FROM idempotency WHERE scope = ? AND key = ?",
                (scope, key),
            ).fetchone()
        return None if row is None else StoredResponse(row[0], int(row[1]), row[2])

    def remember(self, scope: str, key: str, response: StoredResponse) -> None:
        """Store a response under an idempotency key (first writer wins)."""
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO idempotency VALUES (?, ?, ?, ?, ?)",
                (scope, key, response.fingerprint, response.status, response.body),
            )
            self._db.commit()
