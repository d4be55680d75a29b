"""Weights and level-by-level aggregation."""

from __future__ import annotations

import numpy as np

from .config import AggOne, Aggregate, Weights
from .data import Dataset
from .inputs import IMeta


def resolve_weights(imeta: IMeta, cfg: Weights) -> dict[str, float]:
    w = imeta.weights()
    if cfg.use == "original":
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


def combine(X: np.ndarray, w: np.ndarray, a: AggOne, dat_thresh: float, label: str) -> np.ndarray:
    """Weighted mean of columns of X per row; missing children drop out and the weights are renormalised."""
    ok = ~np.isnan(X)
    W = np.where(ok, w, 0.0)
    wsum = W.sum(axis=1)
    avail = ok.mean(axis=1)
    m, p = a.method, a.p
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


def aggregate(ds: Dataset, imeta: IMeta, weights: dict[str, float], cfg: Aggregate) -> Dataset:
    """Adds one column per Aggregate, level by level, to the normalised indicators."""
    cols = {c: ds.values[:, j] for j, c in enumerate(ds.codes)}
    for level in range(2, imeta.max_level + 1):
        a = cfg.by_level.get(level, cfg)
        for code in imeta.codes_at(level):
            kids = imeta.children(code)
            X = np.column_stack([cols[k] for k in kids])
            w = np.array([weights[k] for k in kids])
            cols[code] = combine(X, w, a, cfg.dat_thresh, code)
    codes = tuple(cols)
    values = np.column_stack([cols[c] for c in codes])
    flags = np.zeros(values.shape, np.uint8)
    flags[:, : len(ds.codes)] = ds.flags
    return Dataset("Aggregated", ds.units, codes, values, flags, ds.name,
                   {**cfg.model_dump(mode="json"), "weights": weights})
