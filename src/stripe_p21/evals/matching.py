"""Customer-matching evaluation: (a) scenario customers against the P21 sandbox seed, (b) FEBRL 4
without its national-id field, (c) generated business names with realistic corruptions.
Thresholds always come from a dev split (the shipped artifact's, or FEBRL's own dev split)."""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from stripe_p21.evals.plots import threshold_plot
from stripe_p21.evals.section import EvalSection, Progress
from stripe_p21.intelligence.matching.corruptions import business_set, p21_record
from stripe_p21.intelligence.matching.matcher import Matcher
from stripe_p21.intelligence.matching.model import MatchModel, Thresholds
from stripe_p21.intelligence.matching.records import from_stripe, prepare
from stripe_p21.intelligence.matching.training import (
    Candidates,
    TopPredictions,
    candidates,
    pair_metrics,
    predict,
    train,
)

T = TypeVar("T")
EXPECTED = {"identical": "link", "typo": "link", "legal_suffix": "link", "abbreviation": "link",
            "dba": "review", "free_mail": "new", "new": "new"}  # fmt: skip
"""What the policy should do with each scenario variant (a person confirms DBA names)."""


@dataclass(frozen=True)
class Measured:
    """Scores of one test set plus the cost of producing them."""

    name: str
    cands: Candidates
    top: TopPredictions
    thresholds: Thresholds
    seconds: float
    peak_mib: float


def _measure(fn: Callable[[], T]) -> tuple[T, float, float]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        value = fn()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return value, seconds, peak


def _scored(name: str, model: MatchModel, build: Callable[[], Candidates], *, one_to_one: bool
            ) -> Measured:  # fmt: skip
    def work() -> tuple[Candidates, TopPredictions]:
        cands = build()
        return cands, predict(model, cands, one_to_one=one_to_one)

    (cands, top), seconds, peak = _measure(work)
    return Measured(name, cands, top, model.thresholds, seconds, peak)


def _metrics(m: Measured) -> dict[str, float]:
    t = m.thresholds
    best = pair_metrics(m.top, t.match)
    link = pair_metrics(m.top, t.link)
    chosen = m.top.best >= 0
    review = int((chosen & (m.top.probability >= t.review) & (m.top.probability < t.link)).sum())
    return {
        f"{m.name}.precision": best.precision, f"{m.name}.recall": best.recall,
        f"{m.name}.f1": best.f1, f"{m.name}.precision_at_link": link.precision,
        f"{m.name}.recall_at_link": link.recall,
        f"{m.name}.review_queue_share": review / max(len(m.cands.queries), 1),
        f"{m.name}.blocking_recall": m.cands.blocking_recall,
        f"{m.name}.reduction_ratio": m.cands.reduction_ratio,
        f"{m.name}.seconds": m.seconds, f"{m.name}.peak_mib": m.peak_mib,
    }  # fmt: skip


def _scenario(model: MatchModel, fast: bool) -> tuple[dict[str, float], str]:
    """Stripe customers of generated scenarios against the P21 seed they were drawn from."""
    from stripe_p21.sandbox.p21.seed import generate as p21_generate
    from stripe_p21.sandbox.scenarios.generator import ScenarioSpec, generate

    engine = Matcher(model, [p21_record(c) for c in p21_generate().customers])
    seeds = (7,) if fast else (7, 8, 9, 10, 11)
    outcomes: Counter[tuple[str, str]] = Counter()
    tp = predicted = positives = 0
    started = time.perf_counter()
    for seed in seeds:
        scenario = generate(ScenarioSpec(seed=seed, days=30))
        truth = {c["stripe_customer_id"]: c for c in scenario.truth.customers}
        for step in scenario.steps:
            if step.event_type != "customer.created":
                continue
            link = truth[step.obj["id"]]
            record = from_stripe(step.obj)
            ranked = engine.rank(record)
            decision = engine.decide(ranked, trade_name=prepare(record).trade_name)
            outcomes[(link["variant"], decision)] += 1
            expected = str(link["p21_customer_id"])
            positives += expected != "new"
            if ranked and ranked[0].probability >= model.thresholds.match:
                predicted += 1
                tp += ranked[0].key == expected
    seconds = time.perf_counter() - started
    precision = tp / predicted if predicted else 1.0
    recall = tp / max(positives, 1)
    total = sum(outcomes.values())
    right = sum(n for (variant, got), n in outcomes.items() if EXPECTED[variant] == got)
    metrics = {
        "scenario.precision": precision, "scenario.recall": recall,
        "scenario.f1": 2 * precision * recall / (precision + recall) if tp else 0.0,
        "scenario.decision_accuracy": right / max(total, 1), "scenario.seconds": seconds,
    }  # fmt: skip
    rows = "\n".join(
        f"| {variant} | {EXPECTED[variant]} | "
        + " / ".join(f"{d}: {outcomes[(variant, d)]}" for d in ("link", "review", "new"))
        + " |"
        for variant in EXPECTED
    )
    table = "| variant | expected | decisions |\n|---|---|---|\n" + rows
    return metrics, f"Scenario seeds {list(seeds)}, {total} Stripe customers.\n\n{table}\n"


