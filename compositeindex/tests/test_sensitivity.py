import numpy as np
import pytest

from compositeindex import build
from compositeindex.sensitivity import Uncertain, exclusion, noisy_weights, saltelli_sample, sensitivity, sobol_indices
from compositeindex.tests.example import example


def ishigami(X, a=7.0, b=0.1):
    x = -np.pi + 2 * np.pi * X
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_estimators_recover_ishigami_analytic_indices():
    a, b = 7.0, 0.1
    V = a**2 / 8 + b * np.pi**4 / 5 + b**2 * np.pi**8 / 18 + 0.5
    V1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    V2 = a**2 / 8
    V13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    s1_true = np.array([V1, V2, 0]) / V
    st_true = np.array([V1 + V13, V2, V13]) / V
    n = 2**14
    A, B = saltelli_sample(3, n, seed=3)
    fAB = np.column_stack([ishigami(np.where(np.arange(3) == i, B, A)) for i in range(3)])
    s1, st = sobol_indices(ishigami(A), ishigami(B), fAB)
    np.testing.assert_allclose(s1, s1_true, atol=0.02)
    np.testing.assert_allclose(st, st_true, atol=0.02)
    assert s1_true == pytest.approx([0.3139, 0.4424, 0], abs=1e-4)


def test_sa_on_example_gives_rank_intervals_and_indices():
    idata, imeta = example()
    coin = build(idata, imeta, {"impute": {"method": "mean"}})
    sets, noise = noisy_weights(coin, n=20)
    factors = [
        Uncertain(
            "normalise", ({"normalise.method": "minmax"}, {"normalise.method": "zscore"}, {"normalise.method": "rank"})
        ),
        Uncertain("aggregate", ({"aggregate.method": "arithmetic"}, {"aggregate.method": "copeland"})),
        noise,
    ]
    res = sensitivity(coin, factors, n=64, workers=1, extra=sets, bootstrap_reps=50)
    assert res.runs == 64 * 5
    assert ((res.q05 <= res.median_rank) & (res.median_rank <= res.q95)).all()
    assert res.st.shape == (3,) and (res.st >= 0).all()
    assert (res.s1_ci[0] <= res.s1_ci[1]).all()
    assert set(res.convergence) == {"change_from_half_n", "max_ci_width"}


def test_parallel_runs_match_serial_without_forking():
    import warnings

    idata, imeta = example()
    coin = build(idata, imeta, {"impute": {"method": "mean"}})
    f = [
        Uncertain("normalise", ({"normalise.method": "minmax"}, {"normalise.method": "borda"})),
        Uncertain("screen", ({"screen.dat_thresh": 0}, {"screen.dat_thresh": 0.9})),
    ]
    a = sensitivity(coin, f, n=32, workers=1, bootstrap_reps=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # Python 3.12 warns when a threaded process forks
        b = sensitivity(coin, f, n=32, workers=2, bootstrap_reps=10, method="spawn")
    np.testing.assert_array_equal(a.median_rank, b.median_rank)
    np.testing.assert_array_equal(a.presence, b.presence)
    np.testing.assert_allclose(a.st, b.st)


def test_workers_are_not_forked_while_another_thread_runs():
    import threading

    from compositeindex.sensitivity import start_method

    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert start_method() == "spawn"
    finally:
        stop.set()
        t.join()


def test_rank_change_uses_units_present_in_both_runs():
    from compositeindex.sensitivity import _mean_abs_change

    R = np.array([[1.0, np.nan, 2.0], [3.0, 1.0, 2.0], [np.nan, np.nan, np.nan]])
    r0 = np.array([1.0, 2.0, np.nan])
    # run 0: only unit 0 is in both (|1 − 1|); run 1: units 0 and 1 (|3 − 1| + |1 − 2|)/2; run 2: nobody
    np.testing.assert_allclose(_mean_abs_change(R, r0), [0.0, 1.5, 0.0])


def test_screening_as_an_uncertain_choice():
    from compositeindex.sensitivity import run_all

    idata, imeta = example()
    coin = build(idata, imeta, {"impute": {"method": "mean"}})
    screen = Uncertain("screen", ({"screen.dat_thresh": 0}, {"screen.dat_thresh": 0.9}))
    R = run_all(coin, [{"screen.dat_thresh": 0.9}], "index", workers=1)
    strict = build(idata, imeta, {"impute": {"method": "mean"}, "screen": {"dat_thresh": 0.9}})
    # B (¾ of its data) has no rank in that run; A, C, D are ranked among themselves
    assert np.isnan(R[0, 1])
    np.testing.assert_array_equal(R[0, [0, 2, 3]], strict.ranks()["index"])
    res = sensitivity(coin, [screen], n=64, workers=1, bootstrap_reps=20)
    assert res.units == ("A", "B", "C", "D")
    assert 0 < res.presence[1] < 1 and (res.presence[[0, 2, 3]] == 1).all()
    assert res.st[0] > 0  # dropping B moves the others' ranks


def test_a_unit_screened_out_of_the_nominal_build_still_gets_its_intervals():
    idata, imeta = example()
    coin = build(idata, imeta, {"impute": {"method": "mean"}, "screen": {"dat_thresh": 0.9}})
    screen = Uncertain("screen", ({"screen.dat_thresh": 0}, {"screen.dat_thresh": 0.9}))
    res = sensitivity(coin, [screen], n=32, workers=1, bootstrap_reps=10)
    assert np.isnan(res.nominal_rank[1]) and not np.isnan(res.median_rank[1])


def test_exclusion_reports_mean_rank_change_per_indicator():
    idata, imeta = example()
    coin = build(idata, imeta, {"impute": {"method": "mean"}})
    out = exclusion(coin)
    assert set(out) == {*imeta.indicators, "econ", "green"} and all(v >= 0 for v in out.values())
