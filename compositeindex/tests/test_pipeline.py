import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compositeindex import build, regenerate
from compositeindex.data import IMPUTED
from compositeindex.results import compare, contributions, group_ranks, strengths_weaknesses
from compositeindex.tests.example import DATA, META, example

CONFIG = {"impute": {"method": "group_mean", "group": "region_group"}, "treat": {"method": "none"}}


def test_worked_example_by_hand():
    idata, imeta = example()
    coin = build(idata, imeta, CONFIG)
    d = coin.data["Denominated"]
    np.testing.assert_allclose(d.col("gdp"), [10, 5, 30, 2])  # gdp / pop
    imp = coin.data["Imputed"]
    assert imp.col("water")[1] == 3.0  # the mean of B's own group (南: A = 3)
    assert imp.flags[1, imp.codes.index("water")] & IMPUTED
    n = coin.data["Normalised"]
    np.testing.assert_allclose(n.col("gdp"), [8 / 28 * 100, 3 / 28 * 100, 100, 0])
    np.testing.assert_allclose(n.col("co2"), [0, 50, 100, 25])  # direction −1
    np.testing.assert_allclose(n.col("water"), [50, 50, 100, 0])
    s = coin.scores
    econ = (n.col("gdp") + n.col("rd")) / 2
    green = (2 * n.col("co2") + n.col("water")) / 3
    np.testing.assert_allclose(s.col("econ"), econ)
    np.testing.assert_allclose(s.col("index"), (econ + green) / 2)
    ranks = coin.ranks()["index"]
    assert ranks.tolist() == [3, 2, 1, 4]
    codes, contrib = contributions(coin)
    np.testing.assert_allclose(contrib.sum(axis=1), s.col("index"))
    assert group_ranks(coin, "region_group", "index") == {"A": 2, "B": 1, "C": 1, "D": 2}
    assert strengths_weaknesses(coin, 1)["C"]["strengths"] == ["gdp"]


def test_regenerate_reuses_earlier_stages_and_compares():
    idata, imeta = example()
    coin = build(idata, imeta, CONFIG)
    other = regenerate(coin, {"aggregate.method": "geometric", "aggregate.nonpositive": "shift"})
    assert other.data["Treated"] is coin.data["Treated"]
    assert other.config.aggregate.method == "geometric"
    rows = compare(coin, other)
    assert {r["uCode"] for r in rows} == {"A", "B", "C", "D"}
    assert coin.config.aggregate.method == "arithmetic"


def test_ranks_do_not_depend_on_unit_order():
    from compositeindex import parse_idata, parse_imeta, table_from_rows

    imeta = parse_imeta(table_from_rows(META))
    a = build(parse_idata(table_from_rows(DATA), imeta), imeta, CONFIG)
    b = build(parse_idata(table_from_rows(DATA[::-1]), imeta), imeta, CONFIG)
    ra = dict(zip(a.scores.units, a.ranks()["index"], strict=True))
    rb = dict(zip(b.scores.units, b.ranks()["index"], strict=True))
    assert ra == rb


def test_screen_removes_units_below_availability_and_reports_them():
    idata, imeta = example()
    coin = build(idata, imeta, {"screen": {"dat_thresh": 0.9, "force_exclude": ["D"]}})
    assert coin.scores.units == ("A", "C")
    assert {r["uCode"]: r["reason"] for r in coin.screened_out} == {"B": "availability", "D": "forced_exclude"}


