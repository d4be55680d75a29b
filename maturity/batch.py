"""`score_many`: many assessments of one model at once, the arithmetic in NumPy, equal to `score` row by row.

Answers are still checked one row at a time with the same `evaluate` that `score` uses, so a batch
rejects exactly what a single assessment rejects; only the aggregation is vectorised. The spec is
compiled once (item → column, node weights) and the tree is folded over whole columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from maturity.encoding import encode
from maturity.scoring import leaves_with_weights
from maturity.spec import EPS, ModelSpec, Node


@dataclass(frozen=True)
class BatchResult:
    """Columnar results: row i is assessment i. NaN stands for None; level is -1 for rules without levels."""

    scores: np.ndarray  # (n,)
    levels: np.ndarray  # (n,) int
    level_scores: np.ndarray  # (n, number of spec levels); NaN unless cmmm_cumulative or no requirement
    node_codes: tuple[str, ...]
    node_scores: np.ndarray  # (n, len(node_codes)), 0..1


def _mean(parts: list[tuple[float, np.ndarray]], n: int) -> np.ndarray:
    if not parts:
        return np.full(n, np.nan)
    w = np.array([p[0] for p in parts])
    m = np.column_stack([p[1] for p in parts])
    counts = ~np.isnan(m)
    den = counts @ w
    num = np.where(counts, m, 0.0) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _tree(top: list[Node], cols: dict[str, np.ndarray], n: int, nodes_out: dict[str, np.ndarray]) -> np.ndarray:
    def rec(node: Node) -> np.ndarray:
        if node.children:
            parts = [(c.weight, rec(c)) for c in node.children]
        else:
            parts = [(it.weight, cols[it.code]) for it in node.items]
        nodes_out[node.code] = _mean(parts, n)
        return nodes_out[node.code]

    return _mean([(t.weight, rec(t)) for t in top], n)


def _bands(bands: list, values: np.ndarray) -> np.ndarray:
    out = np.zeros(values.shape, dtype=int)
    for b in bands:  # bands ascend, so later matches overwrite earlier ones as band_level's reversed search does
        hit = values >= b.min - EPS
        if b.max is not None:
            hit &= values <= b.max + EPS if b.max_inclusive else values < b.max - EPS
        out = np.where(hit, b.level, out)
    return out


def score_many(spec: ModelSpec, answers_list: list[dict[str, object]], context: dict | None = None) -> BatchResult:
    """Score many assessments sharing one context (group rows by context and call once per group)."""
    return score_encoded(spec, *encode(spec, answers_list, context))


def score_encoded(spec: ModelSpec, values: np.ndarray, raw: np.ndarray) -> BatchResult:
    """The vectorised half of score_many, for matrices already checked and encoded by `encode` (or stored so):
    what bulk rescoring of a whole province runs when a model version is corrected."""
    n = values.shape[0]
    rule = spec.rule
    refs = list(spec.iter_items())
    col = {r.item.code: i for i, r in enumerate(refs)}
    cols = {code: values[:, j] for code, j in col.items()}
    nodes_out: dict[str, np.ndarray] = {}
    root = _tree(spec.nodes, cols, n, nodes_out)
    level_scores = np.full((n, len(spec.levels)), np.nan)
    if rule.type == "cmmm_cumulative":
        leaves = leaves_with_weights(spec.nodes)
        counting = np.ones(n, dtype=bool)
        total = np.zeros(n)
        for k, lv in enumerate(spec.levels):
            subs = [
                (pw, _mean([(it.weight, cols[it.code]) for it in node.items if it.level == lv.number], n))
                for node, pw in leaves
            ]
            ls = _mean(subs, n)
            level_scores[:, k] = ls
            total += np.where(counting, np.nan_to_num(ls, nan=0.0), 0.0)
            counting &= ~np.isnan(ls) & (ls >= rule.threshold(lv.number) - EPS)
        level = _bands(rule.bands, total)
    else:
        total = np.nan_to_num(root, nan=0.0) * rule.scale_max
        if rule.type == "weighted_sum":
            level = np.full(n, -1)
        elif rule.type == "score_bands":
            level = _bands(rule.bands, total)
        else:
            scene_cols = [col[r.item.code] for r in refs if r.item.kind == "scene"]
            grades = raw[:, scene_cols] if scene_cols else np.zeros((n, 0))
            level = np.zeros(n, dtype=int)
            for req in rule.requirements:
                count = (np.nan_to_num(grades, nan=-1.0) >= req.scene_level).sum(axis=1)
                met = (total >= req.min_score - EPS) & (count >= req.min_scenes)
                level = np.where(met, np.maximum(level, req.level), level)
    if rule.type != "weighted_sum":
        for r in refs:
            if r.item.kind == "prerequisite":
                p = raw[:, col[r.item.code]]
                failed = ~np.isnan(p) & (p != 1.0)
                level = np.where(failed, np.minimum(level, (r.item.level or 1) - 1), level)
    codes = tuple(nodes_out)
    node_matrix = np.column_stack([nodes_out[c] for c in codes]) if codes else np.zeros((n, 0))
    return BatchResult(total, level, level_scores, codes, node_matrix)
