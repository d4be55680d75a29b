import numpy as np
import pytest
from scipy import stats

from compositeindex import build
from compositeindex.analysis import (
    correlation,
    correlation_flags,
    cronbach_alpha,
    group_analysis,
    indicator_stats,
    pca_group,
)
from compositeindex.tests.example import example


def test_indicator_stats_flag_missing_and_zeros():
    idata, imeta = example()
    coin = build(idata, imeta)
    rows = {r["iCode"]: r for r in indicator_stats(coin.data["Raw"], dat_thresh=0.8)}
    assert rows["water"]["availability"] == 0.75 and rows["water"]["flag_availability"]
    assert rows["gdp"]["n"] == 4 and rows["gdp"]["unique"] == 0.75


def test_correlation_methods_match_scipy():
    X = np.array([[1.0, 2, 1], [2, 1, 3], [3, 4, 2], [4, 3, 5], [5, 6, 4]])
    assert correlation(X, "spearman")[0, 1] == pytest.approx(stats.spearmanr(X[:, 0], X[:, 1])[0])
    assert correlation(X, "kendall")[0, 2] == pytest.approx(stats.kendalltau(X[:, 0], X[:, 2])[0])
    assert correlation(X)[1, 2] == pytest.approx(np.corrcoef(X[:, 1], X[:, 2])[0, 1])


def test_cronbach_alpha_by_definition():
    X = np.array([[1.0, 2, 3], [2, 2, 4], [3, 5, 5], [4, 4, 4]])
    k = 3
    expected = k / (k - 1) * (1 - X.var(0, ddof=1).sum() / X.sum(1).var(ddof=1))
    assert cronbach_alpha(X) == pytest.approx(expected)


def test_pca_explained_shares_sum_to_one():
    rng = np.random.default_rng(2)  # synthetic
    out = pca_group(rng.normal(size=(50, 4)))
    assert out["explained"].sum() == pytest.approx(1) and out["eigenvalues"][0] >= out["eigenvalues"][-1]


def test_group_analysis_and_flags_on_example():
    idata, imeta = example()
    coin = build(idata, imeta, {"impute": {"method": "mean"}})
    g = group_analysis(coin)
    assert set(g) == {"econ", "green", "index"}
    flags = correlation_flags(coin, high=0.5, low=-0.1)
    assert all(f["flag"] in {"collinear", "negative"} for f in flags)
