"""Results: scores and ranks at every level, group ranks, strengths and weaknesses, contributions, comparison."""

from __future__ import annotations

import numpy as np

from .data import rank_desc


def group_ranks(coin, group: str, code: str) -> dict[str, float]:
    """Rank of each unit on `code` among the units of its own `*_group` label."""
    ds = coin.scores
    row_of = {u: i for i, u in enumerate(coin.idata.units)}
    labels = np.array([coin.idata.groups[group][row_of[u]] for u in ds.units])
    x = ds.col(code)
    out = np.full(x.shape, np.nan)
    for g in np.unique(labels):
        m = labels == g
        out[m] = rank_desc(x[m])
    return dict(zip(ds.units, out.tolist(), strict=True))


def strengths_weaknesses(coin, n: int = 3) -> dict[str, dict[str, list[str]]]:
    """Per unit, the indicators where it ranks best and worst among units (COINr's get_str_weak, by rank)."""
    ds = coin.data["Normalised"]
    R = np.column_stack([rank_desc(ds.values[:, j]) for j in range(len(ds.codes))])
    out = {}
    codes = np.array(ds.codes)
    for i, u in enumerate(ds.units):
        r = R[i]
        ok = ~np.isnan(r)
        order = np.argsort(r[ok], kind="stable")
        cs = codes[ok][order]
        out[u] = {"strengths": cs[:n].tolist(), "weaknesses": cs[::-1][:n].tolist()}
    return out


def contributions(coin, top: str | None = None) -> tuple[tuple[str, ...], np.ndarray]:
    """Indicator contributions to each unit's index, w_eff·x, exact when every level is arithmetic and data is
    complete (units × indicators; rows sum to the index score)."""
    ds = coin.data["Normalised"]
    w = np.array([coin.effective_weights[c] for c in ds.codes])
    return ds.codes, ds.values * w


def compare(a, b, code: str | None = None) -> list[dict]:
    """Rank of every common unit in two variants on `code` (default the index), with the change."""
    code = code or a.imeta.codes_at(a.imeta.max_level)[0]
    ra = dict(zip(a.scores.units, rank_desc(a.scores.col(code)).tolist(), strict=True))
    rb = dict(zip(b.scores.units, rank_desc(b.scores.col(code)).tolist(), strict=True))
    return [{"uCode": u, "rank_a": ra[u], "rank_b": rb[u], "change": rb[u] - ra[u]} for u in a.scores.units if u in rb]


def mean_abs_rank_change(a, b, code: str | None = None) -> float:
    rows = compare(a, b, code)
    return float(np.mean([abs(r["change"]) for r in rows])) if rows else 0.0
