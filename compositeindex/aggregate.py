"""Weights and level-by-level aggregation."""

from __future__ import annotations

import numpy as np

from .config import AggOne, Aggregate, Weights
from .data import Dataset
from .inputs import IMeta
from .weights import DERIVED, derive


def resolve_weights(imeta: IMeta, cfg: Weights) -> dict[str, float]:
    w = imeta.weights()
    if cfg.use == "original" or cfg.use in DERIVED:  # derived weights replace these group by group in aggregate()
        return w
    if cfg.use == "equal":
        return dict.fromkeys(w, 1.0)
    if cfg.use not in cfg.sets:
        raise ValueError(f"weights: 权重集 “{cfg.use}” 不存在")
    return {**w, **cfg.sets[cfg.use]}


def effective_weights(imeta: IMeta, w: dict[str, float]) -> dict[str, float]:
    """Each indicator's share of the index: the product of its normalised weights along the path to the top."""
    out = {}
    for code in imeta.indicators:
        share, cur = 1.0, code
        while imeta[cur].parent:
            sib = imeta.children(imeta[cur].parent)
            total = sum(w[s] for s in sib)
            share *= w[cur] / total if total else 0.0
            cur = imeta[cur].parent
        out[code] = share
    return out


def level_params(cfg: Aggregate, level: int) -> AggOne:
    """The global aggregation with the fields written in `aggregate.by_level.<level>` on top."""
    own = cfg.by_level.get(level)
    base = {f: getattr(cfg, f) for f in AggOne.model_fields}
    if own is None:
        return AggOne.model_validate(base)
    return AggOne.model_validate({**base, **own.model_dump(include=own.model_fields_set)})


def combine(X: np.ndarray, w: np.ndarray, a: AggOne, dat_thresh: float, label: str) -> np.ndarray:
    """Weighted mean of columns of X per row; missing children drop out and the weights are renormalised."""
    ok = ~np.isnan(X)
    W = np.where(ok, w, 0.0)
    wsum = W.sum(axis=1)
    avail = ok.mean(axis=1)
    m, p = a.method, a.p
    if m in ("copeland", "bod"):
        y = copeland(X, w) if m == "copeland" else benefit_of_doubt(X, a.missing)
        y[(avail < dat_thresh) | (avail == 0)] = np.nan
        return y
    if m == "geometric":
        p = 0.0
    elif m == "harmonic":
        p = -1.0
    elif m == "arithmetic":
        p = 1.0
    Z = np.where(ok, X, 0.0)
    if p <= 0 and np.any(ok & (X <= 0)):
        if a.nonpositive == "error":
            msg = f"aggregate: {label} 的 {m} 平均遇到零或负值；可用 nonpositive: shift 或让 minmax 下界 > 0"
            raise ValueError(msg)
        # Documented shift: every child moves by the same amount so that the smallest value becomes 1.
        Z = np.where(ok, X - np.nanmin(X) + 1.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 1:
            y = (W * Z).sum(axis=1) / wsum
        elif p == 0:
            y = np.exp((W * np.log(np.where(ok, Z, 1.0))).sum(axis=1) / wsum)
        else:
            y = ((W * np.where(ok, Z, 1.0) ** p).sum(axis=1) / wsum) ** (1 / p)
    y[(wsum == 0) | (avail < dat_thresh) | (avail == 0)] = np.nan
    return y


def copeland(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Copeland outranking: e_ab = Σ w (1[x_a > x_b] + ½·1[x_a = x_b]) / Σw; score_a = #{b: e_ab > ½} − #{b: e_ab < ½}.
    Missing values are left out of each pairwise comparison."""
    n = X.shape[0]
    score = np.zeros(n)
    for i in range(n):
        a, b = X[i][None, :], X
        ok = ~(np.isnan(a) | np.isnan(b))
        ww = np.where(ok, w, 0.0)
        tot = ww.sum(axis=1)
        e = (ww * ((a > b) + 0.5 * (a == b))).sum(axis=1) / np.where(tot == 0, 1, tot)
        e[i] = 0.5
        score[i] = np.sum(e > 0.5) - np.sum(e < 0.5)
    return score


def benefit_of_doubt(X: np.ndarray, missing: str = "zero") -> np.ndarray:
    """Benefit of the doubt (DEA with unit input, as Compind's ci_bod): for unit a, max Σ w x_a s.t. Σ w x_b ≤ 1 for
    every peer b, w ≥ 0; scores in [0, 1].

    A unit's own gaps never matter (the LP gives them weight 0 either way); the two options differ in how a peer's
    gaps are read. `zero`: a gap counts as 0, every unit is a peer of every other (one common frontier). `drop`:
    unit a's LP runs over a's available indicators only, against the peers that have all of them."""
    from scipy.optimize import linprog

    ok = ~np.isnan(X)
    Z = np.where(ok, X, 0.0)
    if (Z < 0).any():
        raise ValueError("aggregate: 有利假设法（bod）要求非负的标准化值")
    out = np.full(Z.shape[0], np.nan)
    for i in range(Z.shape[0]):
        cols = ok[i] if missing == "drop" else np.ones(Z.shape[1], bool)
        if not ok[i].any():
            continue
        peers = ok[:, cols].all(axis=1) if missing == "drop" else np.ones(Z.shape[0], bool)
        A = Z[np.ix_(peers, cols)]
        res = linprog(-Z[i, cols], A_ub=A, b_ub=np.ones(A.shape[0]), bounds=(0, None), method="highs")
        out[i] = -res.fun if res.status == 0 else np.nan
    return out


def aggregate(
    ds: Dataset,
    imeta: IMeta,
    weights: dict[str, float],
    cfg: Aggregate,
    derived: str | None = None,
    targets: dict[str, float] | None = None,
) -> Dataset:
    """Adds one column per Aggregate, level by level, to the normalised indicators. With `derived` (pca, entropy,
    …) each group's weights come from its children's values just before it is aggregated."""
    cols = {c: ds.values[:, j] for j, c in enumerate(ds.codes)}
    weights = dict(weights)
    notes = {}
    for level in range(2, imeta.max_level + 1):
        a = level_params(cfg, level)
        for code in imeta.codes_at(level):
            kids = imeta.children(code)
            X = np.column_stack([cols[k] for k in kids])
            if derived in DERIVED and len(kids) > 1:
                t = np.array([(targets or {}).get(k, 1.0) for k in kids])
                w, notes[code] = derive(derived, X, t)
                weights.update(zip(kids, w.tolist(), strict=True))
            w = np.array([weights[k] for k in kids])
            cols[code] = combine(X, w, a, a.dat_thresh, code)
    codes = tuple(cols)
    values = np.column_stack([cols[c] for c in codes])
    flags = np.zeros(values.shape, np.uint8)
    flags[:, : len(ds.codes)] = ds.flags
    return Dataset(
        "Aggregated",
        ds.units,
        codes,
        values,
        flags,
        ds.name,
        {**cfg.model_dump(mode="json"), "weights": weights, "weight_notes": notes},
    )
