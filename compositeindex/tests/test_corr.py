"""The correlations written by a build are computed without SciPy (compositeindex/corr.py); they must give SciPy's
r and p: pearsonr, spearmanr and kendalltau (tau-b, method "auto": exact p without ties up to 33 units, else the
tie-corrected normal approximation). Synthetic data."""

import math

import numpy as np
import pytest
from scipy import stats

from compositeindex.corr import Pairs, betainc, kendall, pearson, spearman

SCIPY = {"pearson": stats.pearsonr, "spearman": stats.spearmanr, "kendall": stats.kendalltau}


def samples():
    rng = np.random.default_rng(11)
    for trial in range(60):
        n = int(rng.integers(3, 90))
        a = rng.normal(size=n)
        b = a * rng.uniform(-1, 1) + rng.normal(size=n)
        if trial % 3 == 0:
            a = np.round(a)  # ties in one column
        if trial % 4 == 0:
            b = np.round(2 * b)  # and in the other
        yield a, b


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_r_and_p_match_scipy(method):
    ours = {"pearson": pearson, "spearman": spearman, "kendall": kendall}[method]
    for a, b in samples():
        r, p = ours(a, b)
        expected = SCIPY[method](a, b)
        if math.isnan(expected[0]):
            assert math.isnan(r)
            continue
        assert r == pytest.approx(expected[0], abs=1e-12)
        assert p == pytest.approx(expected[1], rel=1e-9, abs=1e-15)  # r = ±1 up to rounding: p ≈ 0


def test_kendall_exact_p_by_enumeration():
    # n = 4 without ties: 4! orderings, tau = 1 only for the identity, so P(|tau| ≥ 1) = 2/24
    a = np.array([1.0, 2, 3, 4])
    assert kendall(a, a) == (1.0, pytest.approx(2 / 24))


def test_incomplete_beta_known_values():
    assert betainc(1, 1, 0.3) == pytest.approx(0.3)  # uniform
    assert betainc(2, 1, 0.5) == pytest.approx(0.25)  # x²
    assert betainc(0.5, 0.5, 0.5) == pytest.approx(0.5)  # symmetric


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_prepared_pairs_equal_direct_pairs_with_and_without_gaps(method):
    rng = np.random.default_rng(4)
    cols = {f"c{i}": rng.normal(size=40) for i in range(4)}
    cols["c3"][[2, 7]] = np.nan  # pairs with c3 use their pairwise-complete rows
    cols["flat"] = np.ones(40)
    pair = Pairs(method)
    for ka, a in cols.items():
        for kb, b in cols.items():
            ok = ~(np.isnan(a) | np.isnan(b))
            r, p, n = pair(ka, a, kb, b)
            assert n == ok.sum()
            if kb == "flat" or ka == "flat":
                assert math.isnan(r)  # a constant column has no correlation
                continue
            expected = SCIPY[method](a[ok], b[ok])
            assert r == pytest.approx(expected[0], abs=1e-12) and p == pytest.approx(expected[1], rel=1e-9)
