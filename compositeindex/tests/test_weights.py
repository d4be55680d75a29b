import numpy as np
import pytest

from compositeindex import build
from compositeindex.aggregate import benefit_of_doubt, copeland
from compositeindex.tests.example import example
from compositeindex.weights import critic, entropy, equal_influence, pca

rng = np.random.default_rng(7)  # synthetic data


def test_pca_weights_are_first_component_turned_positive():
    f = rng.normal(size=200)
    X = np.column_stack([f + 0.1 * rng.normal(size=200), f + 0.1 * rng.normal(size=200), -f])
    w, note = pca(X)
    assert w.sum() == pytest.approx(1) and (w >= 0).all()
    assert w[2] == 0 and "负载荷置零" in note  # the reversed column would need a negative weight


def test_entropy_weights_by_definition():
    X = np.array([[1.0, 1.0], [1.0, 3.0]])
    w, _ = entropy(X)
    p = np.array([0.25, 0.75])
    e2 = -(p * np.log(p)).sum() / np.log(2)
    assert w == pytest.approx([0, 1]) and e2 < 1


def test_critic_weights_by_definition():
    X = np.array([[0.0, 0.0, 1.0], [1.0, 2.0, 0.0], [2.0, 1.0, 0.5]])
    w, _ = critic(X)
    S = (X - X.min(0)) / (X.max(0) - X.min(0))
    c = S.std(0, ddof=1) * (1 - np.corrcoef(S, rowvar=False)).sum(0)
    assert w == pytest.approx(c / c.sum())


def test_equal_influence_balances_correlations():
    X = np.column_stack([rng.normal(size=300) * 3, rng.normal(size=300)])
    w, _ = equal_influence(X)
    y = X @ w
    r = [np.corrcoef(X[:, j], y)[0, 1] for j in range(2)]
    assert r[0] == pytest.approx(r[1], abs=0.02)
    assert w[1] > w[0]  # the narrow column needs more weight for the same influence


def test_copeland_counts_pairwise_majorities():
    X = np.array([[3.0, 3.0], [2.0, 2.0], [1.0, 4.0]])
    # unit 0 beats 1 on both; 0 vs 2 is a 1–1 tie; 1 vs 2 is a tie too
    assert copeland(X, np.ones(2)).tolist() == [1, -1, 0]


def test_benefit_of_the_doubt_gives_frontier_units_one():
    X = np.array([[1.0, 0.2], [0.2, 1.0], [0.5, 0.5]])
    y = benefit_of_doubt(X)
    assert y[:2] == pytest.approx([1, 1]) and y[2] == pytest.approx(0.5 / 0.6)


@pytest.mark.parametrize("use", ["pca", "entropy", "critic", "equal_influence"])
def test_derived_weights_run_in_a_build(use):
    idata, imeta = example()
    coin = build(idata, imeta, {"impute": {"method": "mean"}, "weights": {"use": use}})
    assert sum(coin.effective_weights[c] for c in imeta.indicators) == pytest.approx(1)
    assert not np.isnan(coin.scores.col("index")).any()


def test_benefit_of_the_doubt_drop_benchmarks_against_peers_with_the_same_indicators():
    X = np.array([[1.0, np.nan], [0.5, 0.5], [0.2, 1.0]])
    # zero: unit 1's LP max ½w0 + ½w1 s.t. w0 ≤ 1 (unit 0, gap = 0), ½w0 + ½w1 ≤ 1, 0.2w0 + w1 ≤ 1
    #       → w0 = 1, w1 = 0.8 → 0.9
    # drop: unit 0 lacks indicator 1, so it is no peer of unit 1 → w = (1.25, 0.75) reaches 1
    assert benefit_of_doubt(X, "zero") == pytest.approx([1, 0.9, 1])
    assert benefit_of_doubt(X, "drop") == pytest.approx([1, 1, 1])
    # a unit with no data at all has no score
    assert np.isnan(benefit_of_doubt(np.array([[np.nan, np.nan], [1.0, 1.0]]), "drop")[0])


def test_equal_influence_hits_unequal_targets():
    X = np.column_stack([rng.normal(size=400), rng.normal(size=400) * 2])
    w, _ = equal_influence(X, np.array([2.0, 1.0]))
    y = X @ w
    r = np.array([np.corrcoef(X[:, j], y)[0, 1] for j in range(2)])
    assert r[0] / r.sum() == pytest.approx(2 / 3, abs=0.02)


def test_equal_influence_targets_from_the_config():
    idata, imeta = example()
    coin = build(
        idata,
        imeta,
        {"impute": {"method": "mean"}, "weights": {"use": "equal_influence", "targets": {"gdp": 3, "rd": 1}}},
    )
    n, s = coin.data["Normalised"], coin.scores
    r = [np.corrcoef(n.col(c), s.col("econ"))[0, 1] for c in ("gdp", "rd")]
    assert r[0] / sum(r) > 0.5
