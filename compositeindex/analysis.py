"""Analysis: indicator statistics with flags, correlations (on any named dataset, within and across levels) with
flags, Cronbach's alpha, PCA per group. Thresholds are COINr's defaults (get_stats, get_corr_flags)."""

from __future__ import annotations

import math

import numpy as np

from .corr import Pairs  # SciPy's numbers without importing SciPy (seconds here)


def _column_stats(X: np.ndarray) -> dict[str, np.ndarray]:
    """Per column of X, ignoring NaN: n, min, max, mean, median, sample sd, Excel SKEW/KURT (as data.skew_kurt),
    the share of zeros and of unique values — all columns at once (one sort), for the analysis files."""
    n = (~np.isnan(X)).sum(axis=0)
    S = np.sort(X, axis=0)  # NaN last
    cols = np.arange(X.shape[1])
    has = n > 0
    last = np.maximum(n - 1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(has, np.nansum(X, axis=0) / np.maximum(n, 1), np.nan)
        D = X - mean
        D = np.where(np.isnan(D), 0.0, D)
        s2 = (D * D).sum(axis=0) / (n - 1)
        z3 = (D**3).sum(axis=0) / s2**1.5
        z4 = (D**4).sum(axis=0) / (s2 * s2)
        sk = n / ((n - 1) * (n - 2)) * z3
        ku = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * z4 - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))
    flat = s2 == 0
    sk = np.where(n < 3, np.nan, np.where(flat, 0.0, sk))
    ku = np.where(n < 4, np.nan, np.where(flat, 0.0, ku))
    valid = np.arange(X.shape[0])[:, None] < n[None, :]
    new_value = np.r_[valid[:1], (np.diff(S, axis=0) != 0) & valid[1:]] if X.shape[0] else valid
    return {
        "n": n,
        "min": np.where(has, S[0] if X.shape[0] else np.nan, np.nan),
        "max": np.where(has, S[last, cols], np.nan),
        "mean": mean,
        "median": np.where(has, (S[last // 2, cols] + S[np.minimum(n // 2, last), cols]) / 2, np.nan),
        "sd": np.where(n > 1, np.sqrt(np.where(n > 1, s2, 0.0)), np.nan),
        "skew": sk,
        "kurt": ku,
        "zeros": np.where(has, ((X == 0).sum(axis=0)) / np.maximum(n, 1), 0.0),
        "unique": np.where(has, new_value.sum(axis=0) / np.maximum(n, 1), 0.0),
    }


def indicator_stats(
    ds,
    *,
    dat_thresh: float = 0.65,
    zero_thresh: float = 0.5,
    unq_thresh: float = 0.5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
) -> list[dict]:
    """COINr's get_stats: availability below `dat_thresh`, a non-zero share below `zero_thresh`, a unique share
    below `unq_thresh`, and |skew| > 2 together with kurtosis > 3.5 are flagged."""
    rows = []
    units = len(ds.units)
    st = {k: v.tolist() for k, v in _column_stats(ds.values).items()}
    for j, code in enumerate(ds.codes):
        n, s, k, zeros, unique = st["n"][j], st["skew"][j], st["kurt"][j], st["zeros"][j], st["unique"][j]
        avail = n / units if units else 0.0
        rows.append(
            {
                "iCode": code,
                **{key: st[key][j] for key in ("min", "max", "mean", "median", "sd")},
                "skew": s,
                "kurt": k,
                "n": int(n),
                "availability": avail,
                "zeros": zeros,
                "unique": unique,
                "flag_availability": avail < dat_thresh,
                "flag_zeros": (1 - zeros) < zero_thresh,
                "flag_outliers": abs(s) > skew_thresh and k > kurt_thresh,
                "flag_unique": unique < unq_thresh,
            }
        )
    return rows


def _pair(a: np.ndarray, b: np.ndarray, method: str) -> tuple[float, float, int]:
    """(r, p, n) on the pairwise-complete rows; NaN when fewer than 3 rows or a constant column."""
    return Pairs(method)("a", a, "b", b)


def correlation(X: np.ndarray, method: str = "pearson") -> np.ndarray:
    """Pairwise-complete correlations between the columns of X (pearson, spearman or kendall)."""
    k = X.shape[1]
    R = np.eye(k)
    pair = Pairs(method)
    for a in range(k):
        for b in range(a + 1, k):
            R[a, b] = R[b, a] = pair(str(a), X[:, a], str(b), X[:, b])[0]
    return R


def column_getter(coin, dset: str):
    """code → column aligned with `dset`'s units. A column the dataset does not hold (an aggregate, for the
    indicator-level datasets) comes from Aggregated, matched by unit code; units it lacks are NaN."""
    ds = coin.data[dset]
    agg = coin.scores
    pos = {u: i for i, u in enumerate(agg.units)}
    rows = np.array([pos.get(u, -1) for u in ds.units])

    def get(code: str) -> np.ndarray:
        if code in ds.codes:
            return ds.col(code)
        x = agg.col(code)
        return np.where(rows >= 0, x[np.maximum(rows, 0)], np.nan)

    return get


def correlations(coin, dset: str = "Aggregated", method: str = "pearson") -> list[dict]:
    """Correlations on the named dataset (as COINr's get_corr(dset = …)): within each level between siblings (same
    parent), and across levels between every element and each of its ancestors. Aggregates missing from an
    indicator-level dataset are taken from Aggregated. p is the test of no correlation (COINr blanks r when
    p > 0.05; here both are reported)."""
    imeta, get = coin.imeta, column_getter(coin, dset)
    pair = Pairs(method)
    rows = []
    for level in range(1, imeta.max_level):
        for parent in imeta.codes_at(level + 1):
            kids = imeta.children(parent)
            cols = [get(c) for c in kids]
            for a in range(len(kids)):
                for b in range(a + 1, len(kids)):
                    r, p, n = pair(kids[a], cols[a], kids[b], cols[b])
                    rows.append(
                        {
                            "dataset": dset,
                            "method": method,
                            "a": kids[a],
                            "level_a": level,
                            "b": kids[b],
                            "level_b": level,
                            "relation": "siblings",
                            "parent": parent,
                            "r": r,
                            "p": p,
                            "n": n,
                        }
                    )
    for e in imeta.elements:
        if e.type in ("Indicator", "Aggregate"):
            for anc in imeta.ancestors(e.code):
                r, p, n = pair(e.code, get(e.code), anc, get(anc))
                rows.append(
                    {
                        "dataset": dset,
                        "method": method,
                        "a": e.code,
                        "level_a": e.level,
                        "b": anc,
                        "level_b": imeta[anc].level,
                        "relation": "ancestor",
                        "parent": e.parent,
                        "r": r,
                        "p": p,
                        "n": n,
                    }
                )
    return rows


def denominator_correlations(coin, dset: str = "Raw", method: str = "pearson", thresh: float = 0.6) -> list[dict]:
    """Every indicator of `dset` against every denominator column of iData (COINr's get_denom_corr): an indicator
    strongly correlated with a size variable may need dividing by it. |r| > `thresh` is flagged "high"."""
    denoms = [e.code for e in coin.imeta.elements if e.type == "Denominator"]
    if not denoms:
        return []
    from .pipeline import _select_time

    idata = _select_time(coin.idata, coin.config)
    ds = coin.data[dset]
    row_of = {u: i for i, u in enumerate(idata.units)}
    rows = np.array([row_of[u] for u in ds.units], dtype=int)
    pair = Pairs(method)
    out = []
    for den in denoms:
        d = idata.column(den)[rows]
        for code in ds.codes:
            r, p, n = pair(code, ds.col(code), den, d)
            flag = "high" if not math.isnan(r) and abs(r) > thresh else ""
            out.append(
                {
                    "dataset": dset,
                    "method": method,
                    "iCode": code,
                    "denominator": den,
                    "r": r,
                    "p": p,
                    "n": n,
                    "flag": flag,
                }
            )
    return out


def flag_of(row: dict, high: float = 0.9, low: float = -0.4) -> str:
    """COINr's get_corr_flags on siblings: collinear above `high`, negative below `low`."""
    if row["relation"] != "siblings" or math.isnan(row["r"]):
        return ""
    return "collinear" if row["r"] > high else "negative" if row["r"] < low else ""


def correlation_flags(
    coin, level: int = 1, method: str = "pearson", *, high: float = 0.9, low: float = -0.4, dset: str = "Aggregated"
) -> list[dict]:
    """Pairs of siblings at `level` that are collinear (r > high) or negatively correlated (r < low)."""
    out = []
    for row in correlations(coin, dset, method):
        flag = flag_of(row, high, low)
        if flag and row["level_a"] == level:
            out.append({"parent": row["parent"], "a": row["a"], "b": row["b"], "r": row["r"], "flag": flag})
    return out


def cross_level(coin, method: str = "pearson", dset: str = "Aggregated") -> dict[tuple[str, str], float]:
    """Correlation of every element with each of its ancestors (indicator vs pillar, pillar vs index, …)."""
    return {(r["a"], r["b"]): r["r"] for r in correlations(coin, dset, method) if r["relation"] == "ancestor"}


def cronbach_alpha(X: np.ndarray) -> float:
    """α = k/(k−1)·(1 − Σ var_i / var(Σ x_i)) on complete rows."""
    Z = X[~np.isnan(X).any(axis=1)]
    k = Z.shape[1]
    if k < 2 or Z.shape[0] < 2:
        return float("nan")
    return float(k / (k - 1) * (1 - Z.var(axis=0, ddof=1).sum() / Z.sum(axis=1).var(ddof=1)))


def pca_group(X: np.ndarray) -> dict:
    """Eigenvalues, shares of variance and loadings of the correlation matrix (complete rows). Each component's
    sign is fixed so that its loadings sum to a positive number, which keeps the output reproducible."""
    Z = X[~np.isnan(X).any(axis=1)]
    vals, vecs = np.linalg.eigh(np.corrcoef(Z, rowvar=False))
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    vecs = vecs * np.where(vecs.sum(axis=0) < 0, -1.0, 1.0)
    return {
        "eigenvalues": vals,
        "explained": vals / vals.sum(),
        "loadings": vecs * np.sqrt(np.maximum(vals, 0)),
        "n": int(Z.shape[0]),
    }


def group_analysis(coin, dset: str = "Aggregated") -> dict[str, dict]:
    """Cronbach's α and PCA of the children of every aggregate, on complete rows."""
    imeta, get = coin.imeta, column_getter(coin, dset)
    out = {}
    for level in range(2, imeta.max_level + 1):
        for parent in imeta.codes_at(level):
            kids = imeta.children(parent)
            X = np.column_stack([get(c) for c in kids])
            complete = int((~np.isnan(X).any(axis=1)).sum())
            pca = pca_group(X) if len(kids) > 1 and complete > 2 else {}
            out[parent] = {"level": level, "children": kids, "n": complete, "alpha": cronbach_alpha(X), **pca}
    return out
