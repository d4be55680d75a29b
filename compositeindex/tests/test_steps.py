import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from compositeindex.aggregate import combine, effective_weights
from compositeindex.config import AggOne, NormOne, TreatOne
from compositeindex.data import kurt, rank_desc, skew
from compositeindex.normalise import normalise_one
from compositeindex.prepare import treat_one
from compositeindex.tests.example import example


def test_skew_and_kurt_follow_excel_definitions():
    x = np.array([1.0, 2, 3, 4, 10])
    n, m, s = 5, x.mean(), x.std(ddof=1)
    z = (x - m) / s
    assert skew(x) == pytest.approx(n / ((n - 1) * (n - 2)) * (z**3).sum())
    assert kurt(x) == pytest.approx(n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * (z**4).sum() - 3 * 16 / (3 * 2))
    # Excel's SKEW/KURT are the bias-corrected estimators, which SciPy computes independently:
    assert skew(x) == pytest.approx(stats.skew(x, bias=False))
    assert kurt(x) == pytest.approx(stats.kurtosis(x, bias=False, fisher=True))


def test_passing_indicator_is_left_alone():
    x = np.arange(20.0)
    y, wins, trans, rep = treat_one(x, TreatOne())
    assert rep["passes"] and rep["transform"] == "none" and not wins.any()
    np.testing.assert_array_equal(x, y)


def test_one_high_outlier_winsorised_to_next_value():
    x = np.r_[np.arange(1.0, 21.0), 100.0]
    y, wins, _, rep = treat_one(x, TreatOne())
    assert rep["passes"] and rep["transform"] == "none"
    assert wins.sum() == 1 and y[-1] == 20.0
    assert not (abs(skew(x)) < 2 or kurt(x) < 3.5)  # it failed before


def test_tied_extremes_are_winsorised_together():
    x = np.r_[np.arange(1.0, 31.0), 200.0, 200.0]
    y, wins, _, rep = treat_one(x, TreatOne())
    assert wins[-2:].all() and (y[-2:] == 30.0).all() and rep["winsorised"] == 2


def test_falls_back_to_log_of_original_when_winmax_exhausted():
    x = np.r_[np.ones(10), 2, 3, 5, 8, 13, 30, 80, 200, 600, 2000.0]
    y, wins, trans, rep = treat_one(x, TreatOne(winmax=1))
    lo, hi = x.min(), x.max()
    np.testing.assert_allclose(y, np.log(x - lo + 0.01 * (hi - lo)))
    assert rep["transform"] == "log_ct" and trans.all() and not wins.any()


def test_negative_skew_winsorises_the_low_side():
    x = -np.r_[np.arange(1.0, 21.0), 100.0]
    y, wins, _, rep = treat_one(x, TreatOne())
    assert wins[-1] and y[-1] == -20.0 and rep["passes"]


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("minmax", [0, 50, 100]),
        ("fracmax", [1 / 3, 2 / 3, 1]),
        ("dist2max", [0, 0.5, 1]),
        ("rank", [1, 2, 3]),
        ("borda", [0, 1, 2]),
        ("prank", [0, 0.5, 1]),
        ("zscore", [-1, 0, 1]),
    ],
)
def test_normalisation_methods_by_definition(method, expected):
    y, _ = normalise_one(np.array([1.0, 2, 3]), NormOne(method=method), direction=1, target=math.nan)
    np.testing.assert_allclose(y, expected)


def test_direction_applied_before_minmax():
    y, _ = normalise_one(np.array([1.0, 2, 3]), NormOne(), direction=-1, target=math.nan)
    np.testing.assert_allclose(y, [100, 50, 0])


def test_distance_to_target_is_capped():
    y, capped = normalise_one(np.array([0.0, 5, 20]), NormOne(method="dist2targ"), direction=1, target=10)
    np.testing.assert_allclose(y, [0, 0.5, 1])
    assert capped.tolist() == [False, False, True]


def test_goalposts_truncate_and_scale():
    y, _ = normalise_one(
        np.array([-5.0, 5, 15]), NormOne(method="goalposts", l=0, u=10, scale=100), direction=1, target=math.nan
    )
    np.testing.assert_allclose(y, [0, 50, 100])


