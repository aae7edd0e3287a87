"""What one evaluation returns, so the harness can print, save and compare it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Progress = Callable[[str, int, int], None]
"""`progress(label, done, total)`: the harness draws a progress bar from these calls."""


@dataclass(frozen=True, slots=True)
class EvalSection:
    """One evaluation's result: a Markdown section, flat metrics, and plots it wrote."""

    name: str
    """Short key, e.g. `matching` or `mapping`; metrics are reported as `<name>.<metric>`."""
    markdown: str
    metrics: dict[str, float]
    """Flat numbers the CI regression check compares against recorded baselines."""
    plots: list[Path] = field(default_factory=list)
    higher_is_better: dict[str, bool] = field(default_factory=dict)
    """Direction per metric for the regression check (default: higher is better)."""