def _plot(m: Measured, directory: Path) -> Path:
    c = m.top.curve()
    return threshold_plot(
        directory / f"matching_{m.name}_threshold.png",
        c.thresholds, c.precision, c.recall,
        title=f"{m.name}: precision / recall vs threshold",
        marks={"link": m.thresholds.link, "review": m.thresholds.review},
    )  # fmt: skip


def _row(m: Measured, metrics: dict[str, float]) -> str:
    g = {k.split(".", 1)[1]: v for k, v in metrics.items() if k.startswith(m.name + ".")}
    return (
        f"| {m.name} | {len(m.cands.queries)}x{len(m.cands.index)} | {g['precision']:.4f} | "
        f"{g['recall']:.4f} | **{g['f1']:.4f}** | {g['precision_at_link']:.4f} | "
        f"{g['review_queue_share']:.3f} | {g['blocking_recall']:.4f} | "
        f"{g['reduction_ratio']:.0f}x | {g['seconds']:.2f} s | {g['peak_mib']:.0f} MiB |"
    )


def run(*, fast: bool, progress: Progress | None = None) -> EvalSection:
    """The matching section of the evaluation report."""
    from stripe_p21.evals.febrl import febrl4_sets

    step = progress or (lambda _label, _done, _total: None)
    total = 5
    step("matching: business names", 0, total)
    model = MatchModel.load()
    sizes = (1500, 800) if fast else (5000, 3000)
    business = _scored(
        "business", model,
        lambda: candidates(business_set("test", p21_customers=sizes[0], stripe_customers=sizes[1])),
        one_to_one=False,
    )  # fmt: skip
    step("matching: FEBRL 4 (training)", 1, total)
    febrl = febrl4_sets(train_parts=2 if fast else 6)
    sets = {split: candidates(data) for split, data in febrl.items()}
    febrl_model = train(sets["train"], sets["dev"], version="febrl4-eval", one_to_one=True)
    step("matching: FEBRL 4 (test)", 2, total)
    person = _scored("febrl4", febrl_model, lambda: candidates(febrl["test"]), one_to_one=True)
    step("matching: scenarios", 3, total)
    scenario_metrics, scenario_md = _scenario(model, fast)
    step("matching: plots", 4, total)
    plot_dir = Path(tempfile.mkdtemp(prefix="stripe_p21_eval_"))
    plots = [_plot(m, plot_dir) for m in (business, person)]
    metrics = _metrics(business) | _metrics(person) | scenario_metrics
    step("matching: done", total, total)
    header = (
        "| set | queriesxindex | precision | recall | F1 | precision@link | review share "
        "| blocking recall | reduction | time | peak mem |\n|" + "---|" * 11
    )
    t = model.thresholds
    markdown = f"""## Customer matching

Model `{model.version}` (thresholds from its dev split: link ≥ {t.link}, review ≥ {t.review},
match ≥ {t.match}); FEBRL 4 model trained on its own train split, thresholds from its dev split
(link ≥ {febrl_model.thresholds.link}), one-to-one assignment. Mode: {"fast" if fast else "full"}.

{header}
{_row(business, metrics)}
{_row(person, metrics)}

Precision/recall/F1 are pairwise on the top candidate at the dev best-F1 threshold;
"review share" is the share of queries between the review and link thresholds (the work left to
people so that auto-links stay at precision ≥ 0.995). Time and peak memory (tracemalloc) cover
normalising, blocking, features and scoring.

### (a) Scenario customers vs the P21 sandbox seed

{scenario_md}
Pairwise on scenario links: precision {metrics["scenario.precision"]:.4f}, recall
{metrics["scenario.recall"]:.4f}, F1 {metrics["scenario.f1"]:.4f}; policy decision accuracy
{metrics["scenario.decision_accuracy"]:.4f}.

![business](matching_business_threshold.png) ![febrl4](matching_febrl4_threshold.png)
"""
    direction = {k: False for k in metrics if k.endswith((".seconds", ".peak_mib"))}
    direction |= {k: False for k in metrics if k.endswith(".review_queue_share")}
    return EvalSection("matching", markdown, metrics, plots, direction)