def write_inputs(tmp_path):
    import csv

    for name, rows in (("meta", META), ("data", DATA)):
        with open(tmp_path / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows({k: "" if v is None else v for k, v in r.items()} for r in rows)
    (tmp_path / "pipeline.yaml").write_text("impute:\n  method: mean\n", encoding="utf-8")


def cli_args(tmp_path, out, command="build"):
    return [
        command,
        "--data",
        str(tmp_path / "data.csv"),
        "--meta",
        str(tmp_path / "meta.csv"),
        "--config",
        str(tmp_path / "pipeline.yaml"),
        "--out",
        str(out),
    ]


def run_cli(tmp_path, out):
    """The real entry point, in a subprocess (slow: one per test that needs it)."""
    cmd = [sys.executable, "-m", "tidu.cli", "index", *cli_args(tmp_path, out)]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


ANALYSIS_FILES = {"analysis_stats.csv", "analysis_correlations.csv", "analysis_cronbach.csv", "analysis_pca.json"}


def test_cli_build_writes_stages_results_analysis_and_manifest_byte_identically(tmp_path):
    from compositeindex.cli import main

    write_inputs(tmp_path)
    proc = run_cli(tmp_path, tmp_path / "a")
    assert proc.returncode == 0, proc.stderr
    assert main(cli_args(tmp_path, tmp_path / "b")) == 0  # in-process: the same bytes as the subprocess
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert {
        "data_Raw.csv",
        "data_Normalised.csv",
        "data_Aggregated.csv",
        "results_ranks.csv",
        "treatment.csv",
        "manifest.json",
        *ANALYSIS_FILES,
    } <= set(names)
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    import hashlib

    assert manifest["inputs"]["iData"] == hashlib.sha256((tmp_path / "data.csv").read_bytes()).hexdigest()
    assert set(manifest["outputs"]) == set(names) - {"manifest.json"}
    assert (
        manifest["outputs"]["analysis_pca.json"]
        == hashlib.sha256((tmp_path / "a" / "analysis_pca.json").read_bytes()).hexdigest()
    )
    assert manifest["contributions"] == "exact"
    assert manifest["normalisation"]["co2"] == {
        "method": "minmax",
        "l": 0.0,
        "u": 100.0,
        "mean": 0.0,
        "sd": 1.0,
        "cap": False,
        "scale": 1.0,
        "scale_factor": 100.0,
    }
    header = (tmp_path / "a" / "data_Aggregated.csv").read_text().splitlines()[0]
    assert header.startswith("uCode,gdp") and header.endswith("index")


def test_cli_analysis_files_hold_stats_correlations_alpha_and_pca(tmp_path):
    import csv

    from compositeindex.cli import main

    write_inputs(tmp_path)
    assert main(cli_args(tmp_path, tmp_path / "o")) == 0
    read = lambda name: list(csv.DictReader(open(tmp_path / "o" / name, encoding="utf-8")))  # noqa: E731, SIM115
    stats = read("analysis_stats.csv")
    assert {r["dataset"] for r in stats} == {"Raw", "Treated", "Normalised", "Aggregated"}
    water = next(r for r in stats if r["dataset"] == "Raw" and r["iCode"] == "water")
    assert (water["availability"], water["flag_availability"]) == ("0.75", "false")
    corr = read("analysis_correlations.csv")
    assert {(r["dataset"], r["method"]) for r in corr} == {
        (d, m) for d in ("Normalised", "Aggregated") for m in ("pearson", "spearman", "kendall")
    }
    assert {r["relation"] for r in corr} == {"siblings", "ancestor"}
    agg = read("data_Aggregated.csv")
    X = np.array([[float(r["gdp"]), float(r["rd"])] for r in agg])
    alpha = 2 * (1 - X.var(axis=0, ddof=1).sum() / X.sum(axis=1).var(ddof=1))
    econ = next(r for r in read("analysis_cronbach.csv") if r["iCode"] == "econ")
    assert float(econ["alpha"]) == pytest.approx(alpha)
    pca = json.loads((tmp_path / "o" / "analysis_pca.json").read_text())["groups"]
    assert sum(pca["econ"]["explained"]) == pytest.approx(1) and set(pca["econ"]["loadings"]) == {"gdp", "rd"}


def test_cli_build_compares_two_variants(tmp_path):
    from compositeindex.cli import main

    write_inputs(tmp_path)
    (tmp_path / "b.yaml").write_text("impute:\n  method: mean\nnormalise:\n  method: rank\n", encoding="utf-8")
    assert main([*cli_args(tmp_path, tmp_path / "o"), "--compare", str(tmp_path / "b.yaml")]) == 0
    lines = (tmp_path / "o" / "compare.csv").read_text().splitlines()
    assert lines[0] == "uCode,rank_a,rank_b,change" and len(lines) == 5


def test_cli_reports_validation_error_with_row(tmp_path, capsys):
    from compositeindex.cli import main

    write_inputs(tmp_path)
    text = (tmp_path / "data.csv").read_text().replace("20,1.0", "20,abc", 1)
    (tmp_path / "data.csv").write_text(text)
    assert main(cli_args(tmp_path, tmp_path / "a")) == 2
    assert "第 2 行 rd 列" in capsys.readouterr().err


@pytest.mark.parametrize("use", ["equal", "alt"])
def test_named_and_equal_weight_sets(use):
    idata, imeta = example()
    coin = build(idata, imeta, {"weights": {"use": use, "sets": {"alt": {"co2": 1}}}})
    assert coin.weights["co2"] == 1.0


def test_cli_sa_writes_rank_intervals_and_indices_reproducibly(tmp_path):
    from compositeindex.cli import main

    write_inputs(tmp_path)
    (tmp_path / "sa.yaml").write_text(
        "n: 32\nworkers: 1\nbootstrap: 20\nuncertain:\n"
        "  - name: normalise\n    alternatives:\n      - {normalise.method: minmax}\n      - {normalise.method: rank}\n"
        "  - name: weights\n    noise: 0.25\n    sets: 10\n"
        "  - name: screen\n    alternatives:\n      - {screen.dat_thresh: 0}\n      - {screen.dat_thresh: 0.9}\n",
        encoding="utf-8",
    )
    outs = []
    for out in ("a", "b"):
        assert main([*cli_args(tmp_path, tmp_path / out, "sa"), "--sa", str(tmp_path / "sa.yaml")]) == 0
        outs.append((tmp_path / out / "sa_indices.csv").read_bytes())
    assert outs[0] == outs[1]
    assert outs[0].decode().splitlines()[0] == "factor,S1,S1_low,S1_high,ST,ST_low,ST_high"
    ranks = (tmp_path / "a" / "sa_ranks.csv").read_text().splitlines()
    assert ranks[0] == "uCode,nominal,median,q05,q95,presence" and len(ranks) == 5
    b = next(line for line in ranks if line.startswith("B,")).split(",")
    assert 0 < float(b[5]) < 1  # B (¾ of its data) is screened out by the 0.9 alternative only


def test_row_mean_imputes_from_siblings_back_transformed():
    idata, imeta = example()
    coin = build(idata, imeta, {"impute": {"method": "row_mean"}, "denominate": {"enabled": False}})
    # B's water from its sibling co2 (3 on a 1..5 range → 0.5), back on water's range 1..5 → 3
    assert coin.data["Imputed"].col("water")[1] == pytest.approx(3.0)
    raw_only = build(idata, imeta, {"impute": {"method": "row_mean", "normalise_first": False}})
    assert raw_only.data["Imputed"].col("water")[1] == pytest.approx(3.0)


def panel():
    from compositeindex import parse_idata, parse_imeta, table_from_rows

    imeta = parse_imeta(table_from_rows(META))
    rows = []
    for t, scale in ((2021, 1.0), (2022, 1.5), (2023, 2.0)):
        for r in DATA:
            row = dict(r) | {"Time": t, "rd": r["rd"] * scale}
            if r["uCode"] == "A" and t == 2022:
                row["rd"] = None
            rows.append(row)
    return parse_idata(table_from_rows(rows), imeta), imeta


def test_panel_carry_forward_and_interpolation():
    idata, imeta = panel()
    cf = build(idata, imeta, {"time": 2022, "impute": {"method": "carry_forward"}})
    assert cf.data["Imputed"].col("rd")[0] == pytest.approx(1.0)  # A's 2021 value
    li = build(idata, imeta, {"time": 2022, "impute": {"method": "interpolate"}})
    assert li.data["Imputed"].col("rd")[0] == pytest.approx(1.5)  # halfway between 1.0 and 2.0
    assert li.data["Imputed"].col("water")[1] != li.data["Imputed"].col("water")[1]  # B never has water: stays NaN
    latest = build(idata, imeta)
    assert latest.data["Raw"].col("rd")[0] == pytest.approx(2.0)  # default: the latest Time


@settings(max_examples=25, deadline=None)
@given(st.permutations(list(range(len(DATA)))))
def test_scores_are_invariant_to_unit_order(order):
    from compositeindex import parse_idata, parse_imeta, table_from_rows

    imeta = parse_imeta(table_from_rows(META))
    cfg = {"impute": {"method": "mean"}, "weights": {"use": "pca"}}
    a = build(parse_idata(table_from_rows(DATA), imeta), imeta, cfg)
    b = build(parse_idata(table_from_rows([DATA[i] for i in order]), imeta), imeta, cfg)
    sa = dict(zip(a.scores.units, a.scores.col("index"), strict=True))
    sb = dict(zip(b.scores.units, b.scores.col("index"), strict=True))
    assert sa == pytest.approx(sb)


def test_config_names_unknown_to_the_tables_are_reported_together():
    from compositeindex import InputError

    idata, imeta = example()
    cfg = {
        "impute": {"method": "group_mean", "group": "size_group"},
        "normalise": {"overrides": {"nope": {}}},
        "weights": {"use": "missing"},
        "screen": {"force_exclude": ["Z"]},
    }
    with pytest.raises(InputError) as exc:
        build(idata, imeta, cfg)
    paths = {p.column for p in exc.value.problems}
    assert {"impute.group", "normalise.overrides.nope", "weights.use", "screen/normalise"} <= paths
