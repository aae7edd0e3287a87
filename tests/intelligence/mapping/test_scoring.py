"""Pure pieces of mapping suggestions: lexicon, transforms, features, the scorer (snapshots),
and how reviewer memory moves suggestions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from syrupy.assertion import SnapshotAssertion

from stripe_p21.intelligence.mapping_suggest import features as ft
from stripe_p21.intelligence.mapping_suggest.catalogue import lookup, resolve
from stripe_p21.intelligence.mapping_suggest.lexicon import concepts, split_words
from stripe_p21.intelligence.mapping_suggest.memory import Decision, FeedbackMemory
from stripe_p21.intelligence.mapping_suggest.schema import Kind, SchemaError, parse_inline_schema
from stripe_p21.intelligence.mapping_suggest.scorer import SuggestionSet, suggest
from stripe_p21.intelligence.mapping_suggest.transforms import Transform, apply, minor_to_decimal

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def _table(result: SuggestionSet) -> list[str]:
    """A readable line per target field: the suggestion and the runners-up with confidences."""
    lines = []
    for f in result.fields:
        mark = f.suggested.expression if f.suggested else "(none)"
        others = ", ".join(f"{c.expression}={c.confidence:.3f}" for c in f.candidates)
        lines.append(f"{f.target} <- {mark} | {others}")
    return lines


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("PONumber", ["po", "number"]),
        ("billing_details.address.line1", ["billing", "details", "address", "line", "1"]),
        ("totalamt", ["total", "amt"]),
        ("customernbr", ["customer", "nbr"]),
        ("ORD_DT", ["ord", "dt"]),
    ],
)
def test_names_split_into_words(name: str, words: list[str]) -> None:
    assert split_words(name) == words


def test_abbreviations_and_synonyms_meet_on_one_concept() -> None:
    assert concepts("CUST_NO") == concepts("customer_id") == ["customer", "number"]
    assert concepts("TotalAmount") == ["amount"]
    assert concepts("ZIP") == concepts("postal_code")[:1]


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (12500, "usd", "125.00"),
        (12500, "jpy", "12500"),
        (12345, "kwd", "12.345"),
        (-393, "cad", "-3.93"),
    ],
)
def test_minor_units_become_decimals_by_currency_exponent(
    amount: int, currency: str, expected: str
) -> None:
    assert minor_to_decimal(amount, currency) == Decimal(expected)


def test_transforms_applied_to_samples() -> None:
    assert apply(Transform.UNIX_TO_DATE, 1764028800) == "2025-11-25"
    assert apply(Transform.BOOL_TO_FLAG, True) == "Y"
    assert apply(Transform.UPPER, "usd") == "USD"
    assert apply(Transform.MINOR_TO_DECIMAL, "not a number") == "not a number"


def test_name_similarity_prefers_the_closer_field() -> None:
    target = ft.name_concepts("TotalAmount")
    assert ft.name_similarity(target, ft.name_concepts("amount")) > ft.name_similarity(
        target, ft.name_concepts("amount_refunded")
    )
    generic = ft.name_similarity(ft.name_concepts("company_no"), ft.name_concepts("id"))
    assert generic < 0.3


def test_seed_table_suggestions(snapshot: SnapshotAssertion) -> None:
    result = suggest(lookup("stripe.Charge"), lookup("p21.SalesOrder"))
    assert _table(result) == snapshot
    by_target = {f.target: f for f in result.fields}
    assert by_target["TotalAmount"].suggested is not None
    assert by_target["TotalAmount"].suggested.transform is Transform.MINOR_TO_DECIMAL
    assert by_target["CustomerNumber"].suggested is not None
    assert by_target["CustomerNumber"].suggested.transform is Transform.CUSTOMER_LINK
    assert by_target["Taker"].suggested is None


def test_refund_to_rma_suggestions(snapshot: SnapshotAssertion) -> None:
    assert _table(suggest(lookup("Refund"), lookup("rma"))) == snapshot


def test_suggestions_are_deterministic() -> None:
    first = suggest(lookup("Invoice"), lookup("invoice_hdr"))
    assert all(first == suggest(lookup("Invoice"), lookup("invoice_hdr")) for _ in range(3))


def test_every_candidate_says_why() -> None:
    result = suggest(lookup("Payout"), lookup("gl_line"))
    for field in result.fields:
        for candidate in field.candidates:
            kinds = {r.kind for r in candidate.reasons}
            assert kinds & {"name", "metadata", "feedback"}, candidate


def _decision(target: str, source: str, *, accepted: bool, pair: tuple[str, str]) -> Decision:
    return Decision(pair[0], pair[1], target, source, None, accepted, NOW)


def test_accepted_feedback_boosts_and_rejected_excludes() -> None:
    source, target = lookup("Charge"), lookup("SalesOrder")
    pair = (source.key, target.key)
    before = {f.target: f for f in suggest(source, target).fields}
    assert before["PaymentAmount"].candidates[0].source == "amount"
    memory = FeedbackMemory.of(
        [
            _decision("PaymentAmount", "amount", accepted=False, pair=pair),
            _decision("PaymentAmount", "amount_captured", accepted=True, pair=pair),
            _decision("Taker", "metadata.taker", accepted=True, pair=pair),
        ]
    )
    after = {f.target: f for f in suggest(source, target, memory=memory).fields}
    paid = after["PaymentAmount"]
    assert "amount" not in {c.source for c in paid.candidates}
    assert paid.suggested is not None and paid.suggested.source == "amount_captured"
    assert paid.suggested.confidence >= 0.97
    assert paid.suggested.reasons[0].kind == "feedback"
    taker = after["Taker"].suggested
    assert taker is not None and taker.source == "metadata.taker"


def test_latest_decision_wins() -> None:
    source, target = lookup("Charge"), lookup("SalesOrder")
    pair = (source.key, target.key)
    rejected = _decision("TotalAmount", "amount", accepted=False, pair=pair)
    accepted = Decision(
        *pair, "TotalAmount", "amount", None, True, datetime(2026, 2, 1, tzinfo=UTC)
    )
    memory = FeedbackMemory.of([accepted, rejected])  # order of arrival does not matter
    total = {f.target: f for f in suggest(source, target, memory=memory).fields}["TotalAmount"]
    assert total.suggested is not None and total.suggested.source == "amount"


def test_decisions_on_other_schema_pairs_nudge() -> None:
    source, target = lookup("PaymentIntent"), lookup("SalesOrder")
    plain = {f.target: f for f in suggest(source, target).fields}["PaymentAmount"]
    other = ("stripe.Charge", "p21.SalesOrder")
    memory = FeedbackMemory.of([_decision("PaymentAmount", "amount", accepted=True, pair=other)])
    nudged = {f.target: f for f in suggest(source, target, memory=memory).fields}["PaymentAmount"]
    before = next(c.confidence for c in plain.candidates if c.source == "amount")
    after = next(c.confidence for c in nudged.candidates if c.source == "amount")
    assert after > before


def test_inline_json_schema_with_metadata_samples() -> None:
    schema = parse_inline_schema(
        {
            "title": "web_payment",
            "properties": {
                "amount": {"type": "integer", "examples": [12500]},
                "metadata": {"type": "object", "examples": [{"erp_order": "1004417"}]},
                "billing": {
                    "type": "object",
                    "properties": {"email": {"type": "string", "format": "email"}},
                },
            },
        }
    )
    assert [f.name for f in schema.fields] == [
        "amount",
        "metadata",
        "metadata.erp_order",
        "billing.email",
    ]
    assert schema.by_name["billing.email"].kind is Kind.EMAIL
    result = {f.target: f for f in suggest(schema, lookup("SalesOrder")).fields}
    assert result["OrderNumber"].candidates[0].source == "metadata.erp_order"
    total = result["TotalAmount"].suggested
    assert total is not None and total.transform is Transform.MINOR_TO_DECIMAL


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("stripe.Nope", "no schema"),
        ({"name": "x"}, "needs `fields`"),
        ({"name": "x", "fields": [{"name": "a", "type": "blob"}]}, "unknown type"),
        ({"name": "x", "fields": [{"name": "a b"}]}, "field name"),
        ({"name": "x", "fields": [{"name": "a"}, {"name": "a"}]}, "twice"),
        ({"name": "x", "fields": []}, "no fields"),
        (["not", "an", "object"], "catalogue name or a JSON object"),
    ],
)
def test_bad_schemas_are_refused_clearly(spec: object, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        resolve(spec)


def test_a_field_without_a_source_gets_a_metadata_key_to_carry_it() -> None:
    result = {f.target: f for f in suggest(lookup("Charge"), lookup("SalesOrder")).fields}
    taker = result["Taker"]
    assert taker.suggested is None
    assert any(c.source == "metadata.taker" for c in taker.candidates)
