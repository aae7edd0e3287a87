"""docker-compose.yml cannot run here (no Docker engine), so check what can be checked: it
parses, has the services a deployment needs, and every command it runs exists in our CLI."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml
from click.testing import CliRunner

from stripe_p21.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _argv(command: object) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]  # type: ignore[union-attr]


def test_compose_services_run_real_commands() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {
        "postgres",
        "redis",
        "migrate",
        "api",
        "worker",
        "p21-sandbox",
        "stripe-sandbox",
    } <= set(services)
    for name, service in services.items():
        if "build" not in service:
            continue
        argv = _argv(service["command"])
        assert argv[0] == "stripe-p21", name
        words = [word for word in argv[1:] if not word.startswith("-")]
        path = words[:2] if words[:1] in (["db"], ["sandbox"]) else words[:1]
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0, f"{name}: {path} → {result.output}"
        options = {word.split("=")[0] for word in argv if word.startswith("--")}
        for option in options:
            assert option in result.output, f"{name}: {option} is not an option of {path}"
    env = services["api"]["environment"]
    assert env["STRIPE_P21_DATABASE_URL"].startswith("postgresql://")
    assert env["STRIPE_P21_REDIS_URL"].startswith("redis://")
