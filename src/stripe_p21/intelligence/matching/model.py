"""The calibrated pair classifier: gradient-boosted trees on similarity features, calibrated
with isotonic regression (cross-validated), trained with fixed seeds so a retrain reproduces it.
Policy thresholds are chosen on a development split and travel inside the artifact."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from stripe_p21.intelligence.matching.features import FEATURES

FloatArray = npt.NDArray[np.float64]
SEED = 20261125
MODEL_DIR = Path(__file__).resolve().parents[4] / "models" / "customer_match"
"""Where the shipped artifact lives (repository checkout)."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """auto-link at or above `link`, review between, new below `review`."""

    link: float
    review: float
    match: float
    """Best-F1 threshold on the development split (used for pairwise metrics)."""


@dataclass(slots=True)
class MatchModel:
    """A fitted calibrated classifier, its thresholds and the facts recorded in the model card."""

    classifier: Any
    thresholds: Thresholds
    version: str
    used: tuple[str, ...] = FEATURES
    """Features the classifier reads (columns never present in training are left out)."""
    info: dict[str, Any] = field(default_factory=dict)

    def probability(self, features: FloatArray) -> FloatArray:
        """Calibrated probability that each pair is the same customer."""
        if features.shape[0] == 0:
            return np.zeros(0, dtype=np.float64)
        columns = [FEATURES.index(name) for name in self.used]
        scores = self.classifier.predict_proba(features[:, columns])[:, 1]
        return np.asarray(scores, dtype=np.float64)

    def save(self, directory: Path) -> None:
        import joblib  # type: ignore[import-untyped]

        directory.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.classifier, directory / "model.joblib", compress=3)
        meta = {
            "version": self.version,
            "features": list(FEATURES),
            "used_features": list(self.used),
            "thresholds": asdict(self.thresholds),
            "info": self.info,
        }
        (directory / "metadata.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> MatchModel:
        """Load an artifact we wrote ourselves (joblib is pickle: never load untrusted files)."""
        import joblib

        meta = json.loads((directory / "metadata.json").read_text())
        if tuple(meta["features"]) != FEATURES:
            raise ValueError(f"artifact in {directory} was trained on other features; retrain it")
        classifier = joblib.load(directory / "model.joblib")
        return cls(
            classifier=classifier,
            thresholds=Thresholds(**meta["thresholds"]),
            version=str(meta["version"]),
            used=tuple(meta["used_features"]),
            info=dict(meta.get("info") or {}),
        )


def present_features(features: FloatArray) -> tuple[str, ...]:
    """Names of the columns that hold at least one value (a benchmark may lack e.g. phones)."""
    counts = (~np.isnan(features)).sum(axis=0)
    return tuple(name for i, name in enumerate(FEATURES) if int(counts[i]) > 0)


def fit_classifier(features: FloatArray, labels: npt.NDArray[np.int64], seed: int = SEED) -> Any:
    """Deterministic: fixed seeds for the trees and the calibration folds. `features` holds only
    the used columns."""
    from sklearn.calibration import CalibratedClassifierCV  # type: ignore[import-untyped]
    from sklearn.ensemble import HistGradientBoostingClassifier  # type: ignore[import-untyped]
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    base = HistGradientBoostingClassifier(
        max_iter=150,
        learning_rate=0.1,
        max_leaf_nodes=15,
        min_samples_leaf=10,
        l2_regularization=1.0,
        random_state=seed,
    )
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    calibrated = CalibratedClassifierCV(base, method="isotonic", cv=folds)
    calibrated.fit(features, labels)
    return calibrated


@dataclass(frozen=True, slots=True)
class Curve:
    """Precision and recall of top-candidate predictions at each threshold."""

    thresholds: FloatArray
    precision: FloatArray
    recall: FloatArray

    @property
    def f1(self) -> FloatArray:
        total = self.precision + self.recall
        return np.where(total > 0, 2 * self.precision * self.recall / np.maximum(total, 1e-12), 0)


def curve(probability: FloatArray, correct: npt.NDArray[np.bool_], positives: int) -> Curve:
    """`probability`/`correct` per predicted pair (the top candidate of each query)."""
    grid = np.unique(np.concatenate([np.linspace(0.0, 1.0, 201), probability]))
    order = np.argsort(-probability)
    p_sorted, c_sorted = probability[order], correct[order].astype(np.float64)
    hits = np.concatenate([[0.0], np.cumsum(c_sorted)])
    counts = np.searchsorted(-p_sorted, -grid, side="right")
    tp = hits[counts]
    precision = np.where(counts > 0, tp / np.maximum(counts, 1), 1.0)
    recall = tp / max(positives, 1)
    return Curve(grid, precision, recall)


def choose_thresholds(dev: Curve, *, precision_target: float = 0.995) -> Thresholds:
    """From the development split only: best-F1 match threshold, lowest auto-link threshold
    whose precision meets the target (never below 0.5), and a review floor that keeps 99.5%
    of the recall reachable at any threshold."""
    f1 = dev.f1
    match = float(dev.thresholds[int(np.argmax(f1))])
    meets = (dev.precision >= precision_target) & (dev.thresholds >= 0.5)
    link = float(dev.thresholds[meets].min()) if meets.any() else 0.999
    reachable = float(dev.recall.max())
    keeps = dev.recall >= 0.995 * reachable
    review = float(dev.thresholds[keeps].max()) if keeps.any() else 0.05
    review = min(review, match, link)
    return Thresholds(
        link=round(link, 4), review=round(max(review, 0.01), 4), match=round(match, 4)
    )
