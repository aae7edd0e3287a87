"""`stripe-p21 train matching`: retrain the shipped customer-match artifact from the generated
business splits (train → fit, dev → thresholds, test → the model card's numbers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from stripe_p21.intelligence.matching.corruptions import SPLIT_SEEDS, business_set
from stripe_p21.intelligence.matching.model import MODEL_DIR, SEED, MatchModel

VERSION = "customer-match-1.1"
SIZES = {"train": (3000, 2000), "dev": (3000, 1500), "test": (5000, 3000)}
"""(P21 customers, Stripe customers) per split."""


def train_customer_model(version: str = VERSION) -> tuple[MatchModel, dict[str, Any]]:
    """Fit, pick thresholds on dev and measure on test; deterministic."""
    import sklearn  # type: ignore[import-untyped]

    from stripe_p21.intelligence.matching.training import (
        candidates,
        pair_metrics,
        predict,
        train,
    )

    sets = {
        split: candidates(business_set(split, p21_customers=p21, stripe_customers=stripe))
        for split, (p21, stripe) in SIZES.items()
    }
    model = train(sets["train"], sets["dev"], version=version, one_to_one=False)
    top = predict(model, sets["test"], one_to_one=False)
    at_match = pair_metrics(top, model.thresholds.match)
    at_link = pair_metrics(top, model.thresholds.link)
    test = sets["test"]
    metrics = {
        "test_precision": round(at_match.precision, 4),
        "test_recall": round(at_match.recall, 4),
        "test_f1": round(at_match.f1, 4),
        "test_precision_at_link": round(at_link.precision, 4),
        "test_recall_at_link": round(at_link.recall, 4),
        "test_blocking_recall": round(test.blocking_recall, 4),
        "test_reduction_ratio": round(test.reduction_ratio, 1),
    }
    model.info |= {"metrics": metrics, "sklearn": sklearn.__version__, "sizes": SIZES,
                   "split_seeds": SPLIT_SEEDS}  # fmt: skip
    return model, metrics


def model_card(model: MatchModel) -> str:
    metrics = model.info.get("metrics", {})
    rows = "\n".join(f"| {k} | {v} |" for k, v in sorted(metrics.items()))
    t = model.thresholds
    return f"""# Model card: customer match ({model.version})

**What it does.** Gives the calibrated probability that a Stripe customer and a P21 customer are
the same company, from rapidfuzz similarity features of a candidate pair (blocking first).

**Model.** `HistGradientBoostingClassifier` (150 iterations, 15 leaves, seed {SEED}) wrapped in
`CalibratedClassifierCV(method="isotonic", cv=StratifiedKFold(5, shuffle, seed {SEED}))`,
scikit-learn {model.info.get("sklearn")}. Stored with joblib (`model.joblib`, a pickle: load only
this repository's own file) next to `metadata.json` (features, thresholds, metrics).

**Data.** Generated, nothing personal: P21 customers from the sandbox seed
(`sandbox.p21.seed.generate`, one seed per split: {SPLIT_SEEDS}) and Stripe-side records
derived from them with typos, legal-suffix swaps/drops, abbreviations, DBA names, casing,
punctuation, `&`/and, "The", reformatted/missing/changed phones, another mailbox at the
company's domain (25% of matched records: ap@ for billing@), free-mail addresses,
missing/moved addresses; 25% new companies, 30% of those borrowing a P21 company's name under
another legal form (hard negatives, never a spelling of a form P21 already has for that name,
and on a domain of their own). The seed's namesakes (a second "X Co." or an "X Company" beside
"X Co.") get a company domain of their own (`corruptions.realistic_base`); other legal forms of
a name (sister companies) and different names may still share one, so a domain alone never
decides. Sizes (P21, Stripe) per split: {SIZES}.
Training pairs come from blocking on the train split; labels from the generator's truth.

**Changes in 1.1.** 1.0 sent "Reyes Packaging Company" <ap@reyespackaging.com> to "new"
(0.009) against P21 "Reyes Packaging Co." <billing@reyespackaging.com>: its training base let
namesakes share the company domain, and `name_full_ratio` compared "co" with "company". Now the
suffix-keeping name form writes spelled-out legal forms canonically (Company → co, Incorporated
→ inc, Corporation → corp, Limited → ltd) and the data is as above; the case links at 1.0
(`tests/intelligence/matching/test_mailbox_regression.py`). 1.0 → 1.1 on this test split: F1
0.9927 → 0.9933, precision at auto-link 0.9959 → 0.9991 (1.0 measured on 1.0's data).

**Features.** {", ".join(model.used)} (NaN when a side is missing; a free-mail domain never
counts as a company domain).

**Thresholds** (chosen on the dev split, never on test): auto-link ≥ {t.link}, review ≥
{t.review}, new below; pairwise metrics use the dev best-F1 threshold {t.match}. A runner-up
candidate above the review threshold, or a DBA trade name, sends an auto-link to review.

**Test-split metrics** (business split `test`, one P21 customer may be the top of several
Stripe customers):

| metric | value |
|---|---|
{rows}

**Limits.** Trained on synthetic US distributor names; retrain on exported reviewer decisions
(`GET /api/customers/match/decisions/export`) before trusting it on other markets.
Retrain: `stripe-p21 train matching` (deterministic: same code and seeds → same numbers).
"""


@click.group("train")
def train_group() -> None:
    """Retrain shipped models from their generated data."""


@train_group.command("matching")
@click.option("--out", type=click.Path(path_type=Path), default=MODEL_DIR, show_default=True)
def train_matching(out: Path) -> None:
    """Retrain the customer-match model and rewrite its model card."""
    model, metrics = train_customer_model()
    model.save(out)
    (out / "MODEL_CARD.md").write_text(model_card(model))
    click.echo(f"saved {model.version} to {out}: {metrics}")
