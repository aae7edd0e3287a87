"""Labelled Stripe→P21 schema pairs for the mapping evaluation (evals/data/mapping/*.json), and
the ranking metrics computed on them: top-1, recall@|GT|, MRR, false-suggestion rate."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from stripe_p21.intelligence.mapping_suggest.catalogue import resolve
from stripe_p21.intelligence.mapping_suggest.schema import Schema

DATA_DIR = Path(__file__).resolve().parents[4] / "evals" / "data" / "mapping"


@dataclass(frozen=True, slots=True)
class Truth:
    sources: tuple[str, ...]
    """Every acceptable source field; the first is the preferred one."""
    transforms: dict[str, str]
    """The transform each acceptable source needs."""


def _truth(label: dict[str, object]) -> Truth:
    """`{"source": [...], "transform": "copy" | {source: transform}}`."""
    sources = tuple(str(s) for s in label["source"])  # type: ignore[attr-defined]
    raw = label["transform"]
    transforms = (
        {s: str(raw[s]) for s in sources}
        if isinstance(raw, dict)
        else dict.fromkeys(sources, str(raw))
    )
    return Truth(sources, transforms)


@dataclass(frozen=True, slots=True)
class LabelledPair:
    name: str
    split: str
    source: Schema
    target: Schema
    truth: dict[str, Truth | None]
    """Every target field: its acceptable sources, or None when nothing in the source fits."""


def load_pairs(directory: Path = DATA_DIR) -> list[LabelledPair]:
    """Every labelled pair, sorted by name; a target field without a label is an error."""
    pairs = []
    for path in sorted(directory.glob("*.json")):
        raw = json.loads(path.read_text())
        source, target = resolve(raw["source"]), resolve(raw["target"])
        truth: dict[str, Truth | None] = {}
        for field, label in raw["truth"].items():
            truth[field] = None if label is None else _truth(label)
        missing = {f.name for f in target.fields} ^ set(truth)
        if missing:
            raise ValueError(f"{path.name}: truth and target fields differ: {sorted(missing)}")
        for field, label in truth.items():
            unknown = [s for s in (label.sources if label else ()) if s not in source.by_name]
            if unknown:
                raise ValueError(f"{path.name}: {field} names unknown sources {unknown}")
        pairs.append(LabelledPair(raw["name"], raw["split"], source, target, truth))
    return pairs


@dataclass(frozen=True, slots=True)
class Ranking:
    """One matcher's answer for one target field: ranked sources, and what it suggests."""

    target: str
    ranked: tuple[tuple[str, float], ...]
    suggested: str | None
    transform: str | None = None


@dataclass(frozen=True, slots=True)
class Scores:
    top1: float
    recall_at_gt: float
    mrr: float
    false_suggestion_rate: float
    transform_accuracy: float
    decision_accuracy: float
    """Share of target fields where the suggestion is right or correctly withheld."""
    fields: int
    suggestions: int


def _top_gt_hits(
    everything: list[tuple[float, str, str]], gt_pairs: set[tuple[str, str]], size: int
) -> set[str]:
    """Target fields found among the best `size` pairs; once a target is found, its other
    acceptable sources are equivalent answers and take no further slot."""
    hits: set[str] = set()
    slots = 0
    for _, target, source in everything:
        if slots >= size:
            break
        if target in hits and (target, source) in gt_pairs:
            continue
        slots += 1
        if (target, source) in gt_pairs:
            hits.add(target)
    return hits


def score_rankings(
    pairs: Sequence[tuple[LabelledPair, Sequence[Ranking]]],
) -> Scores:
    top1 = rr = found = labelled = suggested = wrong = right_transform = decided = fields = 0.0
    for pair, rankings in pairs:
        by_target = {r.target: r for r in rankings}
        gt_pairs = {(t, s) for t, label in pair.truth.items() if label for s in label.sources}
        gt_size = sum(1 for label in pair.truth.values() if label)
        everything = sorted(
            ((score, r.target, s) for r in rankings for s, score in r.ranked),
            key=lambda item: -item[0],
        )
        found += len(_top_gt_hits(everything, gt_pairs, gt_size))
        for target, label in pair.truth.items():
            fields += 1
            ranking = by_target.get(target, Ranking(target, (), None))
            if ranking.suggested is not None:
                suggested += 1
                ok = label is not None and ranking.suggested in label.sources
                wrong += 0 if ok else 1
                decided += 1 if ok else 0
                if ok and label and ranking.transform == label.transforms[ranking.suggested]:
                    right_transform += 1
            elif label is None:
                decided += 1
            if label is None:
                continue
            labelled += 1
            sources = [s for s, _ in ranking.ranked]
            if sources and sources[0] in label.sources:
                top1 += 1
            rank = next((i + 1 for i, s in enumerate(sources) if s in label.sources), None)
            rr += 1.0 / rank if rank else 0.0
    right = suggested - wrong
    return Scores(
        top1=top1 / labelled if labelled else 0.0,
        recall_at_gt=found / labelled if labelled else 0.0,
        mrr=rr / labelled if labelled else 0.0,
        false_suggestion_rate=wrong / suggested if suggested else 0.0,
        transform_accuracy=right_transform / right if right else 0.0,
        decision_accuracy=decided / fields if fields else 0.0,
        fields=int(fields),
        suggestions=int(suggested),
    )
