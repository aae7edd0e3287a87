"""The LLM gateway and the optional re-rank, against a fake OpenAI-compatible server on
loopback (the real `openai` client, never the internet)."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr
from syrupy.assertion import SnapshotAssertion

from stripe_p21.intelligence.llm import LLMGateway, LLMUnavailable, load_prompt
from stripe_p21.intelligence.mapping_suggest.catalogue import lookup
from stripe_p21.intelligence.mapping_suggest.rerank import render_rerank_prompt, rerank
from stripe_p21.intelligence.mapping_suggest.scorer import DEFAULT_WEIGHTS, suggest
from stripe_p21.logging import register_secrets
from stripe_p21.settings import LLMSettings
from tests.intelligence.mapping.fake_openai import fake_openai

KEY = "sk-test-very-secret-key-123456"


def _settings(base_url: str, **extra: object) -> LLMSettings:
    return LLMSettings(
        OPENAI_API_KEY=SecretStr(KEY),
        OPENAI_BASE_URL=base_url,
        STRIPE_P21_LLM_TIMEOUT_SECONDS=extra.get("timeout", 5.0),
        STRIPE_P21_LLM_MAX_RETRIES=0,
        STRIPE_P21_LLM_MODEL="fake-model",
    )


def _pair() -> tuple[object, object]:
    return lookup("Charge"), lookup("SalesOrder")


def test_rendered_prompt(snapshot: SnapshotAssertion) -> None:
    source, target = lookup("Refund"), lookup("rma")
    result = suggest(source, target, top_k=2)
    assert render_rerank_prompt(result, source, target) == snapshot


def test_prompts_are_versioned_files() -> None:
    prompt = load_prompt("mapping_rerank", "v1")
    assert prompt.id == "mapping_rerank.v1" and "$fields" in prompt.template
    with pytest.raises(ValueError, match="bad prompt id"):
        load_prompt("../secrets", "v1")


async def test_rerank_reorders_known_candidates_only() -> None:
    source, target = lookup("Charge"), lookup("SalesOrder")
    result = suggest(source, target)
    answer = {"fields": {"PaymentAmount": ["amount_captured", "invented_field", "amount"]}}
    async with (
        fake_openai(replies=[json.dumps(answer)]) as fake,
        LLMGateway(_settings(fake.base_url)) as gateway,
    ):
        ranked, note = await rerank(
            result, source, target, gateway, threshold=DEFAULT_WEIGHTS.threshold
        )
    assert note is None
    field = {f.target: f for f in ranked.fields}["PaymentAmount"]
    assert [c.source for c in field.candidates][:2] == ["amount_captured", "amount"]
    assert "invented_field" not in {c.source for c in field.candidates}
    assert field.candidates[0].reasons[-1].kind == "llm"
    assert ranked.version.endswith("+mapping_rerank.v1")
    sent = fake.requests[0]
    assert sent["model"] == "fake-model" and sent["temperature"] == 0
    assert sent["response_format"] == {"type": "json_object"}
    assert fake.headers[0]["authorization"] == f"Bearer {KEY}"
    untouched = {f.target: f for f in ranked.fields}["TotalAmount"]
    assert untouched == {f.target: f for f in result.fields}["TotalAmount"]


@pytest.mark.parametrize(
    ("reply", "why"),
    [("this is not json", "not JSON"), ("[1, 2]", "not a JSON object"), (500, "HTTP 500")],
)
async def test_bad_answers_fall_back_to_the_deterministic_result(
    reply: str | int, why: str
) -> None:
    register_secrets([KEY])
    source, target = lookup("Charge"), lookup("SalesOrder")
    result = suggest(source, target)
    async with (
        fake_openai(replies=[reply]) as fake,
        LLMGateway(_settings(fake.base_url)) as gateway,
    ):
        ranked, note = await rerank(result, source, target, gateway, threshold=0.65)
    assert ranked == result
    assert note is not None and why in note and KEY not in note


async def test_a_slow_endpoint_times_out_without_leaking_the_key() -> None:
    async with (
        fake_openai(replies=["{}"], stall_seconds=2.0) as fake,
        LLMGateway(_settings(fake.base_url, timeout=0.3)) as gateway,
    ):
        with pytest.raises(LLMUnavailable) as caught:
            await gateway.complete_json(load_prompt("mapping_rerank", "v1"), system="s", user="u")
    assert "in time" in str(caught.value) and KEY not in str(caught.value)


async def test_off_by_default() -> None:
    settings = LLMSettings()
    assert not settings.rerank_mappings
    gateway = LLMGateway(LLMSettings.model_construct(openai_api_key=None, openai_base_url=None))
    assert not gateway.enabled
    with pytest.raises(LLMUnavailable, match="no LLM endpoint"):
        await gateway.complete(
            load_prompt("mapping_rerank", "v1"), system="s", user="u", json_mode=False
        )
