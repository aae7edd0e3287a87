"""`/api/customers/match`: match a Stripe customer against P21, and record reviewer decisions
(honoured by later matches, exported as training data). Bearer token required."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import ClientException
from litestar.params import JSONBody

from stripe_p21.auth.guards import requires
from stripe_p21.auth.tokens import authenticate
from stripe_p21.connectors.p21 import P21Client
from stripe_p21.db.tables import TokenRole
from stripe_p21.intelligence.matching.decisions import DecisionKind, record_decision, training_rows
from stripe_p21.intelligence.matching.hook import CustomerMatcher, MatchOutcome, build_matcher
from stripe_p21.intelligence.matching.matcher import Candidate
from stripe_p21.runtime.services import Services

_MATCHER = "customer_matcher"


@dataclass
class MatchRequest:
    customer: dict[str, Any]
    """A Stripe Customer object (name, email, phone, address, description, metadata, id)."""


@dataclass
class MatchView:
    decision: str
    p21_customer_id: int | None
    probability: float
    reason: str
    model_version: str
    candidates: list[Candidate]

    @classmethod
    def of(cls, outcome: MatchOutcome) -> MatchView:
        return cls(outcome.decision, outcome.p21_customer_id, outcome.probability,
                   outcome.reason, outcome.model_version, outcome.candidates)  # fmt: skip


@dataclass
class DecisionRequest:
    stripe_customer_id: str
    decision: DecisionKind
    p21_customer_id: int | None = None
    note: str | None = None
    features: dict[str, float | None] | None = None


@dataclass
class DecisionView:
    stripe_customer_id: str
    p21_customer_id: int | None
    decision: str
    reviewer: str


def _matcher(request: Request[Any, Any, State]) -> CustomerMatcher:
    state = request.app.state
    matcher: CustomerMatcher | None = state.get(_MATCHER)
    if matcher is None:
        services: Services = state.services
        settings = services.settings
        p21 = settings.p21
        configured = p21.username is not None or p21.client_secret is not None
        gateway = P21Client.from_settings(p21) if configured else None
        matcher = build_matcher(settings, services.sessions, gateway)
        state[_MATCHER] = matcher
    return matcher


def _validate(customer: dict[str, Any]) -> None:
    if not any(customer.get(k) for k in ("name", "email", "phone", "description", "address")):
        raise ClientException("customer needs at least a name, email, phone or address")
    address = customer.get("address")
    if address is not None and not isinstance(address, dict):
        raise ClientException("customer.address must be an object (line1, city, postal_code…)")
    for field in ("name", "email", "phone", "description"):
        if customer.get(field) is not None and not isinstance(customer[field], str):
            raise ClientException(f"customer.{field} must be a string")


class CustomerMatchController(Controller):
    path = "/api/customers/match"
    tags = ["customers"]

    @post("/", guards=[requires(TokenRole.VIEWER)], status_code=200,
          summary="Ranked P21 candidates for a Stripe customer")  # fmt: skip
    async def match(
        self, request: Request[Any, Any, State], data: JSONBody[MatchRequest]
    ) -> MatchView:
        _validate(data.customer)
        return MatchView.of(await _matcher(request).match(data.customer))

    @post("/decisions", guards=[requires(TokenRole.REVIEWER)], status_code=201,
          summary="Record a reviewer's decision on a pair")  # fmt: skip
    async def decide(
        self, request: Request[Any, Any, State], data: JSONBody[DecisionRequest]
    ) -> DecisionView:
        if (data.decision is DecisionKind.NEW) != (data.p21_customer_id is None):
            raise ClientException("'new' takes no p21_customer_id; 'link'/'reject' need one")
        services: Services = request.app.state.services
        token = request.headers.get("authorization", "").partition(" ")[2].strip()
        row = await authenticate(services.sessions, token)
        reviewer = row.name if row is not None else "unknown"
        matcher = _matcher(request)
        saved = await record_decision(
            services.sessions, stripe_customer_id=data.stripe_customer_id,
            p21_customer_id=data.p21_customer_id, decision=data.decision, reviewer=reviewer,
            note=data.note, features=data.features, model_version=matcher.model.version,
        )  # fmt: skip
        return DecisionView(saved.stripe_customer_id, saved.p21_customer_id,
                            saved.decision.value, saved.reviewer)  # fmt: skip

    @get("/decisions/export", guards=[requires(TokenRole.ADMIN)],
         summary="Reviewer decisions as labelled training rows")  # fmt: skip
    async def export(self, request: Request[Any, Any, State]) -> list[dict[str, Any]]:
        services: Services = request.app.state.services
        return await training_rows(services.sessions)
