"""What a sandbox instance is: credentials, token behaviour, seed, database and injected faults.

Faults are mutable at run time (CLI flags, ``P21_SANDBOX_*`` environment variables, or
``PUT /sandbox/faults``) so a test or a person can make a healthy sandbox misbehave on demand.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any, Literal

from stripe_p21.sandbox.p21.seed import DEFAULT_SEED

DEFAULT_USERNAME = "api_user"
DEFAULT_PASSWORD = "p21-sandbox"  # noqa: S105 - the documented sandbox default
DEFAULT_CONSUMER_KEY = "sandbox-consumer-key"


@dataclass
class FaultConfig:
    """Misbehaviour to inject; every rate is a probability between 0 and 1."""

    latency_ms: float = 0.0
    """Fixed delay added to every P21 call."""
    jitter_ms: float = 0.0
    """Random extra delay, uniform between 0 and this."""
    error_rate: float = 0.0
    """Share of calls answered with ``error_status`` (an empty-bodied gateway error)."""
    error_status: int = 503
    session_pool_rate: float = 0.0
    """Share of writes refused with P21's 500 "Unexpected response window" (nothing committed)."""
    drop_rate: float = 0.0
    """Share of writes committed and then answered with a dropped connection."""
    drop_next: int = 0
    """The next N writes are committed and then answered with a dropped connection."""
    outages: list[tuple[float, float]] = field(default_factory=list)
    """Windows (monotonic start, end) during which every call gets 503."""

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial change (admin endpoint); ``outage_seconds`` opens a window from now."""
        known = {f.name for f in fields(self)} | {"outage_seconds"}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        for name, value in changes.items():
            if name == "outage_seconds":
                self.add_outage(0.0, float(value))
            elif name == "outages":
                self.outages = [(float(a), float(b)) for a, b in value]
            else:
                setattr(self, name, type(getattr(self, name))(value))
        self.validate()

    def add_outage(self, starts_in: float, lasts: float) -> None:
        now = time.monotonic()
        self.outages.append((now + starts_in, now + starts_in + lasts))

    def validate(self) -> None:
        for name in ("error_rate", "session_pool_rate", "drop_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.latency_ms < 0 or self.jitter_ms < 0 or self.drop_next < 0:
            raise ValueError("latency, jitter and drop_next must not be negative")

    def in_outage(self) -> bool:
        now = time.monotonic()
        return any(start <= now < end for start, end in self.outages)

    def reset(self) -> None:
        for f in fields(self):
            default = f.default_factory() if callable(f.default_factory) else f.default
            setattr(self, f.name, default)

    def to_dict(self) -> dict[str, Any]:
        now = time.monotonic()
        data = asdict(self)
        data["outages"] = [
            {"starts_in_s": round(a - now, 1), "ends_in_s": round(b - now, 1)}
            for a, b in self.outages
            if b > now
        ]
        return data


@dataclass
class SandboxConfig:
    """One sandbox: who may log in, how tokens behave, where data lives, what goes wrong."""

    username: str = DEFAULT_USERNAME
    password: str = field(default=DEFAULT_PASSWORD, repr=False)
    consumer_key: str = field(default=DEFAULT_CONSUMER_KEY, repr=False)
    company_id: str = "ACME"
    seed: int = DEFAULT_SEED
    today: date | None = None
    """The seed's "today" (periods, order and invoice dates); None → the real date. Set it to a
    scenario's start so a scenario always lands in open periods, whatever the real date."""
    db_path: str = ":memory:"
    token_lifetime: float = 86400.0
    """Seconds a token is valid (P21's default is a day)."""
    single_session: bool = False
    """A new token invalidates every earlier one (some P21 installs behave so)."""
    xml_tokens: bool = False
    """Answer token calls in XML even when JSON is accepted (older builds)."""
    expires_field: Literal["ExpiresIn", "ExpiresInSeconds"] = "ExpiresIn"
    token_v2: bool = True
    """False → ``/api/security/token/v2`` is 404, as on builds with only the legacy call."""
    faults: FaultConfig = field(default_factory=FaultConfig)
