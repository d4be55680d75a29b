"""`score_many`: many assessments of one model at once, the arithmetic in NumPy, equal to `score` row by row.

Answers are checked by `maturity.encoding` (vectorised, falling back to `evaluate` for anything irregular), so a
batch rejects exactly what a single assessment rejects, with the same error for the same (first bad) row. The
spec is compiled once into sparse weights — items → item-holding nodes → … → root, and for CMMM items →
sub-domain at each level → level — and rows are checked and folded in blocks, so a million rows never need a
million-row temporary and the first bad row stops the work.

Equality with `score`: levels are equal; scores, level scores and node scores are equal up to floating-point
summation order (NumPy sums where `score` uses math.fsum), well within 1e-9.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from maturity.answers import ScoringError, prepared_for
from maturity.encoding import AnswerMatrix, Encoder, Failure, Irregular
from maturity.scoring import leaves_with_weights
from maturity.spec import EPS, ModelSpec, Node

# Rows per block: enough to amortise the per-item Python, few enough that a block's arrays (~3 MB for 100 items)
# stay in cache: 15–25 % less CPU than 16,384 on the dict, matrix and encoded paths alike (7 Dec 2026).
BLOCK = 4_096

Answers = AnswerMatrix | Sequence[Mapping[str, object]]
Context = Mapping[str, object] | Sequence[Mapping[str, object] | None] | None


@dataclass(frozen=True)
class BatchResult:
    """Columnar results: row i is assessment i. NaN stands for None; level is -1 for rules without levels."""

    scores: np.ndarray  # (n,)
    levels: np.ndarray  # (n,) int
    level_scores: np.ndarray  # (n, number of spec levels); NaN unless cmmm_cumulative or no requirement
    node_codes: tuple[str, ...]
    node_scores: np.ndarray  # (n, len(node_codes)), 0..1


def _empty_result(plan: _Plan, n: int) -> BatchResult:
    return BatchResult(
        np.zeros(n),
        np.zeros(n, dtype=int),
        np.full((n, plan.n_levels), np.nan),
        plan.node_codes,
        np.full((n, len(plan.node_codes)), np.nan),
    )


Targets = list[tuple[np.ndarray, np.ndarray]]  # per target: source indices and their (non-zero) weights


def _targets(w: np.ndarray) -> Targets:
    """A (targets × sources) weight matrix as its non-zero entries: the tree is sparse, dense products waste time."""
    return [(np.flatnonzero(row), row[row != 0]) for row in w]


def _weighted_mean(targets: Targets, x: np.ndarray, zeroed: np.ndarray | None = None, present=None) -> np.ndarray:
    """Each target as the weighted mean of its sources' rows of x (sources × m), over the sources that are not NaN.

    NaN where the counting weight is zero, like `weighted_tree`'s None (a node that drops out of its parent).
    `zeroed` (x with NaN as 0) and `present` (1.0 where x is not NaN) may be given when already at hand."""
    if zeroed is None or present is None:
        mask = ~np.isnan(x)
        zeroed, present = np.where(mask, x, 0.0), mask.astype(float)
    out = np.full((len(targets), x.shape[1]), np.nan)
    for t, (idx, w) in enumerate(targets):
        if len(idx) == 1 and w[0] == 1.0:  # (1·x)/1 is x: the mean of one source of weight 1 is that source
            out[t] = x[idx[0]]
            continue
        if len(idx) == 1:
            num, den = zeroed[idx[0]] * w[0], present[idx[0]] * w[0]
        elif len(idx):
            num, den = w @ zeroed[idx], w @ present[idx]
        else:
            continue
        np.divide(num, den, out=out[t], where=den > 0)
    return out


class _Plan:
    """The spec's tree as weight matrices, so a block of rows is folded with a few matrix products."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        rule = spec.rule
        refs = list(spec.iter_items())
        item_at = {r.item.code: i for i, r in enumerate(refs)}
        order: list[Node] = []  # post-order, the order node_codes always had

        def walk(node: Node) -> int:
            h = max((walk(c) for c in node.children), default=-1) + 1
            order.append(node)
            heights[node.code] = h
            return h

        heights: dict[str, int] = {}
        for top in spec.nodes:
            walk(top)
        self.node_codes = tuple(n.code for n in order)
        node_at = {c: k for k, c in enumerate(self.node_codes)}
        n_items, n_nodes = len(refs), len(order)
        self.n_levels = len(spec.levels)

        # Item means: nodes of height 0 (items or nothing), then for CMMM each level's sub-domain means.
        self.base_nodes = [node_at[n.code] for n in order if heights[n.code] == 0]
        rows = []
        for k in self.base_nodes:
            w = np.zeros(n_items)
            for it in order[k].items:
                w[item_at[it.code]] = it.weight
            rows.append(w)
        self.cmmm = rule.type == "cmmm_cumulative"
        if self.cmmm:
            leaves = leaves_with_weights(spec.nodes)
            for lv in spec.levels:
                for node, _ in leaves:
                    w = np.zeros(n_items)
                    for it in node.items:
                        if it.level == lv.number:
                            w[item_at[it.code]] = it.weight
                    rows.append(w)
            n_leaves = len(leaves)
            level_w = np.zeros((self.n_levels, self.n_levels * n_leaves))
            for k in range(self.n_levels):
                level_w[k, k * n_leaves : (k + 1) * n_leaves] = [pw for _, pw in leaves]
            self.level_w = _targets(level_w)
            self.thresholds = [rule.threshold(lv.number) for lv in spec.levels]
        self.item_w = _targets(np.array(rows).reshape(len(rows), n_items))

        # Then each height from its children, and the root from the top nodes.
        self.stages: list[tuple[list[int], Targets]] = []
        for h in range(1, max(heights.values(), default=0) + 1):
            targets = [k for k, n in enumerate(order) if heights[n.code] == h]
            w = np.zeros((len(targets), n_nodes))
            for t, k in enumerate(targets):
                for c in order[k].children:
                    w[t, node_at[c.code]] = c.weight
            self.stages.append((targets, _targets(w)))
        top_w = np.zeros((1, n_nodes))
        for n in spec.nodes:
            top_w[0, node_at[n.code]] = n.weight
        self.top_w = _targets(top_w)

        self._combined: dict[bytes, np.ndarray] = {}  # presence pattern → _linear as one matrix (_linear_fast)
        self.scenes = [i for i, r in enumerate(refs) if r.item.kind == "scene"]
        self.prerequisites = [(i, (r.item.level or 1) - 1) for i, r in enumerate(refs) if r.item.kind == "prerequisite"]
        self.caps = [item_at[c] for c in rule.caps] if rule.type == "capped_bands" else []

    def _linear(self, vals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Node scores (nodes × m), the root (m,) and for CMMM the level scores (levels × m) of a block."""
        m = vals.shape[1]
        present = ~np.isnan(vals)
        means = _weighted_mean(self.item_w, vals, np.where(present, vals, 0.0), present.astype(float))
        nodes = np.full((len(self.node_codes), m), np.nan)
        nodes[self.base_nodes] = means[: len(self.base_nodes)]
        for targets, w in self.stages:
            nodes[targets] = _weighted_mean(w, nodes)
        root = _weighted_mean(self.top_w, nodes)[0]
        levels_s = _weighted_mean(self.level_w, means[len(self.base_nodes) :]) if self.cmmm else None
        return nodes, root, levels_s

    def _linear_fast(self, vals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None] | None:
        """`_linear` as one matrix product, when every item of the block counts in all rows or in none (the usual
        case: all answered, or N/A only where the context excludes an item). Every mean's denominator is then the
        same in all rows, so each output is a fixed linear combination of the items: the combinations are found
        once per pattern by running `_linear` on the identity, and a block costs one product. None otherwise."""
        m = vals.shape[1]
        if m and not np.isnan(np.add.reduce(vals, axis=None)):  # one summing pass: finite cells never sum to NaN
            missing = np.zeros(len(vals), dtype=np.intp)
        else:
            missing = np.isnan(vals).sum(axis=1)
        if m == 0 or not np.all((missing == 0) | (missing == m)):
            return None
        absent = missing == m
        key = absent.tobytes()
        combined = self._combined.get(key)
        if combined is None:
            basis = np.eye(len(absent))
            basis[absent] = np.nan
            nodes, root, levels_s = self._linear(basis)
            parts = [nodes, root[None, :]] + ([levels_s] if levels_s is not None else [])
            combined = np.vstack(parts)
            combined[:, absent] = 0.0  # a target with nothing that counts is a row of NaN, and stays NaN
            self._combined[key] = combined
        x = vals
        if absent.any():
            x = vals.copy()
            x[absent] = 0.0
        res = (x.T @ combined.T).T  # the same product; OpenBLAS runs this shape on one thread, ~2.5× less CPU here
        k = len(self.node_codes)
        return res[:k], res[k], (res[k + 1 :] if self.cmmm else None)

    def fold(self, vals: np.ndarray, raw: np.ndarray, rows: slice, *, out: BatchResult) -> None:
        """Score a block: `vals`/`raw` are item-major (items × m); results go to `out` at `rows`."""
        rule = self.spec.rule
        m = vals.shape[1]
        nodes, root, levels_s = self._linear_fast(vals) or self._linear(vals)
        out.node_scores[rows] = nodes.T
        if self.cmmm:
            counting = np.ones(m, dtype=bool)
            total = np.zeros(m)
            for k, thr in enumerate(self.thresholds):
                ls = levels_s[k]
                total += np.where(counting, np.nan_to_num(ls, nan=0.0), 0.0)
                counting &= ~np.isnan(ls) & (ls >= thr - EPS)
            out.level_scores[rows] = levels_s.T
            level = _bands(rule.bands, total)
        else:
            total = np.nan_to_num(root, nan=0.0) * rule.scale_max
            if rule.type == "weighted_sum":
                level = np.full(m, -1)
            elif rule.type == "score_bands":
                level = _bands(rule.bands, total)
            elif rule.type == "capped_bands":
                level = _bands(rule.bands, total)
                for i in self.caps:  # an unanswered or N/A capping item counts 0, as in `scoring.item_caps`
                    level = np.minimum(level, _bands(rule.bands, np.nan_to_num(vals[i], nan=0.0) * rule.scale_max))
            else:
                grades = np.nan_to_num(raw[self.scenes], nan=-1.0)
                level = np.zeros(m, dtype=int)
                for req in rule.requirements:
                    met = (total >= req.min_score - EPS) & ((grades >= req.scene_level).sum(axis=0) >= req.min_scenes)
                    level = np.where(met, np.maximum(level, req.level), level)
        if rule.type != "weighted_sum":
            for i, cap in self.prerequisites:
                p = raw[i]
                level = np.where(~np.isnan(p) & (p != 1.0), np.minimum(level, cap), level)
        out.scores[rows] = total
        out.levels[rows] = level


def _bands(bands: list, values: np.ndarray) -> np.ndarray:
    out = np.zeros(values.shape, dtype=int)
    for b in bands:  # bands ascend, so later matches overwrite earlier ones as band_level's reversed search does
        hit = values >= b.min - EPS
        if b.max is not None:
            hit &= values <= b.max + EPS if b.max_inclusive else values < b.max - EPS
        out = np.where(hit, b.level, out)
    return out


Fold = Callable[[np.ndarray, np.ndarray, slice], None]
Errors = dict[int, ScoringError]


def _run_group(encoder: Encoder, answers: Answers, fold: Fold, errors: Errors | None = None) -> Failure | None:
    """Check and encode `answers` block by block, in row order, handing each block to `fold`; stop at the first
    bad row (so nothing after it is folded) — or, given `errors`, record every bad row there and go on (their
    rows of the result then mean nothing)."""
    n = len(answers)
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        if isinstance(answers, AnswerMatrix):
            block = np.ascontiguousarray(answers.values[start:stop].T)
            vals, raw, bad = encoder.matrix_block(answers.codes, block)
            if bad.any():
                if errors is None:
                    return encoder.matrix_failure(answers, start + int(np.argmax(bad)))
                for r in np.flatnonzero(bad):
                    errors[start + int(r)] = encoder.matrix_failure(answers, start + int(r)).error
        else:
            rows = answers[start:stop]
            try:
                vals, raw = encoder.dict_block(rows)
            except Irregular:
                found: Errors | None = None if errors is None else {}
                got = encoder.rows_block(rows, found)
                if isinstance(got, Failure):
                    return Failure(start + got.row, got.error)
                vals, raw = got
                if found:
                    errors.update((start + r, e) for r, e in found.items())  # type: ignore[union-attr]
        fold(vals, raw, slice(start, stop))
    return None


def _groups(spec: ModelSpec, context: Context, n: int) -> list[tuple[Mapping[str, object] | None, np.ndarray | None]]:
    """Rows that are checked and folded together: those whose contexts make the same items apply. A context is
    read only through applicability, so one of them stands for the group (every industry and size of a province
    would otherwise be a group of its own, each compiling the spec again)."""
    if context is None or isinstance(context, Mapping):
        return [(context, None)]
    contexts = list(context)
    if len(contexts) != n:
        raise ValueError(f"{len(contexts)} contexts for {n} assessments")
    by_key: dict[tuple, tuple[Mapping[str, object] | None, list[int]]] = {}
    pattern_of: dict[tuple, tuple] = {}
    for i, ctx in enumerate(contexts):
        key = tuple(sorted(ctx.items())) if ctx else ()
        pattern = pattern_of.get(key)
        if pattern is None:
            refs = prepared_for(spec, dict(ctx) if ctx else None).refs
            pattern = pattern_of[key] = tuple(applicable for _r, applicable, _mp in refs)
        by_key.setdefault(pattern, (ctx, []))[1].append(i)
    return [(ctx, np.array(rows)) for ctx, rows in by_key.values()]


def score_many(spec: ModelSpec, answers: Answers, context: Context = None) -> BatchResult:
    """Score many assessments: `answers` is a list of answer dicts (as `score` takes) or an AnswerMatrix.

    Row i of the result is `score(spec, answers[i], context)` (for an AnswerMatrix, of `answers.answers(spec, i)`)
    up to float summation order. `context` is one context for every row, or one per row: rows are then grouped by
    context and each group is checked and folded once (a batch mixing discrete and process makers is fine).
    Raises exactly what `score` raises for the first bad row (lowest index), whichever group it is in."""
    return _score(spec, answers, context, None)


def score_many_reporting(spec: ModelSpec, answers: Answers, context: Context = None) -> tuple[BatchResult, Errors]:
    """`score_many` that does not stop at a bad row: every row `score` would refuse is reported (row index → the
    error `score` raises for it) and the others are scored. The result's rows for reported rows mean nothing.
    What rescoring after a model correction needs: the assessments that no longer fit are named, not fatal."""
    errors: Errors = {}
    return _score(spec, answers, context, errors), errors


def _score(spec: ModelSpec, answers: Answers, context: Context, errors: Errors | None) -> BatchResult:
    plan = _Plan(spec)
    n = len(answers)
    out = _empty_result(plan, n)
    groups = _groups(spec, context, n)
    if len(groups) == 1:
        failure = _run_group(Encoder(spec, groups[0][0], all_raw=False), answers, partial(plan.fold, out=out), errors)
        if failure is not None:
            raise failure.error
        return out
    failures: list[Failure] = []
    for ctx, rows in groups:
        assert rows is not None
        part = answers.take(rows) if isinstance(answers, AnswerMatrix) else [answers[i] for i in rows]
        sub = _empty_result(plan, len(rows))
        found: Errors | None = None if errors is None else {}
        failure = _run_group(Encoder(spec, ctx, all_raw=False), part, partial(plan.fold, out=sub), found)
        if failure is not None:
            failures.append(Failure(int(rows[failure.row]), failure.error))
            continue
        if found:
            errors.update((int(rows[r]), e) for r, e in found.items())  # type: ignore[union-attr]
        out.scores[rows], out.levels[rows] = sub.scores, sub.levels
        out.level_scores[rows], out.node_scores[rows] = sub.level_scores, sub.node_scores
    if failures:
        raise min(failures, key=lambda f: f.row).error
    return out


def encode(
    spec: ModelSpec, answers: Answers, context: Mapping[str, object] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Checked answers as (rows × items) matrices in `spec.iter_items()` order, for storing and `score_encoded`:
    `values` is each counted item's 0–1 score (NaN where it does not count), `raw` the points as answered (NaN
    where unanswered and not counted as 0). Raises what `score` raises for the first bad row."""
    encoder = Encoder(spec, context)
    n = len(answers)
    values = np.full((n, len(encoder.codes)), np.nan)
    raw = np.full((n, len(encoder.codes)), np.nan)

    def keep(vals: np.ndarray, raw_block: np.ndarray, rows: slice) -> None:
        values[rows], raw[rows] = vals.T, raw_block.T

    failure = _run_group(encoder, answers, keep)
    if failure is not None:
        raise failure.error
    return values, raw


def score_encoded(spec: ModelSpec, values: np.ndarray, raw: np.ndarray) -> BatchResult:
    """The vectorised half of score_many, for matrices already checked and encoded by `encode` (or stored so):
    what bulk rescoring of a whole province runs when a model version is corrected."""
    plan = _Plan(spec)
    n = values.shape[0]
    out = _empty_result(plan, n)
    used = plan.scenes + [i for i, _ in plan.prerequisites]  # the only items whose raw points the rules read
    for start in range(0, n, BLOCK):
        rows = slice(start, min(start + BLOCK, n))
        raw_block = np.full((values.shape[1], rows.stop - start), np.nan)
        raw_block[used] = raw[rows, used].T
        plan.fold(np.ascontiguousarray(values[rows].T), raw_block, rows, out=out)
    return out
