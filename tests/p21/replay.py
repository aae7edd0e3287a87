"""Replays recorded sandbox answers through ``httpx.MockTransport`` and counts the calls."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

RECORDED = Path(__file__).parent / "recorded"
Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def recorded(name: str, **changes: Any) -> httpx.Response:
    """A recorded answer; ``changes`` patch top-level body fields."""
    data = json.loads((RECORDED / f"{name}.json").read_text())
    body = data["body"]
    if changes:
        body = {**body, **changes}
    if isinstance(body, str):
        return httpx.Response(
            data["status"], content=body.encode(), headers={"content-type": data["content_type"]}
        )
    return httpx.Response(data["status"], json=body)


class Replay:
    """Answers by ``METHOD path``; a list of answers is consumed in order, the last one repeats."""

    def __init__(self, routes: dict[str, Answer | list[Answer]]) -> None:
        self.routes = {k: v if isinstance(v, list) else [v] for k, v in routes.items()}
        self.calls: Counter[str] = Counter()
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        key = f"{request.method} {request.url.path}"
        self.calls[key] += 1
        self.requests.append(request)
        answers = self.routes.get(key)
        if answers is None:
            return httpx.Response(404, json={"ErrorMessage": f"no route {key}"})
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


TOKEN = "POST /api/security/token/v2"
ROUTER = "GET /api/ui/router/v1/"
TRANSACTION = "POST /uiserver0/api/v2/transaction"


def basic_routes(**extra: Answer | list[Answer]) -> dict[str, Answer | list[Answer]]:
    routes: dict[str, Answer | list[Answer]] = {
        TOKEN: recorded("token_json"),
        ROUTER: httpx.Response(200, json={"Url": "http://p21.test/uiserver0"}),
    }
    routes.update(extra)
    return routes
