"""Mapping-suggestion evaluation: our scorer and published open-source matchers (valentine's
Coma, Cupid, SimilarityFlooding, JaccardDistance) on the same labelled Stripe→P21 pairs.
Weights and the suggestion threshold are chosen on the dev split; the test split only reports."""

from __future__ import annotations

import itertools
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from stripe_p21.evals.section import EvalSection, Progress
from stripe_p21.intelligence.mapping_suggest.evaluation import (
    LabelledPair,
    Ranking,
    Scores,
    load_pairs,
    score_rankings,
)
from stripe_p21.intelligence.mapping_suggest.schema import Schema
from stripe_p21.intelligence.mapping_suggest.scorer import DEFAULT_WEIGHTS, Weights, suggest

Matcher = Callable[[LabelledPair], list[Ranking]]
THRESHOLDS = tuple(round(0.35 + 0.025 * i, 3) for i in range(15))


def our_rankings(pair: LabelledPair, weights: Weights = DEFAULT_WEIGHTS) -> list[Ranking]:
    result = suggest(pair.source, pair.target, weights=weights, top_k=None)
    return [
        Ranking(
            f.target,
            tuple(
                (c.source, c.confidence)
                for c in f.candidates
                if not c.source.startswith("metadata.") or c.source in pair.source.by_name
            ),
            f.suggested.source if f.suggested else None,
            f.suggested.transform.value if f.suggested else None,
        )
        for f in result.fields
    ]


def evaluate(pairs: Sequence[LabelledPair], matcher: Matcher) -> Scores:
    return score_rankings([(pair, matcher(pair)) for pair in pairs])


def choose_threshold(pairs: Sequence[LabelledPair], weights: Weights) -> float:
    """The threshold with the best decision accuracy on `pairs` (dev): right suggestions plus
    correctly withheld ones; ties go to the higher threshold (fewer false suggestions)."""
    best = (-1.0, 0.0)
    for threshold in THRESHOLDS:
        tried = replace(weights, threshold=threshold)
        accuracy = evaluate(pairs, partial(our_rankings, weights=tried)).decision_accuracy
        best = max(best, (accuracy, threshold))
    return best[1]


def tune_weights(pairs: Sequence[LabelledPair], progress: Progress | None = None) -> Weights:
    """Grid search on dev: feature weights and contrast by MRR + recall@GT, then the threshold."""
    grid = list(
        itertools.product((0.4, 0.5, 0.6), (0.15, 0.25, 0.35), (0.1, 0.15, 0.25), (1.0, 2.0, 3.0))
    )
    best: tuple[float, Weights] = (-1.0, DEFAULT_WEIGHTS)
    for done, (name, kind, value, contrast) in enumerate(grid, start=1):
        weights = replace(DEFAULT_WEIGHTS, name=name, kind=kind, value=value, contrast=contrast)
        scores = evaluate(pairs, partial(our_rankings, weights=weights))
        objective = scores.mrr + scores.recall_at_gt + scores.top1
        if objective > best[0] + 1e-9:
            best = (objective, weights)
        if progress is not None:
            progress("mapping: tuning on dev", done, len(grid))
    return replace(best[1], threshold=choose_threshold(pairs, best[1]))


# -- the baseline: valentine's matchers on DataFrames built from the same schemas -------------


def _frame(schema: Schema) -> Any:
    import pandas as pd  # type: ignore[import-untyped]

    rows = max([len(f.samples) for f in schema.fields] + [1])
    columns = {}
    for f in schema.fields:
        values = [str(v) if v is not None else None for v in f.samples]
        columns[f.name] = values + [None] * (rows - len(values))
    return pd.DataFrame(columns)


def valentine_matchers(fast: bool) -> dict[str, Callable[[], Any]]:
    """The published matchers that run offline here. Coma's instance matcher and Cupid need
    NLTK corpora (stopwords, wordnet) that valentine downloads at run time, so they are left out
    rather than letting a test reach the network."""
    from valentine.algorithms import Coma, JaccardDistanceMatcher, SimilarityFlooding

    matchers: dict[str, Callable[[], Any]] = {"Coma (schema)": lambda: Coma()}
    if not fast:
        matchers |= {
            "SimilarityFlooding": lambda: SimilarityFlooding(),
            "JaccardDistance": lambda: JaccardDistanceMatcher(),
        }
    return matchers


