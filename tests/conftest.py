"""Shared fixtures: the environment is set before any app is built; `stack` runs every
parametrised test on SQLite + inline runner and on PostgreSQL + arq."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import hypothesis  # noqa: F401  (see below)
import pytest
from sqlmodel import SQLModel

import stripe_p21.db.models  # noqa: F401  (every table on the metadata)

# hypothesis is imported here, at a shallow stack: otherwise its pytest plugin imports it at
# session end, deep in pytest's hooks, where CPython 3.11.7's parser can fail with
# "SystemError: AST constructor recursion depth mismatch" while pytest rewrites it.
from stripe_p21.db.migrate import upgrade
from tests.support import backends
from tests.support.stack import Stack, running_stack, stack_env

BACKENDS = [
    "sqlite-inline",
    pytest.param("postgres-arq", marks=[pytest.mark.postgres, pytest.mark.redis]),
]


async def _admin(sql: str) -> None:
    import asyncpg

    parts = urlsplit(backends.POSTGRES_URL)
    connection = await asyncpg.connect(urlunsplit(parts._replace(scheme="postgresql")))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this test run, migrated once, dropped at the end."""
    backends.require("postgres")
    name = f"stripe_p21_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    parts = urlsplit(backends.POSTGRES_URL)
    url = urlunsplit(parts._replace(path=f"/{name}"))
    upgrade(url.replace("postgresql://", "postgresql+asyncpg://", 1))
    yield url
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def redis_url() -> str:
    backends.require("redis")
    return backends.REDIS_URL


async def _truncate(url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
        await connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


StackFactory = Callable[..., AbstractAsyncContextManager[Stack]]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def stack_factory(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> StackFactory:
    """`async with stack_factory(STRIPE_P21_MAX_ATTEMPTS="3") as stack:` — extra env wins."""
    pg = redis = None
    if backend == "postgres-arq":
        pg = request.getfixturevalue("postgres_url")
        redis = request.getfixturevalue("redis_url")

    def make(**overrides: str) -> AbstractAsyncContextManager[Stack]:
        env = stack_env(backend, tmp_path, pg, redis) | overrides
        return _fresh(backend, env, monkeypatch, pg)

    return make


def _fresh(
    backend: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, pg: str | None
) -> AbstractAsyncContextManager[Stack]:
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def run() -> AsyncIterator[Stack]:
        if pg is not None:
            await _truncate(pg)
        async with running_stack(backend, env, monkeypatch) as stack:
            yield stack

    return run()


@pytest.fixture
async def stack(stack_factory: StackFactory) -> AsyncIterator[Stack]:
    async with stack_factory() as running:
        yield running
