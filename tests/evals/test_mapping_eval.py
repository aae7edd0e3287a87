"""The mapping evaluation: metrics on a hand-made example, the labelled data is consistent, and
the fast run meets the issue's targets ahead of the published baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stripe_p21.evals import harness, mapping
from stripe_p21.intelligence.mapping_suggest.catalogue import lookup
from stripe_p21.intelligence.mapping_suggest.evaluation import (
    LabelledPair,
    Ranking,
    Truth,
    load_pairs,
    score_rankings,
)


def _pair() -> LabelledPair:
    truth: dict[str, Truth | None] = {
        "OrderNumber": Truth(("metadata.order_id",), {"metadata.order_id": "copy"}),
        "TotalAmount": Truth(("amount",), {"amount": "minor_to_decimal"}),
        "Taker": None,
    }
    sales = lookup("SalesOrder")
    target = type(sales)("t", "inline", tuple(f for f in sales.fields if f.name in truth))
    return LabelledPair("toy", "test", lookup("Charge"), target, truth)


def test_metrics_on_a_hand_made_example() -> None:
    rankings = [
        Ranking("OrderNumber", (("id", 0.9), ("metadata.order_id", 0.8)), "id", "copy"),
        Ranking("TotalAmount", (("amount", 0.7),), "amount", "minor_to_decimal"),
        Ranking("Taker", (("status", 0.95),), None),
    ]
    scores = score_rankings([(_pair(), rankings)])
    assert scores.top1 == 0.5  # OrderNumber's first pick is wrong
    assert scores.mrr == pytest.approx((0.5 + 1.0) / 2)
    assert scores.recall_at_gt == 0.0  # the best two pairs are (Taker,status) and (OrderNumber,id)
    assert scores.false_suggestion_rate == 0.5  # one of two suggestions is wrong
    assert scores.transform_accuracy == 1.0
    assert scores.decision_accuracy == pytest.approx(2 / 3)


def test_every_labelled_pair_loads_and_both_splits_exist() -> None:
    pairs = load_pairs()
    assert {p.split for p in pairs} == {"dev", "test"}
    assert any(p.name == "seed-charge-salesorder" for p in pairs)
    assert len(pairs) >= 15


def test_a_label_naming_an_unknown_source_is_an_error(tmp_path: Path) -> None:
    bad = {
        "name": "bad",
        "split": "dev",
        "source": "stripe.Charge",
        "target": {"name": "x", "fields": [{"name": "A"}]},
        "truth": {"A": {"source": ["no_such_field"], "transform": "copy"}},
    }
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    with pytest.raises(ValueError, match="unknown sources"):
        load_pairs(tmp_path)


def test_fast_run_meets_targets_ahead_of_the_baseline() -> None:
    seen: list[tuple[str, int, int]] = []
    section = mapping.run(
        fast=True, progress=lambda label, done, total: seen.append((label, done, total))
    )
    m = section.metrics
    assert section.name == "mapping"
    assert m["top1"] >= 0.9 and m["recall_at_gt"] >= 0.9
    assert m["top1"] > m["baseline_top1"] and m["recall_at_gt"] > m["baseline_recall_at_gt"]
    assert m["false_suggestion_rate"] <= 0.15
    assert section.higher_is_better["false_suggestion_rate"] is False
    assert "valentine Coma (schema)" in section.markdown
    assert seen and seen[-1][1] == seen[-1][2]
    baselines = json.loads(harness.BASELINES.read_text())
    check = harness.check_baselines([section], baselines, fast=True)
    assert check.compared >= 5
    assert check.ok, check.regressions
