"""Structured JSON logs (structlog) with every configured secret scrubbed from every line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog

REDACTED = "[REDACTED]"
_secrets: list[str] = []


def register_secrets(values: Iterable[str]) -> None:
    """Remember values that must never be written; longest first so overlaps redact fully."""
    merged = {*_secrets, *(value for value in values if value)}
    _secrets[:] = sorted(merged, key=len, reverse=True)


def scrub(text: str) -> str:
    """`text` with every registered secret replaced by a marker."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def scrub_value(value: Any) -> Any:
    """`value` (str, dict, list, exception) with every registered secret replaced."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: scrub_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(item) for item in value]
    if isinstance(value, BaseException):
        return scrub(repr(value))
    return value


def _redact(_logger: Any, _name: str, event_dict: MutableMapping[str, Any]) -> Any:
    return {key: scrub_value(value) for key, value in event_dict.items()}


def _scrub_rendered(_logger: Any, _name: str, rendered: Any) -> Any:
    return scrub(rendered) if isinstance(rendered, str) else rendered


def configure_logging(
    *, level: str = "INFO", fmt: str = "json", secrets: Iterable[str] = ()
) -> None:
    """Set up structlog and the stdlib root logger to write one JSON object per line to stderr."""
    register_secrets(secrets)
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.format_exc_info,
            _redact,
            renderer,
            _scrub_rendered,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                _redact,
                renderer,
                _scrub_rendered,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiosqlite", "asyncio", "stripe"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
