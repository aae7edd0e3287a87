"""The external systems a handler talks to, built once per process on first use.

Handlers never import `stripe`, `httpx` or `openai`: they get a `StripeGateway`, a `P21Gateway`,
the validated mapping configuration and (optionally) the customer matcher from here. Tests and
the dry-run pass their own objects in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from stripe_p21.pipeline.errors import PermanentError
from stripe_p21.pipeline.mapping.config import MappingConfig, load_mapping
from stripe_p21.settings import Settings

if TYPE_CHECKING:
    from stripe_p21.connectors.p21.gateway import P21Gateway
    from stripe_p21.connectors.stripe.gateway import StripeGateway

MatcherFactory = Callable[["Gateways"], Any]
"""Builds the customer matcher (intelligence/matching) from the gateways; None → no fuzzy hook."""


class GatewayNotConfigured(PermanentError):
    """A handler needs a system whose credentials are not set."""


class Gateways:
    def __init__(
        self,
        settings: Settings,
        *,
        stripe: StripeGateway | None = None,
        p21: P21Gateway | None = None,
        mapping: MappingConfig | None = None,
        matcher: Any = None,
        matcher_factory: MatcherFactory | None = None,
    ) -> None:
        self.settings = settings
        self._stripe = stripe
        self._p21 = p21
        self._mapping = mapping
        self._matcher = matcher
        self._matcher_factory = matcher_factory
        self._owned: list[Any] = []

    @property
    def mapping(self) -> MappingConfig:
        if self._mapping is None:
            self._mapping = load_mapping(self.settings.sync.mapping_file)
        return self._mapping

    @property
    def stripe(self) -> StripeGateway:
        if self._stripe is None:
            from stripe_p21.connectors.stripe.client import StripeClientGateway

            if self.settings.stripe.stripe_api_key is None:
                raise GatewayNotConfigured("STRIPE_API_KEY is not set: cannot re-fetch from Stripe")
            self._stripe = StripeClientGateway.from_settings(self.settings.stripe)
            self._owned.append(self._stripe)
        return self._stripe

    @property
    def p21(self) -> P21Gateway:
        if self._p21 is None:
            from stripe_p21.connectors.p21.client import P21Client

            client = P21Client.from_settings(self.settings.p21)
            self._p21 = client
            self._owned.append(client)
        return self._p21

    @property
    def matcher(self) -> Any:
        """The customer matcher, or None when the mapping turns the fuzzy hook off."""
        if self.mapping.customers.match_hook == "none":
            return None
        if self._matcher is None and self._matcher_factory is not None:
            self._matcher = self._matcher_factory(self)
        return self._matcher

    async def aclose(self) -> None:
        for owned in self._owned:
            await owned.aclose()
        self._owned.clear()
