"""The dataset every step produces: units × indicator codes, with per-cell flags and its lineage."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MISSING, IMPUTED, WINSORISED, TRANSFORMED, DENOMINATED, CAPPED = 1, 2, 4, 8, 16, 32
FLAG_NAMES = {
    MISSING: "missing",
    IMPUTED: "imputed",
    WINSORISED: "winsorised",
    TRANSFORMED: "transformed",
    DENOMINATED: "denominated",
    CAPPED: "capped",
}


@dataclass(frozen=True)
class Dataset:
    name: str
    units: tuple[str, ...]
    codes: tuple[str, ...]
    values: np.ndarray
    flags: np.ndarray  # uint8 bitmask per cell, OR-ed along the lineage
    source: str | None = None  # the dataset this one was computed from
    step: dict = field(default_factory=dict)  # the parameters used

    def col(self, code: str) -> np.ndarray:
        return self.values[:, self.codes.index(code)]


def skew(x: np.ndarray) -> float:
    """Excel SKEW: n/((n-1)(n-2)) Σ((x-mean)/s)^3 with the sample standard deviation s; NaNs ignored."""
    x = x[~np.isnan(x)]
    n = x.size
    if n < 3:
        return float("nan")
    s = x.std(ddof=1)
    if s == 0:
        return 0.0
    return float(n / ((n - 1) * (n - 2)) * (((x - x.mean()) / s) ** 3).sum())


def kurt(x: np.ndarray) -> float:
    """Excel KURT (excess): n(n+1)/((n-1)(n-2)(n-3)) Σz^4 − 3(n-1)²/((n-2)(n-3))."""
    x = x[~np.isnan(x)]
    n = x.size
    if n < 4:
        return float("nan")
    s = x.std(ddof=1)
    if s == 0:
        return 0.0
    z4 = (((x - x.mean()) / s) ** 4).sum()
    return float(n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * z4 - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def skew_kurt(x: np.ndarray) -> tuple[float, float]:
    """Both Excel statistics in one pass (the outlier rule tests them after every winsorisation step)."""
    x = x[~np.isnan(x)]
    n = x.size
    if n < 4:
        return skew(x), kurt(x)
    d = x - x.mean()
    s2 = (d @ d) / (n - 1)
    if s2 == 0:
        return 0.0, 0.0
    d2 = d * d
    z3 = (d2 @ d) / s2**1.5
    z4 = (d2 @ d2) / (s2 * s2)
    sk = n / ((n - 1) * (n - 2)) * z3
    ku = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * z4 - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))
    return float(sk), float(ku)


def rank_desc(x: np.ndarray) -> np.ndarray:
    """Sport ranking (ties share the best rank, as R's rank(-x, ties.method='min')); NaN stays NaN."""
    out = np.full(x.shape, np.nan)
    ok = ~np.isnan(x)
    v = x[ok]
    if v.size:
        s = np.sort(-v)
        out[ok] = np.searchsorted(s, -v, side="left") + 1
    return out


def rank_asc(x: np.ndarray) -> np.ndarray:
    out = np.full(x.shape, np.nan)
    ok = ~np.isnan(x)
    v = x[ok]
    if v.size:
        out[ok] = np.searchsorted(np.sort(v), v, side="left") + 1
    return out


def round_half_up(x: np.ndarray, decimals: int) -> np.ndarray:
    """Scores rounded as a published table shows them: half away from zero on the decimal digits of the value
    (2.675 → 2.68 at two decimals, though the binary double is a little below 2.675); NaN stays NaN."""
    from decimal import ROUND_HALF_UP, Decimal

    q = Decimal(1).scaleb(-decimals)
    return np.array(
        [
            v if v != v or v in (np.inf, -np.inf) else float(Decimal(repr(v)).quantize(q, ROUND_HALF_UP))
            for v in x.tolist()
        ]
    )


def rank_scores(x: np.ndarray, decimals: int | None = None) -> np.ndarray:
    """Sport ranks of scores, on the scores rounded to `decimals` when given (ties after rounding share a rank)."""
    return rank_desc(x if decimals is None else round_half_up(x, decimals))
