"""Pearson, Spearman and Kendall correlations with their two-sided p-values, in NumPy and the standard library.

SciPy's statistics take seconds to import on this machine, which is most of a small `tidu index build`; these give
SciPy's numbers (pearsonr, spearmanr, kendalltau-b with method "auto"; compared in tests/test_corr.py). Kendall on
more than KENDALL_DIRECT units hands over to SciPy, whose O(n log n) count beats the O(n²) one here."""

from __future__ import annotations

import math

import numpy as np

KENDALL_DIRECT = 400


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes betacf)."""
    tiny, eps = 1e-300, 1e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_test_p(r: float, n: int) -> float:
    """Two-sided p of the t-test of no correlation with n − 2 degrees of freedom (pearsonr and spearmanr):
    P(|T| ≥ |t|) = I_{df/(df + t²)}(df/2, ½) with t² = r²·df/(1 − r²), i.e. I_{1 − r²}(df/2, ½)."""
    df = n - 2
    if df <= 0:
        return math.nan
    r2 = min(r * r, 1.0)
    return min(1.0, betainc(df / 2, 0.5, 1.0 - r2)) if r2 < 1 else 0.0


def rankdata(x: np.ndarray) -> np.ndarray:
    """Average ranks (1-based) of a column without NaN; ties share the mean of their positions."""
    order = np.argsort(x, kind="mergesort")
    s = x[order]
    first = np.r_[True, s[1:] != s[:-1]]
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], s.size]
    avg = (starts + ends + 1) / 2.0
    out = np.empty(x.size)
    out[order] = avg[group]
    return out


def pearson(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    da, db = a - a.mean(), b - b.mean()
    den = math.sqrt(float(da @ da) * float(db @ db))
    r = max(-1.0, min(1.0, float(da @ db) / den))
    return r, t_test_p(r, a.size)


def spearman(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    return pearson(rankdata(a), rankdata(b))


def _tie_stats(x: np.ndarray) -> tuple[int, int, int]:
    _, cnt = np.unique(x, return_counts=True)
    cnt = cnt[cnt > 1].astype(np.int64)
    return (
        int((cnt * (cnt - 1) // 2).sum()),
        int((cnt * (cnt - 1) * (cnt - 2)).sum()),
        int((cnt * (cnt - 1) * (2 * cnt + 5)).sum()),
    )


def kendall_p_exact(n: int, c: int) -> float:
    """Two-sided exact p for c concordant pairs among n untied units (Kendall 1970; SciPy's _kendall_p_exact)."""
    c = int(min(c, n * (n - 1) // 2 - c))
    if n <= 2:
        return 1.0
    if c == 0:
        return 2.0 / math.factorial(n) if n < 171 else 0.0
    if c == 1:
        return 2.0 / math.factorial(n - 1) if n < 172 else 0.0
    if 4 * c == n * (n - 1):
        return 1.0
    new = np.zeros(c + 1)
    new[0:2] = 1.0
    for j in range(3, n + 1):  # divided by j at each step: the counts over n!/2, i.e. already two-sided
        new = np.cumsum(new) / j
        if j <= c:
            new[j:] -= new[: c + 1 - j]
    return float(min(1.0, np.sum(new)))


def _signs(x: np.ndarray) -> np.ndarray:
    """sign(x_i − x_j) over the pairs i < j."""
    iu = np.triu_indices(x.size, 1)
    return np.sign(x[iu[0]] - x[iu[1]]).astype(np.int8)


def _kendall_finish(n: int, prod: np.ndarray, ta: tuple, tb: tuple) -> tuple[float, float]:
    s = int(prod.sum(dtype=np.int64))  # concordant − discordant
    dis = int(np.count_nonzero(prod < 0))
    tot = n * (n - 1) // 2
    (xtie, x0, x1), (ytie, y0, y1) = ta, tb
    if xtie == tot or ytie == tot:
        return math.nan, math.nan
    tau = max(-1.0, min(1.0, s / math.sqrt(tot - xtie) / math.sqrt(tot - ytie)))
    if xtie == 0 and ytie == 0 and (n <= 33 or min(dis, tot - dis) <= 1):
        return tau, kendall_p_exact(n, tot - dis)
    m = n * (n - 1.0)
    var = (m * (2 * n + 5) - x1 - y1) / 18 + (2 * xtie * ytie) / m + x0 * y0 / (9 * m * (n - 2))
    return tau, min(1.0, math.erfc(abs(s / math.sqrt(var)) / math.sqrt(2)))


def kendall(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Kendall's tau-b and SciPy's "auto" p: exact without ties when n ≤ 33 (or at most one discordant or
    concordant pair), otherwise the normal approximation with the tie-corrected variance."""
    if a.size > KENDALL_DIRECT:
        from scipy.stats import kendalltau

        res = kendalltau(a, b)
        return float(res[0]), float(res[1])
    return _kendall_finish(a.size, _signs(a) * _signs(b), _tie_stats(a), _tie_stats(b))


METHODS = {"pearson": pearson, "spearman": spearman, "kendall": kendall}


class Pairs:
    """Correlations of many pairs among the same columns (the analysis files: every sibling pair, every element
    with its ancestors). A column without gaps is prepared once — centred and scaled (ranked first for Spearman),
    or the signs of its pairs for Kendall — and reused in every complete pair it is part of; pairs with gaps are
    computed on their pairwise-complete rows."""

    def __init__(self, method: str):
        self.method = method
        self.prepared: dict[str, tuple | None] = {}

    def _prepare(self, key: str, x: np.ndarray):
        if key not in self.prepared:
            prep = None
            if x.size >= 3 and not np.isnan(x).any() and np.ptp(x) > 0:
                if self.method == "kendall":
                    prep = (_signs(x), _tie_stats(x)) if x.size <= KENDALL_DIRECT else None
                else:
                    v = rankdata(x) if self.method == "spearman" else x
                    d = v - v.mean()
                    prep = (d / math.sqrt(float(d @ d)),)
            self.prepared[key] = prep
        return self.prepared[key]

    def __call__(self, ka: str, a: np.ndarray, kb: str, b: np.ndarray) -> tuple[float, float, int]:
        """(r, p, n) on the pairwise-complete rows; NaN when fewer than 3 rows or a constant column."""
        pa, pb = self._prepare(ka, a), self._prepare(kb, b)
        if pa is not None and pb is not None and a.size == b.size:
            n = a.size
            if self.method == "kendall":
                return (*_kendall_finish(n, pa[0] * pb[0], pa[1], pb[1]), n)
            r = max(-1.0, min(1.0, float(pa[0] @ pb[0])))
            return r, t_test_p(r, n), n
        ok = ~(np.isnan(a) | np.isnan(b))
        n = int(ok.sum())
        if n < 3 or np.ptp(a[ok]) == 0 or np.ptp(b[ok]) == 0:
            return math.nan, math.nan, n
        return (*METHODS[self.method](a[ok], b[ok]), n)