def valentine_rankings(pair: LabelledPair, make: Callable[[], Any]) -> list[Ranking]:
    """Per target column, the source columns valentine scored, best first; its top is the
    suggestion (valentine's own selection already dropped what it would not propose)."""
    from valentine import valentine_match

    source = pair.source
    kept = [f for f in source.fields if f.kind.value not in ("object", "list")]
    source = Schema(source.name, source.system, tuple(kept))
    with warnings.catch_warnings():  # dateutil complains about id-like strings it tries
        warnings.simplefilter("ignore")
        matches = valentine_match(
            [_frame(source), _frame(pair.target)], make(), df_names=["source", "target"]
        )
    per_target: dict[str, list[tuple[str, float]]] = {}
    for column_pair, score in matches.items():
        if column_pair.source_table == "source":
            src, tgt = column_pair.source_column, column_pair.target_column
        else:
            src, tgt = column_pair.target_column, column_pair.source_column
        per_target.setdefault(tgt, []).append((src, float(score)))
    out = []
    for target in pair.target.fields:
        ranked = tuple(sorted(per_target.get(target.name, []), key=lambda x: (-x[1], x[0])))
        out.append(Ranking(target.name, ranked, ranked[0][0] if ranked else None))
    return out


# -- the run the harness calls ----------------------------------------------------------------


def _row(label: str, scores: Scores) -> str:
    return (
        f"| {label} | {scores.top1:.3f} | {scores.recall_at_gt:.3f} | {scores.mrr:.3f} "
        f"| {scores.false_suggestion_rate:.3f} | {scores.suggestions}/{scores.fields} |"
    )


def _latency_ms(pairs: Sequence[LabelledPair]) -> float:
    """Median wall time of one suggestion call over the labelled pairs, in milliseconds."""
    times = []
    for pair in pairs:
        started = time.perf_counter()
        suggest(pair.source, pair.target)
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[len(times) // 2]


def run(*, fast: bool, progress: Progress | None = None) -> EvalSection:
    """Evaluate on the labelled pairs. `fast` skips the weight search and the slower baselines."""
    pairs = load_pairs()
    dev = [p for p in pairs if p.split == "dev"]
    test = [p for p in pairs if p.split == "test"]
    tuned = tune_weights(dev, progress) if not fast else None
    ours = {split: evaluate(ps, our_rankings) for split, ps in (("dev", dev), ("test", test))}
    baselines: dict[str, Scores] = {}
    makers = valentine_matchers(fast)
    for done, (name, make) in enumerate(makers.items(), start=1):
        baselines[name] = evaluate(test, partial(valentine_rankings, make=make))
        if progress is not None:
            progress("mapping: baselines", done, len(makers))
    best_name = "Coma (schema)"  # the reference baseline: runs in fast and full mode alike
    best = baselines[best_name]
    metrics = {
        "top1": ours["test"].top1,
        "recall_at_gt": ours["test"].recall_at_gt,
        "mrr": ours["test"].mrr,
        "false_suggestion_rate": ours["test"].false_suggestion_rate,
        "transform_accuracy": ours["test"].transform_accuracy,
        "baseline_top1": best.top1,
        "baseline_recall_at_gt": best.recall_at_gt,
        "latency_ms_median": _latency_ms(pairs),
    }
    lower = {"false_suggestion_rate": False, "latency_ms_median": False}
    lines = [
        "## Mapping suggestions",
        "",
        f"{len(pairs)} labelled schema pairs ({len(dev)} dev, {len(test)} test), "
        f"{sum(len(p.truth) for p in test)} test target fields. Weights and the threshold "
        f"({DEFAULT_WEIGHTS.threshold}) were chosen on dev; the rows below are the test split.",
        "",
        "| matcher | top-1 | recall@GT | MRR | false-suggestion rate | suggested |",
        "|---|---|---|---|---|---|",
        _row("stripe-p21 scorer (dev)", ours["dev"]),
        _row("**stripe-p21 scorer (test)**", ours["test"]),
        *(_row(f"valentine {name} (test)", scores) for name, scores in baselines.items()),
        "",
        f"Reference baseline (metrics `baseline_*`): valentine {best_name}. "
        f"Transform accuracy of right suggestions: {ours['test'].transform_accuracy:.3f}. "
        f"Median suggestion latency: {metrics['latency_ms_median']:.1f} ms.",
    ]
    lines += ["", "Not run: valentine's Coma instance matcher and Cupid download NLTK corpora."]
    if tuned is not None:
        lines += ["", f"Weight search on dev now picks: `{tuned}` (shipped: `{DEFAULT_WEIGHTS}`)."]
    return EvalSection("mapping", "\n".join(lines) + "\n", metrics, higher_is_better=lower)
