"""The harness: baseline regression check, progress bar, report files, missing sections."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from stripe_p21.evals import harness
from stripe_p21.evals.section import EvalSection


def _section(**metrics: float) -> EvalSection:
    return EvalSection("demo", "## Demo\n", metrics, [], {"seconds": False})


def test_regressions_respect_direction_and_tolerance() -> None:
    baselines = {
        "tolerance": 0.01,
        "fast": {
            "demo.f1": 0.99,
            "demo.seconds": 1.0,
            "demo.recall": {"value": 0.9, "tolerance": 0.2},
        },
    }
    ok = harness.check_baselines(
        [_section(f1=0.985, seconds=1.005, recall=0.75)], baselines, fast=True
    )
    assert ok.ok and ok.compared == 3
    bad = harness.check_baselines(
        [_section(f1=0.97, seconds=1.5, recall=0.9)], baselines, fast=True
    )
    assert [r.metric for r in bad.regressions] == ["demo.f1", "demo.seconds"]
    assert harness.check_baselines([_section(f1=0.1)], baselines, fast=False).compared == 0


def test_progress_bar_draws_and_ends_the_line() -> None:
    stream = io.StringIO()
    bar = harness.stderr_bar(stream, width=10)
    bar("step", 1, 2)
    bar("done", 2, 2)
    assert "[#####.....]" in stream.getvalue()
    assert stream.getvalue().endswith("\n")


def test_missing_section_is_reported_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(harness.SECTIONS, "ghost", "stripe_p21.evals.no_such_module")
    with pytest.raises(harness.SectionUnavailable, match="ghost evaluation is not available"):
        harness.run_section("ghost", fast=True, progress=None)


def test_report_copies_plots_beside_it(tmp_path: Path) -> None:
    plot = tmp_path / "src" / "curve.png"
    plot.parent.mkdir()
    plot.write_bytes(b"png")
    section = EvalSection("demo", "![c](curve.png)", {"f1": 1.0}, [plot])
    text = harness.markdown_report([section], None, fast=True)
    copied = harness.save_report(tmp_path / "out" / "report.md", text, [section])
    assert copied == [tmp_path / "out" / "curve.png"]
    assert (tmp_path / "out" / "report.md").read_text().startswith("# stripe-p21 evaluation")
    payload = harness.json_report([section], None, fast=True)
    assert payload["sections"]["demo"]["metrics"] == {"demo.f1": 1.0}
