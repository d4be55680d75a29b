"""Results on the synthetic example: contributions with missing data, strengths and weaknesses."""

import numpy as np
import pytest

from compositeindex import build
from compositeindex.outputs import result_files
from compositeindex.results import contributions, contributions_exact, strengths_weaknesses
from compositeindex.tests.example import example


def test_arithmetic_contributions_with_missing_data_sum_exactly_to_the_index():
    idata, imeta = example()
    coin = build(idata, imeta)  # no imputation: B has no water
    n = coin.data["Normalised"]
    codes, c = contributions(coin)
    np.testing.assert_allclose(c.sum(axis=1), coin.scores.col("index"), rtol=0, atol=1e-12)
    b = coin.scores.units.index("B")
    # B's green is its co2 alone (water's weight passes to it), so co2's share is ½ · 1 and water's is 0
    assert c[b, codes.index("water")] == 0
    assert c[b, codes.index("co2")] == pytest.approx(0.5 * n.col("co2")[b])
    assert c[b, codes.index("gdp")] == pytest.approx(0.25 * n.col("gdp")[b])
    assert contributions_exact(coin)


def test_contributions_follow_an_aggregate_dropped_by_the_availability_threshold():
    idata, imeta = example()
    coin = build(idata, imeta, {"aggregate": {"by_level": {2: {"dat_thresh": 0.6}}}})
    b = coin.scores.units.index("B")
    assert np.isnan(coin.scores.col("green")[b])  # ½ of green's children available < 0.6
    codes, c = contributions(coin)
    n = coin.data["Normalised"]
    assert c[b, codes.index("gdp")] == pytest.approx(0.5 * n.col("gdp")[b])  # econ carries the whole index
    assert c[b, codes.index("co2")] == 0
    np.testing.assert_allclose(c.sum(axis=1), coin.scores.col("index"), rtol=0, atol=1e-12)


def test_non_arithmetic_contributions_are_marked_indicative():
    idata, imeta = example()
    coin = build(
        idata,
        imeta,
        {"impute": {"method": "mean"}, "aggregate": {"by_level": {3: {"method": "geometric", "nonpositive": "shift"}}}},
    )
    assert not contributions_exact(coin)
    lines = result_files(coin)["results_contributions.csv"].decode().splitlines()
    assert lines[0] == "uCode,gdp,rd,co2,water,sum,index,basis"
    assert all(line.endswith(",indicative") for line in lines[1:])
    exact = result_files(build(idata, imeta))["results_contributions.csv"].decode().splitlines()
    assert all(line.endswith(",exact") for line in exact[1:])


def test_strengths_and_weaknesses_default_to_coinr_five_and_skip_missing_indicators():
    idata, imeta = example()
    coin = build(idata, imeta, {"impute": {"method": "mean"}})
    sw = strengths_weaknesses(coin)
    # Normalised ranks (1 = best): gdp/pop 10,5,30,2; rd 1,2,3,0.5; co2 (lower is better) 5,3,1,4; water 3,–,5,1.
    # B's water was imputed, so it is neither a strength nor a weakness of B's.
    assert sw["B"] == {"strengths": ["rd", "co2", "gdp"], "weaknesses": ["gdp", "co2", "rd"]}
    # D is last on gdp, rd and water: with COINr's min_discard only co2 (3rd of 4) can be a strength.
    assert sw["D"] == {"strengths": ["co2"], "weaknesses": ["water", "rd", "gdp", "co2"]}
    assert strengths_weaknesses(coin, min_discard=False)["D"]["strengths"] == ["co2", "gdp", "rd", "water"]
    assert strengths_weaknesses(coin, 1)["C"] == {"strengths": ["gdp"], "weaknesses": ["water"]}


def test_number_of_strengths_comes_from_the_config():
    idata, imeta = example()
    coin = build(idata, imeta, {"impute": {"method": "mean"}, "results": {"strengths": 2}})
    lines = result_files(coin)["results_strengths_weaknesses.csv"].decode().splitlines()
    assert lines[2] == "B,rd;co2,gdp;co2"


def test_benefit_of_the_doubt_missing_option_in_a_build():
    idata, imeta = example()
    zero = build(idata, imeta, {"aggregate": {"by_level": {2: {"method": "bod"}}}, "normalise": {"l": 0, "u": 1}})
    drop = build(
        idata,
        imeta,
        {"aggregate": {"by_level": {2: {"method": "bod", "missing": "drop"}}}, "normalise": {"l": 0, "u": 1}},
    )
    # B lacks water; its green score is its own co2 problem either way, but in `drop` the other units' green
    # scores are benchmarked only against units that have both co2 and water (B is no longer a peer).
    b = zero.scores.units.index("B")
    assert zero.scores.col("green")[b] == pytest.approx(drop.scores.col("green")[b])
    assert zero.scores.col("econ") == pytest.approx(drop.scores.col("econ"))


def test_by_level_fields_overlay_the_global_aggregation():
    from compositeindex.aggregate import level_params
    from compositeindex.config import Aggregate

    cfg = Aggregate.model_validate(
        {"method": "geometric", "nonpositive": "shift", "dat_thresh": 0.2, "by_level": {3: {"dat_thresh": 0.9}}}
    )
    top = level_params(cfg, 3)
    assert (top.method, top.nonpositive, top.dat_thresh) == ("geometric", "shift", 0.9)
    assert level_params(cfg, 2).dat_thresh == 0.2
