"""Stripe-looking object ids (`ch_…`, `cus_…`, `evt_…`), reproducible when seeded.

A seeded factory lets the scenario generator produce the same ids for the same seed.
"""

from __future__ import annotations

import random
import secrets
import string
import threading

_ALPHABET = string.ascii_letters + string.digits

PREFIXES: dict[str, str] = {
    "balance_transaction": "txn",
    "charge": "ch",
    "customer": "cus",
    "dispute": "dp",
    "event": "evt",
    "invoice": "in",
    "payment_intent": "pi",
    "payout": "po",
    "radar.early_fraud_warning": "issfr",
    "refund": "re",
    "request": "req",
    "review": "prv",
    "subscription": "sub",
}
"""Id prefix of each object type the sandbox creates."""

_LENGTHS = {"cus": 14, "req": 14}


class IdFactory:
    """Makes unique ids; with a seed the sequence is the same on every run."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng: random.Random | None = random.Random(seed) if seed is not None else None  # noqa: S311
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        """A fresh id such as `ch_3Qx…` for the given prefix (without underscore)."""
        length = _LENGTHS.get(prefix, 24)
        with self._lock:
            if self._rng is not None:
                body = "".join(self._rng.choice(_ALPHABET) for _ in range(length))
            else:
                body = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        return f"{prefix}_{body}"

    def for_object(self, object_type: str) -> str:
        """A fresh id with the prefix Stripe uses for `object_type`."""
        return self.new(PREFIXES[object_type])

    def secret(self, object_id: str) -> str:
        """A client secret in Stripe's `<id>_secret_<random>` form."""
        return f"{object_id}_secret_{self.new('s')[2:]}"
