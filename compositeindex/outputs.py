"""What `tidu index build` writes: one CSV per stage, results, analysis, the treatment report and a manifest.
Deterministic: fixed order, repr() floats, no timestamps, so the same inputs give byte-identical files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from pathlib import Path

import numpy as np

from . import analysis, results
from .pipeline import Coin


def _fmt(v) -> str:
    t = type(v)  # exact-type checks first: a large build writes millions of cells
    if t is str:
        return v
    if t is float:
        return "" if v != v else repr(v)
    if t is bool or t is np.bool_:
        return "true" if v else "false"
    if isinstance(v, np.floating):
        return "" if np.isnan(v) else repr(float(v))
    return str(v)


def csv_bytes(header: list[str], rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_fmt(v) for v in r])
    return buf.getvalue().encode("utf-8")


def matrix_csv(header: list[str], units, values: np.ndarray) -> bytes:
    """csv_bytes for a units × codes table of floats (the same bytes): each cell formatted directly, without
    _fmt's type dispatch — these tables are most of the cells of a build's files."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for u, row in zip(units, values.tolist(), strict=True):
        w.writerow([u, *[repr(v) if v == v else "" for v in row]])
    return buf.getvalue().encode("utf-8")


def _plain(v):
    """JSON-safe: NumPy to Python, NaN to null (JSON has no NaN)."""
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple | np.ndarray):
        return [_plain(x) for x in (v.tolist() if isinstance(v, np.ndarray) else v)]
    if isinstance(v, float | np.floating):
        return None if math.isnan(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def json_bytes(data) -> bytes:
    return (json.dumps(_plain(data), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _rank(v: float):
    return int(v) if v == v else ""


def result_files(coin: Coin) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name, ds in coin.data.items():
        files[f"data_{name}.csv"] = matrix_csv(["uCode", *ds.codes], ds.units, ds.values)
    ds = coin.scores
    ranks = coin.ranks()  # every level, then the derived outputs
    ranked = tuple(ranks)
    files["results_ranks.csv"] = csv_bytes(
        ["uCode", *ranked], ([u, *(_rank(ranks[c][i]) for c in ranked)] for i, u in enumerate(ds.units))
    )
    norm = coin.data["Normalised"]
    files["flags.csv"] = csv_bytes(
        ["uCode", *norm.codes], ([u, *norm.flags[i].tolist()] for i, u in enumerate(norm.units))
    )
    for group in sorted(coin.idata.groups):
        gr = {c: results.group_ranks(coin, group, c) for c in ranked}
        files[f"results_ranks_{group}.csv"] = csv_bytes(
            ["uCode", *ranked], ([u, *(_rank(gr[c][u]) for c in ranked)] for u in ds.units)
        )
    sw = results.strengths_weaknesses(coin)
    files["results_strengths_weaknesses.csv"] = csv_bytes(
        ["uCode", "strengths", "weaknesses"],
        ([u, ";".join(sw[u]["strengths"]), ";".join(sw[u]["weaknesses"])] for u in norm.units),
    )
    codes, contrib = results.contributions(coin)
    top = coin.imeta.codes_at(coin.imeta.max_level)[0]
    basis = "exact" if results.contributions_exact(coin) else "indicative"
    index = coin.scores.col(top)
    files["results_contributions.csv"] = csv_bytes(
        ["uCode", *codes, "sum", top, "basis"],
        ([u, *contrib[i], float(np.sum(contrib[i])), index[i], basis] for i, u in enumerate(norm.units)),
    )
    keys = [
        "iCode",
        "skew_before",
        "kurt_before",
        "winsorised",
        "winsorised_units",
        "transform",
        "skew_after",
        "kurt_after",
        "passes",
    ]
    files["treatment.csv"] = csv_bytes(keys, ([r[k] for k in keys] for r in coin.treatment))
    files["screened_out.csv"] = csv_bytes(
        ["uCode", "availability", "nonzero", "reason"],
        ([r["uCode"], r["availability"], r["nonzero"], r["reason"]] for r in coin.screened_out),
    )
    if coin.config.results.outranking:
        E, _ = results.outranking(coin)
        files["results_outranking.csv"] = csv_bytes(
            ["uCode", *norm.units], ([u, *E[i].tolist()] for i, u in enumerate(norm.units))
        )
        keys = ["uCode", "wins", "losses", "copeland", "rank", "dominates", "dominated_by"]
        files["results_copeland.csv"] = csv_bytes(keys, ([r[k] for k in keys] for r in results.copeland_table(coin)))
    files["weights.csv"] = csv_bytes(
        ["iCode", "weight", "effective_weight"],
        ([c, w, coin.effective_weights.get(c, "")] for c, w in coin.weights.items()),
    )
    return files


STAT_KEYS = [
    "iCode",
    "n",
    "min",
    "max",
    "mean",
    "median",
    "sd",
    "skew",
    "kurt",
    "availability",
    "zeros",
    "unique",
    "flag_availability",
    "flag_zeros",
    "flag_outliers",
    "flag_unique",
]
DENOM_KEYS = ["dataset", "method", "iCode", "denominator", "r", "p", "n", "flag"]
CORR_KEYS = ["dataset", "method", "a", "level_a", "b", "level_b", "relation", "parent", "r", "p", "n", "flag"]


def analysis_files(coin: Coin) -> dict[str, bytes]:
    """analysis_stats.csv, analysis_correlations.csv, analysis_cronbach.csv and analysis_pca.json."""
    cfg = coin.config.analysis
    known = [d for d in cfg.stats_datasets if d in coin.data]
    stats = []
    for name in known:
        rows = analysis.indicator_stats(
            coin.data[name],
            dat_thresh=cfg.t_avail,
            zero_thresh=cfg.t_zero,
            unq_thresh=cfg.t_unique,
            skew_thresh=coin.config.treat.skew_thresh,
            kurt_thresh=coin.config.treat.kurt_thresh,
        )
        stats.extend([name, *(r[k] for k in STAT_KEYS)] for r in rows)
    corr = []
    for name in (d for d in cfg.corr_datasets if d in coin.data):
        for method in cfg.corr_methods:
            for r in analysis.correlations(coin, name, method):
                corr.append([*(r[k] for k in CORR_KEYS[:-1]), analysis.flag_of(r, cfg.collinear, cfg.negative)])
    denom = []
    for name in (d for d in cfg.denom_datasets if d in coin.data):
        for method in cfg.corr_methods:
            for r in analysis.denominator_correlations(coin, name, method, cfg.denom_thresh):
                denom.append([r[k] for k in DENOM_KEYS])
    groups = analysis.group_analysis(coin)
    alpha = ([g, v["level"], len(v["children"]), v["n"], v["alpha"]] for g, v in groups.items())
    pca = {
        g: {
            "level": v["level"],
            "children": list(v["children"]),
            "n": v["n"],
            **(
                {
                    "eigenvalues": v["eigenvalues"],
                    "explained": v["explained"],
                    "loadings": {c: v["loadings"][i] for i, c in enumerate(v["children"])},
                }
                if "eigenvalues" in v
                else {}
            ),
        }
        for g, v in groups.items()
    }
    return {
        "analysis_stats.csv": csv_bytes(["dataset", *STAT_KEYS], stats),
        "analysis_correlations.csv": csv_bytes(CORR_KEYS, corr),
        **({"analysis_denominators.csv": csv_bytes(DENOM_KEYS, denom)} if denom else {}),
        "analysis_cronbach.csv": csv_bytes(["iCode", "level", "k", "n_complete", "alpha"], alpha),
        "analysis_pca.json": json_bytes({"dataset": "Aggregated", "groups": pca}),
    }


def outputs(coin: Coin) -> dict[str, bytes]:
    """File name → bytes for every file of a build except the manifest."""
    return {**result_files(coin), **analysis_files(coin)}


def write(coin: Coin, out: Path, inputs: dict[str, bytes] | None = None) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    files = outputs(coin)
    for name, data in files.items():
        (out / name).write_bytes(data)
    manifest = {
        "engine": "compositeindex",
        "inputs": {k: digest(v) for k, v in sorted((inputs or {}).items())},
        "config": coin.config.model_dump(mode="json"),
        "log": [
            {k: (v.model_dump(mode="json") if hasattr(v, "model_dump") else v) for k, v in e.items()} for e in coin.log
        ],
        "contributions": "exact" if results.contributions_exact(coin) else "indicative",
        "normalisation": coin.data["Normalised"].step.get("per_indicator", {}),  # after iMeta columns and overrides
        "outputs": {k: digest(v) for k, v in sorted(files.items())},
    }
    (out / "manifest.json").write_bytes(json_bytes(manifest))
    return manifest
