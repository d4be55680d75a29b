"""Analysis: indicator statistics with flags, correlations with flags, Cronbach's alpha, PCA per group.
Thresholds are COINr's defaults (get_stats, get_corr_flags)."""

from __future__ import annotations

import numpy as np
from scipy import stats as sps

from .data import skew_kurt


def indicator_stats(ds, *, dat_thresh: float = 0.66, zero_thresh: float = 0.5, unq_thresh: float = 0.5,
                    skew_thresh: float = 2.0, kurt_thresh: float = 3.5) -> list[dict]:
    rows = []
    n = len(ds.units)
    for j, code in enumerate(ds.codes):
        x = ds.values[:, j]
        v = x[~np.isnan(x)]
        s, k = skew_kurt(x)
        avail = v.size / n if n else 0.0
        zeros = float(np.mean(v == 0)) if v.size else 0.0
        unique = np.unique(v).size / v.size if v.size else 0.0
        rows.append({
            "iCode": code, "min": float(v.min()) if v.size else np.nan, "max": float(v.max()) if v.size else np.nan,
            "mean": float(v.mean()) if v.size else np.nan, "median": float(np.median(v)) if v.size else np.nan,
            "sd": float(v.std(ddof=1)) if v.size > 1 else np.nan, "skew": s, "kurt": k, "n": int(v.size),
            "availability": avail, "zeros": zeros, "unique": unique,
            "flag_availability": avail < dat_thresh, "flag_zeros": zeros > zero_thresh,
            "flag_outliers": not (abs(s) < skew_thresh or k < kurt_thresh), "flag_unique": unique < unq_thresh,
        })
    return rows


def correlation(X: np.ndarray, method: str = "pearson") -> np.ndarray:
    """Pairwise-complete correlations between the columns of X (pearson, spearman or kendall)."""
    k = X.shape[1]
    R = np.eye(k)
    f = {"pearson": sps.pearsonr, "spearman": sps.spearmanr, "kendall": sps.kendalltau}[method]
    for a in range(k):
        for b in range(a + 1, k):
            ok = ~(np.isnan(X[:, a]) | np.isnan(X[:, b]))
            if ok.sum() < 3 or np.ptp(X[ok, a]) == 0 or np.ptp(X[ok, b]) == 0:
                R[a, b] = R[b, a] = np.nan
            else:
                R[a, b] = R[b, a] = float(f(X[ok, a], X[ok, b])[0])
    return R


def correlation_flags(coin, level: int = 1, method: str = "pearson", *, high: float = 0.9,
                      low: float = -0.4) -> list[dict]:
    """Pairs of siblings (same parent) at `level` that are collinear (r > high) or negatively correlated
    (r < low)."""
    ds, imeta = coin.scores, coin.imeta
    out = []
    for parent in imeta.codes_at(level + 1):
        kids = imeta.children(parent)
        R = correlation(np.column_stack([ds.col(c) for c in kids]), method)
        for a in range(len(kids)):
            for b in range(a + 1, len(kids)):
                r = R[a, b]
                if r > high or r < low:
                    out.append({"parent": parent, "a": kids[a], "b": kids[b], "r": float(r),
                                "flag": "collinear" if r > high else "negative"})
    return out


def cross_level(coin, method: str = "pearson") -> dict[tuple[str, str], float]:
    """Correlation of every element with each of its ancestors (indicator vs pillar, pillar vs index, …)."""
    ds, imeta = coin.scores, coin.imeta
    out = {}
    for e in imeta.elements:
        if e.type in ("Indicator", "Aggregate"):
            for anc in imeta.ancestors(e.code):
                out[(e.code, anc)] = float(correlation(np.column_stack([ds.col(e.code), ds.col(anc)]), method)[0, 1])
    return out


def cronbach_alpha(X: np.ndarray) -> float:
    """α = k/(k−1)·(1 − Σ var_i / var(Σ x_i)) on complete rows."""
    Z = X[~np.isnan(X).any(axis=1)]
    k = Z.shape[1]
    if k < 2 or Z.shape[0] < 2:
        return float("nan")
    return float(k / (k - 1) * (1 - Z.var(axis=0, ddof=1).sum() / Z.sum(axis=1).var(ddof=1)))


def pca_group(X: np.ndarray) -> dict:
    """Eigenvalues, shares of variance and loadings of the correlation matrix (complete rows)."""
    Z = X[~np.isnan(X).any(axis=1)]
    vals, vecs = np.linalg.eigh(np.corrcoef(Z, rowvar=False))
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    return {"eigenvalues": vals, "explained": vals / vals.sum(), "loadings": vecs * np.sqrt(np.maximum(vals, 0))}


def group_analysis(coin) -> dict[str, dict]:
    ds, imeta = coin.scores, coin.imeta
    out = {}
    for level in range(2, imeta.max_level + 1):
        for parent in imeta.codes_at(level):
            kids = imeta.children(parent)
            X = np.column_stack([ds.col(c) for c in kids])
            out[parent] = {"children": kids, "alpha": cronbach_alpha(X), **(pca_group(X) if len(kids) > 1 else {})}
    return out
