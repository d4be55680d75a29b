"""Results: scores and ranks at every level, group ranks, strengths and weaknesses, contributions, comparison."""

from __future__ import annotations

import numpy as np

from .aggregate import level_params
from .data import MISSING, rank_desc, rank_scores


def group_ranks(coin, group: str, code: str) -> dict[str, float]:
    """Rank of each unit on `code` among the units of its own `*_group` label."""
    ds = coin.scores if code in coin.scores.codes else coin.data["Derived"]
    row_of = {u: i for i, u in enumerate(coin.idata.units)}
    labels = np.array([coin.idata.groups[group][row_of[u]] for u in ds.units])
    x = ds.col(code)
    out = np.full(x.shape, np.nan)
    for g in np.unique(labels):
        m = labels == g
        out[m] = rank_scores(x[m], coin.config.results.rank_decimals)
    return dict(zip(ds.units, out.tolist(), strict=True))


def strengths_weaknesses(
    coin, n: int | None = None, *, min_discard: bool | None = None
) -> dict[str, dict[str, list[str]]]:
    """Per unit, the `n` indicators where it ranks best and worst among units (COINr's get_str_weak on the
    direction-adjusted Normalised data; n defaults to results.strengths, COINr's 5).

    An indicator the unit has no data for in the input is left out, even when it was imputed: an estimate is not a
    strength. With `min_discard` (COINr's default) an indicator where the unit ranks last is not a strength."""
    n = coin.config.results.strengths if n is None else n
    min_discard = coin.config.results.min_discard if min_discard is None else min_discard
    ds = coin.data["Normalised"]
    R = np.column_stack([rank_desc(ds.values[:, j]) for j in range(len(ds.codes))])
    worst = np.max(np.where(np.isnan(R), -np.inf, R), axis=0)  # the last rank of each indicator
    R[(ds.flags & MISSING).astype(bool)] = np.nan
    out = {}
    codes = np.array(ds.codes)
    for i, u in enumerate(ds.units):
        r = R[i]
        ok = ~np.isnan(r)
        order = np.argsort(r[ok], kind="stable")
        ranked = codes[ok][order]
        best = ranked[r[ok][order] < worst[ok][order]] if min_discard else ranked
        out[u] = {"strengths": best[:n].tolist(), "weaknesses": ranked[::-1][:n].tolist()}
    return out


def contributions_exact(coin) -> bool:
    """Whether w·x contributions add up to the index: every level a weighted arithmetic mean."""
    for level in range(2, coin.imeta.max_level + 1):
        a = level_params(coin.config.aggregate, level)
        if not (a.method == "arithmetic" or (a.method == "power" and a.p == 1)):
            return False
    return True


def contributions(coin) -> tuple[tuple[str, ...], np.ndarray]:
    """Each indicator's contribution to each unit's index: its normalised value times its share of the index, the
    share being the product along its path of the unit's own weights — a missing child's weight goes to its
    available siblings, as in the aggregation. Exact (rows sum to the index) when contributions_exact(); otherwise
    indicative only. Units × indicators."""
    ds, agg, imeta = coin.data["Normalised"], coin.scores, coin.imeta
    top = imeta.codes_at(imeta.max_level)[0]
    present = ~np.isnan(agg.values)
    col = {c: j for j, c in enumerate(agg.codes)}
    share = {top: np.where(present[:, col[top]], 1.0, np.nan)}
    for level in range(imeta.max_level, 1, -1):
        for parent in imeta.codes_at(level):
            kids = imeta.children(parent)
            W = np.column_stack([np.where(present[:, col[k]], coin.weights[k], 0.0) for k in kids])
            total = W.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                frac = W / total[:, None]
            for j, k in enumerate(kids):
                share[k] = share[parent] * np.where(total > 0, frac[:, j], 0.0)
    S = np.column_stack([share[c] for c in ds.codes])
    return ds.codes, np.where(S == 0, 0.0, S * ds.values)


def compare(a, b, code: str | None = None) -> list[dict]:
    """Rank of every common unit in two variants on `code` (default the index), with the change."""
    code = code or a.imeta.codes_at(a.imeta.max_level)[0]
    ra = dict(zip(a.scores.units, a.rank_of(code).tolist(), strict=True))
    rb = dict(zip(b.scores.units, b.rank_of(code).tolist(), strict=True))
    return [{"uCode": u, "rank_a": ra[u], "rank_b": rb[u], "change": rb[u] - ra[u]} for u in a.scores.units if u in rb]


def mean_abs_rank_change(a, b, code: str | None = None) -> float:
    rows = compare(a, b, code)
    return float(np.mean([abs(r["change"]) for r in rows])) if rows else 0.0


def outranking(coin) -> tuple[np.ndarray, np.ndarray]:
    """The outranking matrix of the Handbook's Copeland method on the normalised indicators, each weighted by its
    effective weight: e_ab = Σ w (1[x_a > x_b] + ½·1[x_a = x_b]) / Σ w over the indicators both units have.
    Returns (E, dominance) with dominance[a, b] true when a is at least as good as b on every shared indicator
    and better on one (e_ab = 1 with at least one strict win) — COINr's outrankMatrix dominance pairs."""
    ds = coin.data["Normalised"]
    X = ds.values
    w = np.array([coin.effective_weights[c] for c in ds.codes])
    n = X.shape[0]
    E = np.full((n, n), 0.5)
    dom = np.zeros((n, n), bool)
    for i in range(n):
        ok = ~(np.isnan(X[i]) | np.isnan(X))
        W = np.where(ok, w, 0.0)
        tot = W.sum(axis=1)
        gt = (W * (X[i] > X)).sum(axis=1)
        eq = (W * (X[i] == X)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            E[i] = np.where(tot > 0, (gt + 0.5 * eq) / tot, np.nan)
        lost = (ok & (X[i] < X)).any(axis=1)
        dom[i] = (tot > 0) & ~lost & (gt > 0)
    E[np.arange(n), np.arange(n)] = np.nan
    dom[np.arange(n), np.arange(n)] = False
    return E, dom


def copeland_table(coin) -> list[dict]:
    """Per unit: pairwise wins (e_ab > ½), losses (e_ab < ½), the Copeland score wins − losses and its rank, and
    the number of units it dominates and is dominated by."""
    E, dom = outranking(coin)
    wins, losses = np.nansum(E > 0.5, axis=1), np.nansum(E < 0.5, axis=1)
    score = (wins - losses).astype(float)
    rank = rank_desc(score)
    return [
        {
            "uCode": u,
            "wins": int(wins[i]),
            "losses": int(losses[i]),
            "copeland": int(score[i]),
            "rank": int(rank[i]),
            "dominates": int(dom[i].sum()),
            "dominated_by": int(dom[:, i].sum()),
        }
        for i, u in enumerate(coin.data["Normalised"].units)
    ]
