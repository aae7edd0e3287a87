"""What a handler gets: the stored event, its payload, sessions and the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.db.tables import StripeEvent
from stripe_p21.settings import Settings


@dataclass(frozen=True, slots=True)
class HandlerContext:
    """Everything one handler run needs; gateways join it as the sync flows arrive."""

    event: StripeEvent
    payload: dict[str, Any]
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    log: structlog.typing.FilteringBoundLogger

    @property
    def object(self) -> dict[str, Any]:
        """`data.object` of the event: the snapshot Stripe sent."""
        data = self.payload.get("data") or {}
        obj = data.get("object") if isinstance(data, dict) else None
        return obj if isinstance(obj, dict) else {}

    @property
    def created(self) -> datetime:
        return self.event.created
