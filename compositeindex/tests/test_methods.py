"""Issue 18: the two defects and the published methods that are now configuration options. Every expected value is
worked out by hand (or from the method's definition) in the comments. All data are synthetic."""

import math

import numpy as np
import pytest

from compositeindex import InputError, build, parse_idata, parse_imeta, table_from_rows
from compositeindex.aggregate import combine
from compositeindex.config import AggOne, TreatOne
from compositeindex.data import IMPUTED, rank_scores, round_half_up
from compositeindex.outputs import outputs
from compositeindex.prepare import treat_one
from compositeindex.tests.example import DATA, META, example
from compositeindex.weights import pca


def framework(rows: list[dict], indicators=("x1", "x2"), directions=None, weights=None):
    """One aggregate `idx` over the given indicators (direction +1, weight 1 unless given)."""
    meta = [
        {
            "Level": 1,
            "iCode": c,
            "iName": c,
            "Parent": "idx",
            "Direction": (directions or {}).get(c, 1),
            "Weight": (weights or {}).get(c, 1),
            "Type": "Indicator",
        }
        for c in indicators
    ]
    meta.append({"Level": 2, "iCode": "idx", "iName": "指数", "Parent": None, "Direction": 1, "Weight": 1,
                 "Type": "Aggregate"})  # fmt: skip
    imeta = parse_imeta(table_from_rows(meta))
    return parse_idata(table_from_rows(rows), imeta), imeta


def with_rows(changes: dict[str, dict]):
    """The shared example with some cells changed: {uCode: {column: value}}."""
    rows = [{**r, **changes.get(r["uCode"], {})} for r in DATA]
    imeta = parse_imeta(table_from_rows(META))
    return parse_idata(table_from_rows(rows), imeta), imeta


# ------------------------------------------------------------------------------------------------ defect 1: row_mean


def test_row_mean_reads_siblings_in_their_direction():
    # B is best on co2 (lowest, direction −1) and misses water (direction +1), its only sibling under green.
    # co2 1..5 → B's 1 is 0 on the min-max scale, 1 once the direction is applied; water's best on 1..5 is 5.
    # Before the fix B got 1 (water's worst value).
    idata, imeta = with_rows({"B": {"co2": 1}})
    coin = build(idata, imeta, {"impute": {"method": "row_mean"}, "denominate": {"enabled": False}})
    assert coin.data["Imputed"].col("water")[1] == pytest.approx(5.0)


def test_row_mean_fills_a_negative_indicator_the_right_way_round():
    # A misses co2 (−1); its water 4 on 1..5 is 0.75 of the way to the best. co2 among the others is 1..4, whose
    # best is the lowest: 4 − 0.75·(4 − 1) = 1.75.
    idata, imeta = with_rows({"A": {"co2": None, "water": 4}})
    coin = build(idata, imeta, {"impute": {"method": "row_mean"}, "denominate": {"enabled": False}})
    assert coin.data["Imputed"].col("co2")[0] == pytest.approx(1.75)
    assert coin.data["Imputed"].flags[0, coin.data["Imputed"].codes.index("co2")] & IMPUTED


# ------------------------------------------------------------------------------------- defect 2: geometric positivity


def test_geometric_mean_ignores_a_zero_of_a_unit_the_threshold_drops():
    # row 2 has half its data (< 0.6) and a zero: dropped anyway, so it neither stops the mean nor sets a shift
    X = np.array([[2.0, 8.0], [0.0, np.nan], [1.0, 4.0]])
    y = combine(X, np.ones(2), AggOne(method="geometric"), 0.6, "x")
    assert y[0] == pytest.approx(4.0) and math.isnan(y[1]) and y[2] == pytest.approx(2.0)
    with pytest.raises(ValueError, match="零或负值"):  # a zero the threshold keeps is still an error
        combine(X, np.ones(2), AggOne(method="geometric"), 0.5, "x")


def test_a_build_with_geometric_mean_and_threshold_drops_the_unit_instead_of_failing():
    rows = [
        {"uCode": "A", "x1": 2, "x2": 8},
        {"uCode": "B", "x1": 0, "x2": None},
        {"uCode": "C", "x1": 1, "x2": 4},
    ]
    idata, imeta = framework(rows)
    cfg = {"normalise": {"method": "none"}, "aggregate": {"method": "geometric", "dat_thresh": 0.6}}
    idx = build(idata, imeta, cfg).scores.col("idx")
    np.testing.assert_allclose(idx, [4.0, np.nan, 2.0])  # √(2·8), dropped, √(1·4)