def test_distance_to_reference_unit_follows_coinr():
    # COINr n_dist2ref: 1 − (x_ref − x)/(x_ref − x_min), uncapped by default; the reference unit scores 1
    x = np.array([1.0, 3, 5])
    y, capped = normalise_one(x, NormOne(method="dist2ref"), direction=1, ref_row=1)
    np.testing.assert_allclose(y, [1 - 2 / 2, 1, 1 + 2 / 2])
    assert not capped.any()
    y, capped = normalise_one(x, NormOne(method="dist2ref", cap=True), direction=1, ref_row=1)
    np.testing.assert_allclose(y, [0, 1, 1])
    assert capped.tolist() == [False, False, True]


def test_means_by_definition():
    X = np.array([[1.0, 4.0]])
    w = np.array([1.0, 1.0])
    assert combine(X, w, AggOne(), 0, "x")[0] == pytest.approx(2.5)
    assert combine(X, w, AggOne(method="geometric"), 0, "x")[0] == pytest.approx(2.0)
    assert combine(X, w, AggOne(method="harmonic"), 0, "x")[0] == pytest.approx(1.6)
    assert combine(X, w, AggOne(method="power", p=2), 0, "x")[0] == pytest.approx(math.sqrt(8.5))


def test_missing_children_reweight_and_availability_threshold():
    X = np.array([[2.0, np.nan, 4.0]])
    w = np.array([1.0, 1.0, 3.0])
    assert combine(X, w, AggOne(), 0, "x")[0] == pytest.approx((2 + 12) / 4)
    assert np.isnan(combine(X, w, AggOne(), 0.8, "x")[0])


def test_geometric_mean_of_zero_is_an_error_unless_shift():
    X = np.array([[0.0, 4.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="零或负值"):
        combine(X, np.ones(2), AggOne(method="geometric"), 0, "x")
    y = combine(X, np.ones(2), AggOne(method="geometric", nonpositive="shift"), 0, "x")
    assert y[0] == pytest.approx(math.sqrt(1 * 5))


def test_effective_weights_multiply_along_the_path():
    _, imeta = example()
    eff = effective_weights(imeta, imeta.weights())
    # indicators, then aggregates: an aggregate's share of the index is its own weight share times its parent's
    expected = {"gdp": 0.25, "rd": 0.25, "co2": 1 / 3, "water": 1 / 6, "econ": 0.5, "green": 0.5, "index": 1.0}
    assert eff == pytest.approx(expected)


def test_ranks_share_the_best_place_on_ties():
    assert rank_desc(np.array([3.0, 5, 5, np.nan, 1])).tolist()[:3] == [3, 1, 1]


finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=2, max_size=30))
def test_minmax_stays_within_bounds(xs):
    y, _ = normalise_one(np.array(xs), NormOne(l=10, u=20), direction=1, target=math.nan)
    assert np.all((y >= 10 - 1e-9) & (y <= 20 + 1e-9))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 100, allow_nan=False), min_size=3, max_size=8),
    st.integers(0, 7),
    st.floats(0, 50, allow_nan=False),
)
def test_arithmetic_aggregate_is_monotone(xs, j, bump):
    j %= len(xs)
    X = np.array([xs])
    w = np.arange(1.0, len(xs) + 1)
    Y = X.copy()
    Y[0, j] += bump
    assert combine(Y, w, AggOne(), 0, "x")[0] >= combine(X, w, AggOne(), 0, "x")[0] - 1e-9


def test_winmax_counts_points_and_a_tie_never_takes_it_past_winmax():
    x = np.r_[np.arange(1.0, 31.0), 200.0, 200.0, 200.0]
    assert not (abs(skew(x)) < 2 or kurt(x) < 3.5)
    y, wins, trans, rep = treat_one(x, TreatOne(winmax=3))
    assert rep["winsorised"] == 3 and wins[-3:].all() and (y[-3:] == 30.0).all() and rep["transform"] == "none"
    # three tied extremes are more than winmax = 2 points: nothing is winsorised, the log of the original is used
    y, wins, trans, rep = treat_one(x, TreatOne(winmax=2))
    assert rep["winsorised"] == 0 and not wins.any() and rep["transform"] == "log_ct"
    np.testing.assert_allclose(y, np.log(x - 1 + 0.01 * 199))


def test_treat_override_keeps_the_global_fields_it_does_not_write():
    from compositeindex.config import Treat
    from compositeindex.prepare import treat_params

    cfg = Treat.model_validate({"fallback": "none", "skew_thresh": 3, "overrides": {"gdp": {"winmax": 1}}})
    t = treat_params("gdp", cfg)
    assert (t.winmax, t.fallback, t.skew_thresh) == (1, "none", 3)
    assert treat_params("rd", cfg).winmax == 5
