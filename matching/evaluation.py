"""Evaluation harness: NDCG@10, recall@10 and MRR of a ranker on the labelled synthetic set.

Run ``python -m matching.evaluation`` for the engine-vs-BM25 table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import numpy as np
import yaml

from .bm25 import BM25
from .model import Catalog, Need
from .rank import rank, solution_text
from .tokenize import DATA_DIR, tokenize

Ranker = Callable[[Need, Catalog], list[str]]


@cache
def load_catalog() -> Catalog:
    return Catalog.from_dict(yaml.safe_load((DATA_DIR / "eval_catalog.yaml").read_text(encoding="utf-8")))


@cache
def load_needs() -> tuple[tuple[Need, dict[str, int]], ...]:
    data = yaml.safe_load((DATA_DIR / "eval_needs.yaml").read_text(encoding="utf-8"))
    out = []
    for n in data["needs"]:
        need = Need(
            id=n["id"],
            text=n["text"],
            industry=str(n.get("industry", "")),
            region=str(n.get("region", "")),
            size=n.get("size", ""),
            tier=n.get("tier", ""),
            budget_max=n.get("budget_max"),
            deployments=tuple(n.get("deployments", ())),
            scenarios=tuple(n.get("scenarios", ())),
        )
        out.append((need, {str(k): int(v) for k, v in n["rel"].items()}))
    return tuple(out)


def ndcg_at_k(ranked: list[str], rel: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** rel.get(s, 0) - 1) / math.log2(i + 2) for i, s in enumerate(ranked[:k]))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at_k(ranked: list[str], rel: dict[str, int], k: int = 10) -> float:
    relevant = {s for s, g in rel.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: list[str], rel: dict[str, int]) -> float:
    return next((1 / (i + 1) for i, s in enumerate(ranked) if rel.get(s, 0) > 0), 0.0)


def engine_ranker(weights: dict[str, float] | None = None) -> Ranker:
    def run(need: Need, catalog: Catalog) -> list[str]:
        return [r.solution_id for r in rank(need, catalog, k=10, weights=weights)]

    return run


def bm25_ranker(need: Need, catalog: Catalog) -> list[str]:
    """The plain baseline: BM25 over title and description, same tokenizer, no filters or other signals."""
    index = catalog._cache.get("baseline")
    if index is None:
        index = catalog._cache["baseline"] = BM25([tokenize(solution_text(s)) for s in catalog.solutions])
    return [catalog.solutions[i].id for i, _ in index.top(tokenize(need.text), 10)]  # type: ignore[union-attr]


def evaluate(ranker: Ranker, *, k: int = 10) -> dict:
    """Ranking metrics over the needs that something in the pool serves (rel not empty)."""
    catalog = load_catalog()
    per_need = {}
    for need, rel in load_needs():
        if not rel:
            continue
        ranked = ranker(need, catalog)
        per_need[need.id] = {
            "ndcg": ndcg_at_k(ranked, rel, k),
            "recall": recall_at_k(ranked, rel, k),
            "mrr": reciprocal_rank(ranked, rel),
        }
    return {
        "ndcg@10": float(np.mean([m["ndcg"] for m in per_need.values()])),
        "recall@10": float(np.mean([m["recall"] for m in per_need.values()])),
        "mrr": float(np.mean([m["mrr"] for m in per_need.values()])),
        "needs": len(per_need),
        "per_need": per_need,
    }


def abstention(ranker: Ranker) -> dict:
    """How often a ranker says "nothing fits" where that is right and where it is wrong, and how much it shows.

    ``abstained_unsatisfiable``: share of unsatisfiable needs (rel empty) with an empty list (higher is better);
    ``abstained_satisfiable``: share of the others with an empty list (lower is better); ``junk_shown``: results
    shown for unsatisfiable needs; ``irrelevant_share``: of all results shown, the share judged irrelevant."""
    catalog = load_catalog()
    unsat = sat = right = wrong = junk = shown = irrelevant = 0
    for need, rel in load_needs():
        ranked = ranker(need, catalog)
        shown += len(ranked)
        irrelevant += sum(1 for s in ranked if rel.get(s, 0) == 0)
        if rel:
            sat += 1
            wrong += not ranked
        else:
            unsat += 1
            right += not ranked
            junk += len(ranked)
    return {
        "abstained_unsatisfiable": right / unsat if unsat else 0.0,
        "abstained_satisfiable": wrong / sat if sat else 0.0,
        "junk_shown": junk,
        "irrelevant_share": irrelevant / shown if shown else 0.0,
        "unsatisfiable": unsat,
    }


def confidence_calibration() -> dict[str, tuple[int, float]]:
    """Per confidence label of the engine's results on the labelled set: (results, share judged relevant)."""
    catalog = load_catalog()
    seen: dict[str, list[bool]] = {"高": [], "中": [], "低": []}
    for need, rel in load_needs():
        for r in rank(need, catalog, k=10):
            seen[r.confidence].append(rel.get(r.solution_id, 0) > 0)
    return {label: (len(v), sum(v) / len(v) if v else 0.0) for label, v in seen.items()}


def comparison_table() -> str:
    rows = [("engine", evaluate(engine_ranker())), ("bm25 baseline", evaluate(bm25_ranker))]
    lines = [f"{'ranker':<16}{'NDCG@10':>10}{'recall@10':>11}{'MRR':>8}", "-" * 45]
    for name, m in rows:
        lines.append(f"{name:<16}{m['ndcg@10']:>10.3f}{m['recall@10']:>11.3f}{m['mrr']:>8.3f}")
    lines.append(f"({rows[0][1]['needs']} synthetic labelled needs, {len(load_catalog().solutions)} solutions)")
    lines += ["", f"{'ranker':<16}{'abstain(unsat)':>15}{'abstain(sat)':>13}{'junk':>6}{'irrelevant':>11}", "-" * 61]
    for name, ranker in (("engine", engine_ranker()), ("bm25 baseline", bm25_ranker)):
        a = abstention(ranker)
        lines.append(
            f"{name:<16}{a['abstained_unsatisfiable']:>15.2f}{a['abstained_satisfiable']:>13.2f}"
            f"{a['junk_shown']:>6}{a['irrelevant_share']:>11.2f}"
        )
    lines.append(f"({abstention(bm25_ranker)['unsatisfiable']} unsatisfiable needs among them)")
    calibration = "; ".join(
        f"{label} {n} results, {share:.0%} relevant" for label, (n, share) in confidence_calibration().items()
    )
    lines.append(f"engine confidence labels: {calibration}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(comparison_table())
