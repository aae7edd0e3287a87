"""`/api/mappings`: field-mapping suggestions, reviewer feedback, YAML export, the catalogue.
Bearer token required; feedback needs the reviewer role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import ClientException
from litestar.params import JSONBody, QueryParameter

from stripe_p21.auth.guards import requires
from stripe_p21.auth.tokens import authenticate
from stripe_p21.db.tables import TokenRole
from stripe_p21.intelligence.mapping_suggest import feedback
from stripe_p21.intelligence.mapping_suggest.catalogue import SCHEMAS, lookup
from stripe_p21.intelligence.mapping_suggest.schema import SchemaError
from stripe_p21.intelligence.mapping_suggest.scorer import SCORER_VERSION, Candidate
from stripe_p21.intelligence.mapping_suggest.service import suggest_mappings
from stripe_p21.intelligence.mapping_suggest.transforms import DESCRIPTIONS, Transform
from stripe_p21.runtime.services import Services


@dataclass
class ReasonView:
    kind: str
    score: float
    detail: str


@dataclass
class CandidateView:
    source: str
    transform: str
    expression: str
    confidence: float
    reasons: list[ReasonView]

    @classmethod
    def of(cls, c: Candidate) -> CandidateView:
        reasons = [ReasonView(r.kind, r.score, r.detail) for r in c.reasons]
        return cls(c.source, c.transform.value, c.expression, c.confidence, reasons)


@dataclass
class FieldView:
    target_field: str
    target_kind: str
    suggested: CandidateView | None
    candidates: list[CandidateView]


@dataclass
class SuggestionsView:
    source: str
    target: str
    version: str
    reranked: bool
    rerank_note: str | None
    fields: list[FieldView]


@dataclass
class FeedbackView:
    id: int
    source_schema: str
    target_schema: str
    target_field: str
    source: str
    transform: str | None
    accepted: bool
    note: str | None
    decided_by: str | None
    created_at: datetime


@dataclass
class SchemaSummary:
    key: str
    description: str
    fields: list[str]


def _schema_key(raw: object, what: str) -> str:
    """A stored schema key: a catalogue name (normalised) or `inline.<name>` as sent."""
    if not isinstance(raw, str) or not raw.strip():
        raise ClientException(f"{what} must be a catalogue name or inline.<name>")
    if raw.startswith("inline."):
        return raw
    try:
        return lookup(raw).key
    except SchemaError as exc:
        raise ClientException(str(exc)) from None


def _text(data: dict[str, Any], key: str, *, required: bool = True, limit: int = 256) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ClientException(f"{key} must be a non-empty string of at most {limit} characters")
    return value.strip()


def _check_fields(source_key: str, target_key: str, target_field: str, source: str) -> None:
    target = SCHEMAS.get(target_key)
    if target is not None and target_field not in target.by_name:
        raise ClientException(f"{target_key} has no field {target_field!r}")
    origin = SCHEMAS.get(source_key)
    if origin is not None and source not in origin.by_name and not source.startswith("metadata."):
        raise ClientException(f"{source_key} has no field {source!r} (metadata.<key> is allowed)")


class MappingController(Controller):
    path = "/api/mappings"
    tags = ["mappings"]

    @get("/catalogue", guards=[requires(TokenRole.VIEWER)], summary="Built-in schemas")
    async def catalogue(self) -> list[SchemaSummary]:
        return [
            SchemaSummary(key, schema.description, [f.name for f in schema.fields])
            for key, schema in SCHEMAS.items()
        ]

    @post(
        "/suggest",
        guards=[requires(TokenRole.VIEWER)],
        status_code=200,
        summary="Ranked source fields and transforms for each target field",
    )
    async def suggest(
        self, request: Request[Any, Any, State], data: JSONBody[dict[str, Any]]
    ) -> SuggestionsView:
        if "source" not in data or "target" not in data:
            raise ClientException("send `source` and `target`: catalogue names or JSON schemas")
        top_k = data.get("top_k", 3)
        if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= 20:
            raise ClientException("top_k must be an integer from 1 to 20")
        asked = data.get("rerank")
        if asked is not None and not isinstance(asked, bool):
            raise ClientException("rerank must be true or false")
        services: Services = request.app.state.services
        try:
            outcome = await suggest_mappings(
                services.sessions,
                services.settings.llm,
                source_spec=data["source"],
                target_spec=data["target"],
                top_k=top_k,
                rerank_asked=asked,
            )
        except SchemaError as exc:
            raise ClientException(str(exc)) from None
        fields = [
            FieldView(
                f.target,
                f.target_kind.value,
                CandidateView.of(f.suggested) if f.suggested else None,
                [CandidateView.of(c) for c in f.candidates],
            )
            for f in outcome.result.fields
        ]
        result = outcome.result
        return SuggestionsView(
            result.source,
            result.target,
            result.version,
            outcome.reranked,
            outcome.rerank_note,
            fields,
        )

    @post(
        "/feedback",
        guards=[requires(TokenRole.REVIEWER)],
        status_code=201,
        summary="Accept or reject a suggestion; later suggestions follow it",
    )
    async def record_feedback(
        self, request: Request[Any, Any, State], data: JSONBody[dict[str, Any]]
    ) -> FeedbackView:
        source_key = _schema_key(data.get("source_schema"), "source_schema")
        target_key = _schema_key(data.get("target_schema"), "target_schema")
        target_field = _text(data, "target_field", limit=128) or ""
        source = _text(data, "source") or ""
        transform = _text(data, "transform", required=False, limit=32)
        if transform is not None and transform not in {t.value for t in Transform}:
            raise ClientException(f"transform must be one of: {', '.join(DESCRIPTIONS)}")
        accepted = data.get("accepted")
        if not isinstance(accepted, bool):
            raise ClientException("accepted must be true or false")
        note = _text(data, "note", required=False, limit=2000)
        _check_fields(source_key, target_key, target_field, source)
        services: Services = request.app.state.services
        row = await feedback.record_decision(
            services.sessions,
            source_schema=source_key,
            target_schema=target_key,
            target_field=target_field,
            source=source,
            transform=transform,
            accepted=accepted,
            note=note,
            decided_by=await _token_name(request),
            scorer_version=SCORER_VERSION,
        )
        assert row.id is not None  # noqa: S101 - set by the insert
        return FeedbackView(
            row.id,
            row.source_schema,
            row.target_schema,
            row.target_field,
            row.source,
            row.transform,
            row.accepted,
            row.note,
            row.decided_by,
            row.created_at,
        )

    @get(
        "/export",
        guards=[requires(TokenRole.VIEWER)],
        summary="Accepted mappings as a config/mapping.yaml fragment",
        media_type="application/yaml",
    )
    async def export(
        self,
        request: Request[Any, Any, State],
        source: Annotated[str, QueryParameter(min_length=1, max_length=160)],
        target: Annotated[str, QueryParameter(min_length=1, max_length=160)],
    ) -> Response[str]:
        source_key = _schema_key(source, "source")
        target_key = _schema_key(target, "target")
        services: Services = request.app.state.services
        decisions = await feedback.load_decisions(services.sessions)
        accepted = feedback.accepted_mappings(decisions, source_key, target_key)
        body = feedback.export_yaml(source_key, target_key, accepted)
        return Response(body, media_type="application/yaml")


async def _token_name(request: Request[Any, Any, State]) -> str | None:
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    row = await authenticate(request.app.state.services.sessions, token)
    return row.name if row is not None else None
