"""What a handler gets: the stored event, its payload, sessions and the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.db.tables import StripeEvent
from stripe_p21.settings import Settings

if TYPE_CHECKING:
    from stripe_p21.connectors.p21.gateway import P21Gateway
    from stripe_p21.connectors.stripe.gateway import StripeGateway
    from stripe_p21.pipeline.gateways import Gateways
    from stripe_p21.pipeline.mapping.config import MappingConfig


@dataclass(frozen=True, slots=True)
class HandlerContext:
    """Everything one handler run needs; gateways join it as the sync flows arrive."""

    event: StripeEvent
    payload: dict[str, Any]
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    log: structlog.typing.FilteringBoundLogger
    gateways: Gateways | None = None

    def _gateways(self) -> Gateways:
        if self.gateways is None:
            from stripe_p21.pipeline.gateways import Gateways

            object.__setattr__(self, "gateways", Gateways(self.settings))
        assert self.gateways is not None  # noqa: S101 - set just above
        return self.gateways

    @property
    def stripe(self) -> StripeGateway:
        return self._gateways().stripe

    @property
    def p21(self) -> P21Gateway:
        return self._gateways().p21

    @property
    def mapping(self) -> MappingConfig:
        return self._gateways().mapping

    @property
    def matcher(self) -> Any:
        return self._gateways().matcher

    @property
    def object(self) -> dict[str, Any]:
        """`data.object` of the event: the snapshot Stripe sent."""
        data = self.payload.get("data") or {}
        obj = data.get("object") if isinstance(data, dict) else None
        return obj if isinstance(obj, dict) else {}

    @property
    def created(self) -> datetime:
        return self.event.created
