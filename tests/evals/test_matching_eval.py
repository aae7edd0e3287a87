"""The CI subset of the matching evaluation: runs in seconds and fails on a regression against
evals/baselines.json (targets of issue 6 asserted as well)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from stripe_p21.evals import harness
from stripe_p21.evals.cli import eval_group
from stripe_p21.evals.matching import run


def test_fast_matching_eval_has_no_regression() -> None:
    calls: list[tuple[str, int, int]] = []
    section = run(fast=True, progress=lambda label, done, total: calls.append((label, done, total)))
    assert calls[-1][1] == calls[-1][2]
    baselines = json.loads(harness.BASELINES.read_text())
    check = harness.check_baselines([section], baselines, fast=True)
    assert check.compared >= 8
    assert check.ok, check.regressions
    m = section.metrics
    assert m["febrl4.f1"] >= 0.995
    assert m["business.f1"] >= 0.99
    assert m["business.precision_at_link"] >= 0.995
    assert m["business.blocking_recall"] >= 0.995 and m["business.reduction_ratio"] >= 100
    assert all(plot.exists() for plot in section.plots)


def test_eval_command_writes_report_json_and_plots(tmp_path: Path) -> None:
    report, payload = tmp_path / "report.md", tmp_path / "report.json"
    result = CliRunner().invoke(
        eval_group,
        ["matching", "--fast", "--report", str(report), "--json", str(payload),
         "--check-baselines"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "## Customer matching" in report.read_text()
    assert (tmp_path / "matching_business_threshold.png").exists()
    assert json.loads(payload.read_text())["baseline_check"]["ok"] is True
