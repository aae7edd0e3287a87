"""Migrations match the models on both databases; the CLI does what its help says."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlmodel import SQLModel

import stripe_p21.db.models  # noqa: F401  (every table on the metadata)
from stripe_p21.cli import main
from stripe_p21.db.migrate import head_revision, upgrade
from tests.support.stack import Stack

ROOT = Path(__file__).resolve().parents[2]


async def test_migrations_match_models(stack: Stack) -> None:
    def diff(connection: object) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})  # type: ignore[arg-type]
        return list(compare_metadata(context, SQLModel.metadata))

    async with stack.services.engine.connect() as connection:
        assert await connection.run_sync(diff) == []


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE", "P21_"))} | env
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "stripe_p21", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT / "tests",
    )


def test_db_upgrade_tokens_and_replay_from_the_command_line(tmp_path: Path) -> None:
    env = {
        "STRIPE_P21_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "STRIPE_P21_LOG_LEVEL": "ERROR",
    }
    upgraded = _cli("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "database at head" in upgraded.stdout
    created = _cli("tokens", "create", "--name", "ops", "--role", "reviewer", env=env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("sp21_") and len(token) > 40
    assert token not in created.stderr
    replayed = _cli("replay", "--status", "dead", env=env)
    assert replayed.returncode == 0 and "0 event(s) queued" in replayed.stderr
    refused = _cli("replay", env=env)
    assert refused.returncode == 2 and "name at least one" in refused.stderr


@pytest.mark.parametrize(
    "command",
    [[], ["serve"], ["worker"], ["db", "upgrade"], ["tokens", "create"], ["replay"], ["demo"]],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_worker_without_redis_says_so() -> None:
    result = _cli("worker", env={"STRIPE_P21_LOG_LEVEL": "ERROR"})
    assert result.returncode == 2
    assert "STRIPE_P21_REDIS_URL is not set" in result.stderr


def test_migrations_form_one_chain_and_upgrade_reaches_its_head(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    from stripe_p21.db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, "two migrations claim the same parent"
    chain = [rev.revision for rev in script.walk_revisions()]
    assert chain[-1] == "0001" and head_revision() == chain[0]
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    upgrade(url)
    assert asyncio.run(_current(url)) == chain[0]


async def _current(url: str) -> str | None:
    from sqlalchemy.ext.asyncio import create_async_engine

    from stripe_p21.db.migrate import current_revision

    engine = create_async_engine(url)
    try:
        return await current_revision(engine)
    finally:
        await engine.dispose()


def test_processes_starting_together_migrate_once(tmp_path: Path) -> None:
    """`serve --workers 2` on a fresh SQLite file: both processes migrate at start."""
    env = {
        "STRIPE_P21_DATABASE_URL": f"sqlite:///{tmp_path}/race.db",
        "STRIPE_P21_LOG_LEVEL": "ERROR",
    }
    full = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE", "P21_"))} | env
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "stripe_p21", "db", "upgrade"],
            env=full,
            cwd=ROOT / "tests",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    assert [run.wait(timeout=120) for run in runs] == [0, 0, 0]
