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


def pearson(a, b):
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def kendall_no_ties(a, b):
    n, s = len(a), 0
    for i in range(n):
        for j in range(i + 1, n):
            s += np.sign(a[i] - a[j]) * np.sign(b[i] - b[j])
    return s / (n * (n - 1) / 2)


def test_correlations_on_any_named_dataset_by_definition():
    from compositeindex.analysis import correlations

    idata, imeta = example()
    coin = build(idata, imeta, {"impute": {"method": "mean"}})
    raw = {(r["a"], r["b"]): r for r in correlations(coin, "Raw", "pearson")}
    gdp, rd = np.array([20.0, 20, 30, 10]), np.array([1.0, 2, 3, 0.5])  # Raw: before gdp/pop
    assert raw[("gdp", "rd")]["r"] == pytest.approx(pearson(gdp, rd))
    assert raw[("gdp", "rd")]["relation"] == "siblings" and raw[("gdp", "rd")]["n"] == 4
    den = {(r["a"], r["b"]): r["r"] for r in correlations(coin, "Denominated", "pearson")}
    assert den[("gdp", "rd")] == pytest.approx(pearson(np.array([10.0, 5, 30, 2]), rd))
    # across levels: an indicator-level dataset is paired with the aggregates of Aggregated
    econ = coin.scores.col("econ")
    assert raw[("gdp", "econ")]["r"] == pytest.approx(pearson(gdp, econ))
    assert raw[("gdp", "index")]["relation"] == "ancestor"
    rank = lambda x: np.argsort(np.argsort(x)).astype(float)  # noqa: E731 - no ties in these columns
    sp = {(r["a"], r["b"]): r["r"] for r in correlations(coin, "Denominated", "spearman")}
    assert sp[("gdp", "rd")] == pytest.approx(pearson(rank(np.array([10.0, 5, 30, 2])), rank(rd)))
    assert coin.correlations("Denominated", "spearman") == correlations(coin, "Denominated", "spearman")
    kd = {(r["a"], r["b"]): r["r"] for r in correlations(coin, "Denominated", "kendall")}
    assert kd[("gdp", "rd")] == pytest.approx(kendall_no_ties(np.array([10.0, 5, 30, 2]), rd))


def test_correlations_align_units_when_screening_removed_some():
    from compositeindex.analysis import correlations

    idata, imeta = example()
    coin = build(idata, imeta, {"screen": {"force_exclude": ["D"]}})
    raw = {(r["a"], r["b"]): r for r in correlations(coin, "Raw", "pearson")}
    assert raw[("gdp", "econ")]["n"] == 3  # D is in Raw but has no econ score
    assert raw[("gdp", "econ")]["r"] == pytest.approx(pearson(np.array([20.0, 20, 30]), coin.scores.col("econ")))


def test_stats_flags_use_coinr_thresholds():
    idata, imeta = example()
    rows = {r["iCode"]: r for r in indicator_stats(build(idata, imeta).data["Raw"])}
    assert rows["water"]["availability"] == 0.75 and not rows["water"]["flag_availability"]  # 0.75 ≥ 0.65
    assert rows["gdp"]["unique"] == 0.75 and not rows["gdp"]["flag_unique"]


def test_collinear_and_negative_flags_by_threshold():
    from compositeindex.analysis import flag_of

    assert flag_of({"relation": "siblings", "r": 0.95}) == "collinear"
    assert flag_of({"relation": "siblings", "r": -0.5}) == "negative"
    assert flag_of({"relation": "siblings", "r": 0.3}) == ""
    assert flag_of({"relation": "ancestor", "r": 0.99}) == ""  # COINr flags pairs within a group only


def test_pca_loadings_are_the_scaled_eigenvectors_of_the_correlation_matrix():
    X = np.array([[1.0, 2, 1], [2, 1, 3], [3, 4, 2], [4, 3, 5], [5, 6, 4]])  # synthetic
    out = pca_group(X)
    R = np.corrcoef(X, rowvar=False)
    L = out["loadings"]
    np.testing.assert_allclose(L @ L.T, R, atol=1e-12)  # full set of components reproduces R
    np.testing.assert_allclose(
        R @ (L[:, 0] / np.sqrt(out["eigenvalues"][0])), out["eigenvalues"][0] * L[:, 0] / np.sqrt(out["eigenvalues"][0])
    )
    assert L[:, 0].sum() > 0
