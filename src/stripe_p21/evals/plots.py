"""Plots of the evaluation report (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt


def threshold_plot(
    path: Path,
    thresholds: npt.NDArray[np.float64],
    precision: npt.NDArray[np.float64],
    recall: npt.NDArray[np.float64],
    *,
    title: str,
    marks: dict[str, float] | None = None,
) -> Path:
    """Precision and recall against the decision threshold, with policy thresholds marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ax.plot(thresholds, precision, label="precision")
    ax.plot(thresholds, recall, label="recall")
    for label, value in (marks or {}).items():
        ax.axvline(value, linestyle="--", linewidth=0.8, color="grey")
        ax.text(value, 0.05, f" {label}", rotation=90, fontsize=8, color="grey",
                transform=ax.get_xaxis_transform())  # fmt: skip
    ax.set_xlabel("threshold (calibrated probability)")
    ax.set_ylim(min(0.9, float(np.nanmin(np.r_[precision, recall, 1.0]))), 1.005)
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
