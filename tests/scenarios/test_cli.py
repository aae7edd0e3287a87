"""`stripe-p21 scenario run`: writes the truth file and plays the scenario into a sandbox it
starts (or one already running), with a progress bar and a summary."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from syrupy.assertion import SnapshotAssertion

from stripe_p21.sandbox.scenarios import ScenarioSpec, generate, scenario_cli
from stripe_p21.sandbox.stripe import RunningServer, StripeSandbox
from tests.scenarios.conftest import API_KEY, START


def test_run_writes_truth_and_creates_events(tmp_path: Path) -> None:
    truth = tmp_path / "truth.json"
    args = ["run", "--days", "1", "--seed", "3", "--sandbox-port", "0", "--exit",
            "--truth", str(truth)]  # fmt: skip
    result = CliRunner().invoke(scenario_cli.scenario, args, env={"STRIPE_WEBHOOK_SECRET": None})
    assert result.exit_code == 0, result.output
    planned = generate(ScenarioSpec(seed=3, days=1, start=START))
    assert f"{planned.event_count} events created" in result.output
    assert json.loads(truth.read_text()) == json.loads(json.dumps(planned.truth.as_json()))


def test_run_against_a_running_sandbox(
    sandbox: tuple[StripeSandbox, RunningServer], tmp_path: Path
) -> None:
    box, server = sandbox
    args = ["run", "--days", "1", "--sandbox-url", server.url, "--api-key", API_KEY,
            "--truth", str(tmp_path / "t.json"), "--target", "http://127.0.0.1:9/x"]  # fmt: skip
    result = CliRunner().invoke(scenario_cli.scenario, args)
    assert result.exit_code == 0, result.output
    assert "--target is ignored" in result.output
    planned = generate(ScenarioSpec(seed=7, days=1, start=START))
    assert _count_events(box) == planned.event_count


def _count_events(box: StripeSandbox) -> int:
    count, cursor = 0, None
    while True:
        page = box.store.list("event", limit=100, starting_after=cursor)
        count += len(page.data)
        if not page.has_more:
            return count
        cursor = page.data[-1]["id"]


def test_secret_must_be_a_whsec(tmp_path: Path) -> None:
    args = ["run", "--days", "1", "--secret", "nope", "--truth", str(tmp_path / "t.json")]
    result = CliRunner().invoke(scenario_cli.scenario, args)
    assert result.exit_code == 2 and "whsec_" in result.output


def test_small_scenario_snapshot(snapshot: SnapshotAssertion) -> None:
    planned = generate(ScenarioSpec(seed=7, days=2, start=START))
    digest = {
        "events": [f"{s.event_type} {s.obj['id']}" for s in planned.steps if s.event_type][:40],
        "truth": planned.truth.as_json(),
    }
    assert digest == snapshot