def test_level_aggregation_equals_group_by_group_combine():
    """The vectorised level aggregation (used by build and regenerate) against combine() group by group."""
    from compositeindex.aggregate import _tree, combine_level

    rng = np.random.default_rng(5)  # synthetic
    idata, imeta = example()
    lv = _tree(imeta)["levels"][2]
    X = rng.uniform(-1, 5, size=(30, len(lv["flat"])))
    X[rng.random(X.shape) < 0.2] = np.nan
    w = rng.uniform(0.5, 2, len(lv["flat"]))
    for a in (
        AggOne(method="arithmetic", dat_thresh=0.5),
        AggOne(method="geometric", nonpositive="shift", dat_thresh=0.5),
        AggOne(method="harmonic", nonpositive="shift", dat_thresh=0.0),
        AggOne(method="power", p=2.0, dat_thresh=0.6),
    ):
        y = combine_level(X, w, lv, a)
        for g in range(len(lv["codes"])):
            m = lv["group"] == g
            np.testing.assert_allclose(y[:, g], combine(X[:, m], w[m], a, a.dat_thresh, "g"), rtol=1e-12)


# ------------------------------------------------------------------------------------------ ranks after rounding


def test_rounding_is_half_up_on_the_printed_digits_and_ties_share_a_rank():
    x = np.array([0.125, 0.1249, 0.13, 2.675, np.nan])
    np.testing.assert_array_equal(round_half_up(x, 2)[:4], [0.13, 0.12, 0.13, 2.68])  # 2.675 is 2.67499… in binary
    np.testing.assert_array_equal(rank_scores(x, 2)[:4], [2, 4, 2, 1])
    np.testing.assert_array_equal(rank_scores(x)[:4], [3, 4, 2, 1])


def test_published_ranks_use_the_rounded_scores():
    rows = [
        {"uCode": "A", "x1": 2.004, "x2": 8},  # index 5.002
        {"uCode": "B", "x1": 1, "x2": 1},  # 1
        {"uCode": "C", "x1": 2.001, "x2": 8},  # 5.0005
    ]
    idata, imeta = framework(rows)
    cfg = {"normalise": {"method": "none"}}
    assert build(idata, imeta, cfg).ranks()["idx"].tolist() == [1, 3, 2]
    coin = build(idata, imeta, {**cfg, "results": {"rank_decimals": 2}})  # 5.00, 1.00, 5.00
    assert coin.ranks()["idx"].tolist() == [1, 3, 1]
    # x1 (2.004 and 2.001 are both 2.00), x2, idx
    assert outputs(coin)["results_ranks.csv"].decode() == "uCode,x1,x2,idx\nA,1,1,1\nB,3,3,3\nC,1,1,1\n"


# ------------------------------------------------------------------------------------------------ screening order


def screening_rows():
    return [
        {"uCode": "A", "x1": None, "x2": 2, "x3": 3},  # 2/3 available: kept
        {"uCode": "B", "x1": 9, "x2": None, "x3": None},  # 1/3: screened out at 0.5
        {"uCode": "C", "x1": 3, "x2": 4, "x3": 6},
        {"uCode": "D", "x1": 5, "x2": 6, "x3": 8},
    ]


def test_screening_before_imputation_imputes_among_the_kept_units():
    idata, imeta = framework(screening_rows(), ("x1", "x2", "x3"))
    coin = build(idata, imeta, {"screen": {"dat_thresh": 0.5}, "impute": {"method": "mean"}})
    assert coin.data["Imputed"].units == ("A", "C", "D")
    assert coin.data["Imputed"].col("x1")[0] == pytest.approx(4.0)  # mean(3, 5)


def test_screening_after_imputation_imputes_with_every_unit_and_counts_observed_values():
    idata, imeta = framework(screening_rows(), ("x1", "x2", "x3"))
    cfg = {"screen": {"dat_thresh": 0.5, "order": "after_impute"}, "impute": {"method": "mean"}}
    coin = build(idata, imeta, cfg)
    assert coin.data["Imputed"].units == ("A", "B", "C", "D")
    assert coin.data["Screened"].units == ("A", "C", "D")
    assert coin.data["Treated"].col("x1")[0] == pytest.approx(17 / 3)  # mean(9, 3, 5): B's value counts
    # B's imputed cells are no data: its availability is still 1/3
    assert coin.screened_out == [{"uCode": "B", "availability": 1 / 3, "nonzero": 1 / 3, "reason": "availability"}]
    from compositeindex import regenerate

    other = regenerate(coin, {"impute.method": "median"})  # an imputation change redoes the screen after it
    assert other.data["Treated"].col("x1")[0] == pytest.approx(5.0) and other.data["Screened"].units[0] == "A"


# ---------------------------------------------------------------------------------------------------- plain log


def test_log_method_is_the_natural_log_without_shift():
    x = np.array([1.0, math.e, math.e**2, np.nan])
    y, wins, trans, rep = treat_one(x, TreatOne(method="log"))
    np.testing.assert_allclose(y[:3], [0, 1, 2])
    assert math.isnan(y[3]) and trans[:3].all() and not trans[3] and rep["transform"] == "log"


