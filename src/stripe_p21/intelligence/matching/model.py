"""The calibrated pair classifier: gradient-boosted trees on similarity features, calibrated
with isotonic regression (cross-validated), trained with fixed seeds so a retrain reproduces it.
Policy thresholds are chosen on a development split and travel inside the artifact."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from stripe_p21.intelligence.matching.features import FEATURES

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
SEED = 20261125
CHUNKS_PER_FOLD = 2
"""Row chunks per calibrated fold scored in parallel (5 folds x 2 keep 2 cores evenly busy)."""
PARALLEL_ROWS = 20_000
"""Smaller inputs (a single query's candidates) are scored in the calling thread."""
MODEL_DIR = Path(__file__).resolve().parents[4] / "models" / "customer_match"
"""Where the shipped artifact lives (repository checkout)."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """auto-link at or above `link`, review between, new below `review`."""

    link: float
    review: float
    match: float
    """Best-F1 threshold on the development split (used for pairwise metrics)."""


@dataclass(frozen=True, slots=True)
class _Fold:
    calibrated: Any
    thresholds: list[FloatArray] | None


@dataclass(slots=True)
class MatchModel:
    """A fitted calibrated classifier, its thresholds and the facts recorded in the model card."""

    classifier: Any
    thresholds: Thresholds
    version: str
    used: tuple[str, ...] = FEATURES
    """Features the classifier reads (columns never present in training are left out)."""
    info: dict[str, Any] = field(default_factory=dict)
    _folds: tuple[Any, list[_Fold] | None] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    """The classifier's folds and split thresholds, read once (see `_fold_mean`)."""

    def probability(self, features: FloatArray) -> FloatArray:
        """Calibrated probability that each pair is the same customer."""
        if features.shape[0] == 0:
            return np.zeros(0, dtype=np.float64)
        columns = [FEATURES.index(name) for name in self.used]
        matrix = np.ascontiguousarray(features[:, columns], dtype=np.float64)
        if self._folds is None or self._folds[0] is not self.classifier:
            self._folds = (self.classifier, _tree_folds(self.classifier))
        folds = self._folds[1]
        if folds is None:
            scores = self.classifier.predict_proba(matrix)[:, 1]
            return np.asarray(scores, dtype=np.float64)
        return _fold_mean(folds, matrix)

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


def _split_thresholds(estimator: Any, width: int) -> list[FloatArray] | None:
    """Sorted distinct split thresholds per feature of a fitted HistGradientBoostingClassifier,
    or None when its trees are not plain numeric splits (then rows are not deduplicated)."""
    try:
        nodes = np.concatenate([p.nodes for iteration in estimator._predictors for p in iteration])
        splits = nodes[nodes["is_leaf"] == 0]
        features = np.asarray(splits["feature_idx"], dtype=np.int64)
        cuts = np.asarray(splits["num_threshold"], dtype=np.float64)
        if splits["is_categorical"].any() or np.isnan(cuts).any() or features.max() >= width:
            return None
    except (AttributeError, KeyError, ValueError, IndexError, TypeError):
        return None
    return [np.unique(cuts[features == j]) for j in range(width)]


def _row_groups(matrix: FloatArray, thresholds: list[FloatArray]) -> tuple[IntArray, IntArray]:
    """Rows every tree of a model sends down the same paths: each value only matters through
    which side of every split threshold it falls (`x <= t`) or whether it is missing. Returns a
    representative row per group (in lexicographic order of the groups, which also keeps
    similar rows together for the tree walk) and each row's group."""
    key = np.zeros(matrix.shape[0], dtype=np.int64)
    capacity = 1
    for j, cuts in enumerate(thresholds):
        if cuts.size == 0:
            continue
        column = matrix[:, j]
        code = np.searchsorted(cuts, column, side="left")  # number of thresholds < x
        code[np.isnan(column)] = cuts.size + 1
        levels = cuts.size + 2
        capacity *= levels
        if capacity >= 2**62:  # the packed key would overflow: compare every row instead
            return np.arange(matrix.shape[0]), np.arange(matrix.shape[0])
        key = key * levels + code
    _, first, group = np.unique(key, return_index=True, return_inverse=True)
    return first, group.reshape(-1)


def _tree_folds(classifier: Any) -> list[_Fold] | None:
    """The calibrated folds of a `CalibratedClassifierCV` over histogram gradient boosting, each
    with its split thresholds; None for any other classifier (plain `predict_proba` is used)."""
    folds = getattr(classifier, "calibrated_classifiers_", None)
    classes = getattr(classifier, "classes_", None)
    width = int(getattr(classifier, "n_features_in_", 0) or 0)
    if not folds or classes is None or len(classes) != 2 or not width:
        return None
    out = []
    for fold in folds:
        estimator = getattr(fold, "estimator", None)
        if type(estimator).__name__ != "HistGradientBoostingClassifier":
            return None
        out.append(_Fold(fold, _split_thresholds(estimator, width)))
    return out


_CONTROLLER: list[Any] = []


def _one_openmp_thread() -> Any:
    """A context that runs OpenMP code in the calling thread on one thread (the limit is per
    thread). The controller is created once: a fresh `threadpool_limits` rescans the loaded
    libraries (milliseconds)."""
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="openmp")


def _positive(calibrated: Any, matrix: FloatArray, rows: IntArray) -> FloatArray:
    """One fold's calibrated probability of the positive class for `matrix[rows]` (copied here,
    so only the chunks being scored are held) on one OpenMP thread: on a shared
    machine an OpenMP team per tree (750 barriers) stalls whenever another process holds a core,
    so parallelism comes from the pool in `_fold_mean` instead."""
    with _one_openmp_thread():
        return np.asarray(calibrated.predict_proba(matrix[rows])[:, 1], dtype=np.float64)


def _fold_mean(folds: list[_Fold], matrix: FloatArray) -> FloatArray:
    """`CalibratedClassifierCV.predict_proba(matrix)[:, 1]`, bit for bit (the same per-row
    arithmetic; folds summed in the same order), but each fold scores one row per group of rows
    its trees cannot tell apart, and large inputs are scored in row chunks on a thread pool."""
    workers = min(os.cpu_count() or 1, len(folds) * CHUNKS_PER_FOLD)
    if matrix.shape[0] < PARALLEL_ROWS:
        workers = 1
    chunks_per_fold = CHUNKS_PER_FOLD if workers > 1 else 1  # chunks only serve the pool
    work: list[tuple[IntArray, list[IntArray]]] = []
    for fold in folds:
        if fold.thresholds is None:
            first = group = np.arange(matrix.shape[0])
        else:
            first, group = _row_groups(matrix, fold.thresholds)
        work.append((group, [c for c in np.array_split(first, chunks_per_fold) if c.size]))
    total = np.zeros(matrix.shape[0], dtype=np.float64)
    if workers <= 1:
        for fold, (group, chunks) in zip(folds, work, strict=True):
            total += np.concatenate([_positive(fold.calibrated, matrix, c) for c in chunks])[group]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending = [
                [pool.submit(_positive, fold.calibrated, matrix, chunk) for chunk in chunks]
                for fold, (_, chunks) in zip(folds, work, strict=True)
            ]
            for (group, _), parts in zip(work, pending, strict=True):
                total += np.concatenate([part.result() for part in parts])[group]
    total /= len(folds)
    return total


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
