"""The one door to a language model: any OpenAI-compatible endpoint through the `openai` client,
with versioned prompt templates from `prompts/`, hard timeouts, and errors that never carry a
secret. Off unless configured; callers keep a deterministic answer for when it is off or fails."""

from __future__ import annotations

import asyncio
import json
import re
import string
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import openai
import structlog
from openai import AsyncOpenAI

from stripe_p21.logging import scrub
from stripe_p21.settings import LLMSettings

log = structlog.get_logger(__name__)

PROMPTS_DIR = Path(__file__).resolve().parents[3] / "prompts"
_PROMPT_NAME = re.compile(r"^[a-z0-9_]+$")
_VERSION = re.compile(r"^v\d+$")


class LLMUnavailable(Exception):
    """The model could not answer (off, timeout, refused, unparsable); the message is safe to
    log and show: no key, no URL credentials, no response body."""


@dataclass(frozen=True, slots=True)
class Prompt:
    """A versioned template, `prompts/<name>.<version>.txt`, with `$placeholders`."""

    name: str
    version: str
    template: str

    @property
    def id(self) -> str:
        """What gets recorded next to every answer it produced: `mapping_rerank.v1`."""
        return f"{self.name}.{self.version}"

    def render(self, **values: str) -> str:
        """The template with every placeholder filled; a missing value raises KeyError."""
        return string.Template(self.template).substitute(values)


def load_prompt(name: str, version: str, directory: Path = PROMPTS_DIR) -> Prompt:
    if not _PROMPT_NAME.match(name) or not _VERSION.match(version):
        raise ValueError(f"bad prompt id {name}.{version}")
    path = directory / f"{name}.{version}.txt"
    return Prompt(name, version, path.read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class LLMReply:
    text: str
    model: str
    prompt_id: str


class LLMGateway:
    """A small client around one `AsyncOpenAI`; use as an async context manager."""

    def __init__(self, settings: LLMSettings, *, client: AsyncOpenAI | None = None) -> None:
        self.settings = settings
        self._client = client
        if client is None and settings.configured:
            key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
            self._client = AsyncOpenAI(
                api_key=key or "unused",  # local endpoints often need none
                base_url=settings.openai_base_url,
                timeout=settings.timeout_seconds,
                max_retries=settings.max_retries,
            )

    @property
    def enabled(self) -> bool:
        return self._client is not None

    async def __aenter__(self) -> LLMGateway:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def complete(
        self, prompt: Prompt, *, system: str, user: str, json_mode: bool
    ) -> LLMReply:
        """One chat completion at temperature 0; `LLMUnavailable` on any failure."""
        if self._client is None:
            raise LLMUnavailable("no LLM endpoint is configured (OPENAI_API_KEY / OPENAI_BASE_URL)")
        extra: dict[str, Any] = {"response_format": {"type": "json_object"}} if json_mode else {}
        budget = self.settings.timeout_seconds * (self.settings.max_retries + 1) + 1.0
        try:
            response = await asyncio.wait_for(
                self._client.chat.completions.create(
                    model=self.settings.model,
                    messages=[
                        {"role": "system", "content": system},
                        {"role": "user", "content": user},
                    ],
                    temperature=0,
                    **extra,
                ),
                timeout=budget,
            )
        except (openai.OpenAIError, TimeoutError) as exc:
            raise LLMUnavailable(_describe(exc)) from None
        text = response.choices[0].message.content if response.choices else None
        if not text:
            raise LLMUnavailable("the LLM answered with no content")
        log.info("llm_answered", prompt=prompt.id, model=response.model or self.settings.model)
        return LLMReply(text, response.model or self.settings.model, prompt.id)

    async def complete_json(self, prompt: Prompt, *, system: str, user: str) -> dict[str, Any]:
        """A completion parsed as a JSON object; `LLMUnavailable` when it is not one."""
        reply = await self.complete(prompt, system=system, user=user, json_mode=True)
        try:
            parsed = json.loads(_strip_fence(reply.text))
        except json.JSONDecodeError:
            raise LLMUnavailable("the LLM answer was not JSON") from None
        if not isinstance(parsed, dict):
            raise LLMUnavailable("the LLM answer was not a JSON object")
        return parsed


def _strip_fence(text: str) -> str:
    match = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    return match.group(1) if match else text


def _describe(exc: BaseException) -> str:
    """A class name and status code only: bodies and URLs can echo credentials."""
    if isinstance(exc, TimeoutError | openai.APITimeoutError):
        return "the LLM did not answer in time"
    status = getattr(exc, "status_code", None)
    suffix = f" (HTTP {status})" if status else ""
    return scrub(f"the LLM call failed: {type(exc).__name__}{suffix}")