def test_log_of_a_nonpositive_value_is_refused_naming_the_indicator():
    idata, imeta = framework([{"uCode": "A", "x1": 0, "x2": 1}, {"uCode": "B", "x1": 2, "x2": 3}])
    with pytest.raises(ValueError, match="x1"):
        build(idata, imeta, {"treat": {"overrides": {"x1": {"method": "log"}}}})
    coin = build(idata, imeta, {"treat": {"overrides": {"x2": {"method": "log"}}}})
    np.testing.assert_allclose(coin.data["Treated"].col("x2"), np.log([1.0, 3.0]))


def test_log_fallback_is_plain_even_for_a_negative_skew():
    x = np.array([100.0] * 9 + [1.0])  # skewed left; winmax 0 cannot winsorise, so the fallback applies
    y, _, _, rep = treat_one(x, TreatOne(winmax=0, fallback="log"))
    assert rep["skew_before"] < 0 and rep["transform"] == "log"
    np.testing.assert_allclose(y, np.log(x))  # not reflected: ln(x) as published


# ------------------------------------------------------------------------------------------------ derived outputs


def test_derived_output_is_the_expression_of_aggregates_and_is_ranked():
    idata, imeta = example()
    coin = build(
        idata, imeta, {"impute": {"method": "mean"}, "derived": {"ratio": "econ / green", "gap": "econ-green"}}
    )
    econ, green = coin.scores.col("econ"), coin.scores.col("green")
    d = coin.data["Derived"]
    assert d.codes == ("ratio", "gap")
    ok = green != 0
    np.testing.assert_allclose(d.col("ratio")[ok], econ[ok] / green[ok])
    assert np.isnan(d.col("ratio")[~ok]).all()  # a division by zero gives no value, not an infinity
    np.testing.assert_allclose(d.col("gap"), econ - green)
    assert coin.ranks()["gap"].tolist() == rank_scores(econ - green).tolist()
    files = outputs(coin)
    assert "data_Derived.csv" in files and files["results_ranks.csv"].decode().splitlines()[0].endswith("ratio,gap")


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("econ / nothing", "nothing"),
        ("__import__('os').system('x')", "只能含"),
        ("econ.real", "只能含"),
        ("econ +", "无法解析"),
    ],
)
def test_derived_expressions_are_checked(expr, message):
    idata, imeta = example()
    with pytest.raises(InputError, match=message):
        build(idata, imeta, {"derived": {"d": expr}})


# --------------------------------------------------------------------------------------- weights at chosen levels


@pytest.mark.parametrize("use", ["pca", "equal_influence"])
def test_derived_weights_only_at_the_chosen_level(use):
    idata, imeta = example()
    cfg = {"impute": {"method": "mean"}, "weights": {"use": use, "levels": [3]}}
    coin = build(idata, imeta, cfg)
    # level 2 (indicators into econ and green) keeps iMeta's weights
    assert {c: coin.weights[c] for c in ("gdp", "rd", "co2", "water")} == {"gdp": 1, "rd": 1, "co2": 2, "water": 1}
    s = coin.scores
    n = coin.data["Normalised"]
    np.testing.assert_allclose(s.col("green"), (2 * n.col("co2") + n.col("water")) / 3)
    # level 3: the index over econ and green with weights derived from those two columns
    we, wg = coin.weights["econ"], coin.weights["green"]
    if use == "pca":
        expected, _ = pca(np.column_stack([s.col("econ"), s.col("green")]))
        assert [we, wg] == pytest.approx(expected.tolist())
    np.testing.assert_allclose(s.col("index"), (we * s.col("econ") + wg * s.col("green")) / (we + wg))


def test_weight_levels_are_checked():
    idata, imeta = example()
    with pytest.raises(InputError, match="weights.levels"):
        build(idata, imeta, {"weights": {"use": "pca", "levels": [1]}})


# -------------------------------------------------------------------------------------- weight noise at chosen levels


def test_weight_noise_only_at_the_chosen_levels():
    from compositeindex.sensitivity import noisy_weights

    idata, imeta = example()
    coin = build(idata, imeta, {"impute": {"method": "mean"}})
    w0 = imeta.weights()
    sets, factor = noisy_weights(coin, noise=0.25, n=20, levels=(1,))
    assert len(factor.alternatives) == 20
    for ws in sets["weights.sets"].values():
        assert ws["econ"] == w0["econ"] and ws["green"] == w0["green"]  # level 2 untouched
        for c in ("gdp", "rd", "co2", "water"):
            assert 0.75 * w0[c] <= ws[c] <= 1.25 * w0[c]
    assert len({ws["co2"] for ws in sets["weights.sets"].values()}) == 20
    sets, _ = noisy_weights(coin, noise={2: 0.5}, n=10)  # COINr's noise_specs: one factor per level
    for ws in sets["weights.sets"].values():
        assert ws["gdp"] == w0["gdp"] and 0.5 <= ws["econ"] <= 1.5


