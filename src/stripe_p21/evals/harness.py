"""Runs evaluation sections and turns them into a Markdown report, a JSON file, plots beside
the report and a regression check against `evals/baselines.json`.

Sections reference their plots by file name; the harness copies the plots next to the report so
those links work.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from stripe_p21.evals.section import EvalSection, Progress

SECTIONS = {"matching": "stripe_p21.evals.matching", "mapping": "stripe_p21.evals.mapping"}
DEFAULT_TOLERANCE = 0.005
BASELINES = Path(__file__).resolve().parents[3] / "evals" / "baselines.json"


class SectionUnavailable(RuntimeError):
    """A section's module is not installed (yet)."""


def run_section(name: str, *, fast: bool, progress: Progress | None) -> EvalSection:
    """Import `stripe_p21.evals.<name>` lazily and run it."""
    module_name = SECTIONS[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        if exc.name != module_name:
            raise
        raise SectionUnavailable(
            f"the {name} evaluation is not available: {module_name} is missing"
        ) from None
    section: EvalSection = module.run(fast=fast, progress=progress)
    return section


def stderr_bar(stream: TextIO = sys.stderr, width: int = 30) -> Progress:
    """A one-line progress bar redrawn on each `progress(label, done, total)` call."""

    def draw(label: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = int(share * width)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {share:4.0%} {label:<40.40}")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return draw


@dataclass(frozen=True)
class Regression:
    metric: str
    value: float
    baseline: float
    tolerance: float
    higher_is_better: bool


@dataclass
class BaselineCheck:
    compared: int = 0
    regressions: list[Regression] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.regressions


def check_baselines(
    sections: list[EvalSection], baselines: dict[str, Any], *, fast: bool
) -> BaselineCheck:
    """Compare `<section>.<metric>` values with the recorded ones for this mode (fast/full).
    A baseline entry is a number or `{"value": x, "tolerance": t}`."""
    recorded: dict[str, Any] = baselines.get("fast" if fast else "full", {})
    default = float(baselines.get("tolerance", DEFAULT_TOLERANCE))
    check = BaselineCheck()
    for section in sections:
        for metric, value in section.metrics.items():
            key = f"{section.name}.{metric}"
            entry = recorded.get(key)
            if entry is None:
                continue
            base = float(entry["value"] if isinstance(entry, dict) else entry)
            tol = float(entry.get("tolerance", default) if isinstance(entry, dict) else default)
            higher = section.higher_is_better.get(metric, True)
            worse = value < base - tol if higher else value > base + tol
            check.compared += 1
            if worse:
                check.regressions.append(Regression(key, value, base, tol, higher))
    return check


def markdown_report(sections: list[EvalSection], check: BaselineCheck | None, *, fast: bool) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"# stripe-p21 evaluation report\n\nGenerated {stamp}, mode: "
             f"{'fast (CI subset)' if fast else 'full'}.\n"]  # fmt: skip
    parts += [section.markdown for section in sections]
    if check is not None:
        verdict = "no regression" if check.ok else f"{len(check.regressions)} regression(s)"
        lines = [f"## Baseline check\n\n{check.compared} metrics compared: **{verdict}**.\n"]
        if check.regressions:
            lines.append("| metric | value | baseline | tolerance |\n|---|---|---|---|")
            lines += [
                f"| {r.metric} | {r.value:.4f} | {r.baseline:.4f} | {r.tolerance} |"
                for r in check.regressions
            ]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def json_report(
    sections: list[EvalSection], check: BaselineCheck | None, *, fast: bool
) -> dict[str, Any]:
    return {
        "generated_at": datetime.now(UTC).isoformat(),
        "fast": fast,
        "sections": {
            s.name: {
                "metrics": {f"{s.name}.{k}": v for k, v in s.metrics.items()},
                "plots": [p.name for p in s.plots],
            }
            for s in sections
        },
        "baseline_check": None
        if check is None
        else {
            "compared": check.compared,
            "ok": check.ok,
            "regressions": [r.__dict__ for r in check.regressions],
        },
    }


def save_report(path: Path, text: str, sections: list[EvalSection]) -> list[Path]:
    """Write the Markdown and copy every plot beside it; returns the copied plots."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    copied = []
    for section in sections:
        for plot in section.plots:
            target = path.parent / plot.name
            if plot.resolve() != target.resolve():
                shutil.copyfile(plot, target)
            copied.append(target)
    return copied