# ------------------------------------------------------------------------------------------ Copeland and dominance


def test_copeland_and_dominance_outputs_by_hand():
    # normalised values (method none): A (3, 1), B (2, 2), C (1, 0), equal weights.
    # e_AB = ½·1[3>2] + ½·1[1>2] = ½ (no majority either way); e_AC = e_BC = 1.
    rows = [{"uCode": "A", "x1": 3, "x2": 1}, {"uCode": "B", "x1": 2, "x2": 2}, {"uCode": "C", "x1": 1, "x2": 0}]
    idata, imeta = framework(rows)
    coin = build(idata, imeta, {"normalise": {"method": "none"}, "results": {"outranking": True}})
    files = outputs(coin)
    assert files["results_outranking.csv"].decode().splitlines() == [
        "uCode,A,B,C",
        "A,,0.5,1.0",
        "B,0.5,,1.0",
        "C,0.0,0.0,",
    ]
    assert files["results_copeland.csv"].decode().splitlines() == [
        "uCode,wins,losses,copeland,rank,dominates,dominated_by",
        "A,1,0,1,1,1,0",
        "B,1,0,1,1,1,0",
        "C,0,2,-2,3,0,2",
    ]
    assert "results_outranking.csv" not in outputs(build(idata, imeta, {"normalise": {"method": "none"}}))


# ------------------------------------------------------------------------------- effective weights and denominators


def test_weights_file_has_effective_weights_of_aggregates():
    idata, imeta = example()
    rows = outputs(build(idata, imeta, {"impute": {"method": "mean"}}))["weights.csv"].decode().splitlines()
    assert "econ,1.0,0.5" in rows and "green,1.0,0.5" in rows and "index,1.0,1.0" in rows
    assert "co2,2.0,0.3333333333333333" in rows  # 2/3 of green's half


def test_correlations_with_denominators():
    from compositeindex.analysis import denominator_correlations

    idata, imeta = example()
    coin = build(idata, imeta, {"impute": {"method": "mean"}})
    rows = {r["iCode"]: r for r in denominator_correlations(coin, "Raw", "pearson")}
    gdp, pop = np.array([20.0, 20, 30, 10]), np.array([2.0, 4, 1, 5])
    a, b = gdp - gdp.mean(), pop - pop.mean()
    r = (a @ b) / math.sqrt((a @ a) * (b @ b))  # −0.894
    assert rows["gdp"]["r"] == pytest.approx(r) and rows["gdp"]["denominator"] == "pop"
    assert rows["gdp"]["flag"] == "high"  # |r| > 0.6 (COINr's get_denom_corr threshold)
    assert rows["water"]["n"] == 3  # B has no water
    text = outputs(coin)["analysis_denominators.csv"].decode()
    assert text.startswith("dataset,method,iCode,denominator,r,p,n,flag\nRaw,pearson,gdp,pop,")


# ------------------------------------------------------------------------------------------- through the command line


def test_new_options_work_from_the_yaml_files_of_the_command_line(tmp_path):
    from compositeindex.cli import main
    from compositeindex.tests.test_pipeline import cli_args, write_inputs

    write_inputs(tmp_path)
    (tmp_path / "pipeline.yaml").write_text(
        "impute: {method: mean}\nscreen: {order: after_impute}\nweights: {use: pca, levels: [3]}\n"
        "derived: {ratio: econ / green}\nresults: {rank_decimals: 1, outranking: true}\n",
        encoding="utf-8",
    )
    assert main(cli_args(tmp_path, tmp_path / "out")) == 0
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"data_Derived.csv", "results_copeland.csv", "analysis_denominators.csv"} <= names
    # the SA spec takes `levels` (which weights move is tested on noisy_weights above); noise on the index's own
    # weight only (level 3, no siblings) cannot move a rank, so every run gives the nominal ranks
    (tmp_path / "sa.yaml").write_text(
        "n: 16\nworkers: 1\nbootstrap: 10\nuncertain:\n  - {name: w, noise: 0.5, sets: 10, levels: [3]}\n",
        encoding="utf-8",
    )
    assert main([*cli_args(tmp_path, tmp_path / "sa", "sa"), "--sa", str(tmp_path / "sa.yaml")]) == 0
    for line in (tmp_path / "sa" / "sa_ranks.csv").read_text().splitlines()[1:]:
        _, nominal, median, q05, q95, _ = line.split(",")
        assert float(nominal) == float(median) == float(q05) == float(q95)
