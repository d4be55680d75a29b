"""Weights and level-by-level aggregation."""

from __future__ import annotations

import numpy as np

from .config import AggOne, Aggregate, Weights
from .data import Dataset
from .inputs import IMeta
from .weights import DERIVED, derive


def resolve_weights(imeta: IMeta, cfg: Weights) -> dict[str, float]:
    w = imeta.weights()
    if cfg.use == "original" or cfg.use in DERIVED:  # derived weights replace these group by group in aggregate()
        return w
    if cfg.use == "equal":
        return dict.fromkeys(w, 1.0)
    if cfg.use not in cfg.sets:
        raise ValueError(f"weights: 权重集 “{cfg.use}” 不存在")
    return {**w, **cfg.sets[cfg.use]}


def _tree(imeta: IMeta) -> dict:
    """The framework's structure, computed once per IMeta (a regeneration reuses it): per level the aggregates,
    their children side by side and which group each child belongs to; every element's parent and siblings."""
    plan = imeta.__dict__.get("_agg_plan")
    if plan is None:
        levels = {}
        for level in range(2, imeta.max_level + 1):
            codes = imeta.codes_at(level)
            kids = [imeta.children(c) for c in codes]
            flat = tuple(k for ks in kids for k in ks)
            group = np.repeat(np.arange(len(codes)), [len(ks) for ks in kids])
            member = np.zeros((len(flat), len(codes)))
            member[np.arange(len(flat)), group] = 1.0
            starts = np.r_[0, np.cumsum([len(ks) for ks in kids])[:-1]].astype(int)
            levels[level] = {"codes": codes, "kids": kids, "flat": flat, "group": group, "M": member, "starts": starts}
        top_down = [c for level in range(imeta.max_level, 0, -1) for c in imeta.codes_at(level)]
        indicators = imeta.indicators
        plan = {
            "levels": levels,
            "parents": [(c, imeta[c].parent or None) for c in top_down],
            "groups": [(c, imeta.children(c)) for c in top_down if imeta.children(c)],
            "order": (*indicators, *(c for c in imeta.weights() if c not in set(indicators) and c in top_down)),
        }
        object.__setattr__(imeta, "_agg_plan", plan)  # IMeta is frozen; this cache is derived from it only
    return plan


def effective_weights(imeta: IMeta, w: dict[str, float]) -> dict[str, float]:
    """Each element's share of the index — indicators and aggregates alike: the product of its normalised weights
    (weight over the sum of its siblings' weights) along the path to the top. The index itself has 1."""
    tree = _tree(imeta)
    totals = {p: sum(w[k] for k in kids) for p, kids in tree["groups"]}
    out = {}
    for code, parent in tree["parents"]:
        if parent is None:
            out[code] = 1.0
        else:
            total = totals[parent]
            out[code] = out[parent] * (w[code] / total if total else 0.0)
    return {c: out[c] for c in tree["order"]}


def level_params(cfg: Aggregate, level: int) -> AggOne:
    """The global aggregation with the fields written in `aggregate.by_level.<level>` on top."""
    own = cfg.by_level.get(level)
    base = {f: getattr(cfg, f) for f in AggOne.model_fields}
    if own is None:
        return AggOne.model_validate(base)
    return AggOne.model_validate({**base, **own.model_dump(include=own.model_fields_set)})


def combine(X: np.ndarray, w: np.ndarray, a: AggOne, dat_thresh: float, label: str) -> np.ndarray:
    """Weighted mean of columns of X per row; missing children drop out and the weights are renormalised."""
    ok = ~np.isnan(X)
    W = np.where(ok, w, 0.0)
    wsum = W.sum(axis=1)
    avail = ok.mean(axis=1)
    m, p = a.method, a.p
    if m in ("copeland", "bod"):
        y = copeland(X, w) if m == "copeland" else benefit_of_doubt(X, a.missing)
        y[(avail < dat_thresh) | (avail == 0)] = np.nan
        return y
    if m == "geometric":
        p = 0.0
    elif m == "harmonic":
        p = -1.0
    elif m == "arithmetic":
        p = 1.0
    Z = np.where(ok, X, 0.0)
    # Only units the availability threshold keeps are checked (and set the shift): a unit dropped anyway must
    # not stop the build.
    keep = (avail >= dat_thresh) & (avail > 0)
    counted = ok & keep[:, None]
    if p <= 0 and np.any(counted & (X <= 0)):
        if a.nonpositive == "error":
            msg = f"aggregate: {label} 的 {m} 平均遇到零或负值；可用 nonpositive: shift 或让 minmax 下界 > 0"
            raise ValueError(msg)
        # Documented shift: every child moves by the same amount so that the smallest value becomes 1.
        Z = np.where(ok, X - X[counted].min() + 1.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if p == 1:
            y = (W * Z).sum(axis=1) / wsum
        elif p == 0:
            y = np.exp((W * np.log(np.where(ok, Z, 1.0))).sum(axis=1) / wsum)
        else:
            y = ((W * np.where(ok, Z, 1.0) ** p).sum(axis=1) / wsum) ** (1 / p)
    y[(wsum == 0) | (avail < dat_thresh) | (avail == 0)] = np.nan
    return y


def copeland(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Copeland outranking: e_ab = Σ w (1[x_a > x_b] + ½·1[x_a = x_b]) / Σw; score_a = #{b: e_ab > ½} − #{b: e_ab < ½}.
    Missing values are left out of each pairwise comparison."""
    n = X.shape[0]
    score = np.zeros(n)
    for i in range(n):
        a, b = X[i][None, :], X
        ok = ~(np.isnan(a) | np.isnan(b))
        ww = np.where(ok, w, 0.0)
        tot = ww.sum(axis=1)
        e = (ww * ((a > b) + 0.5 * (a == b))).sum(axis=1) / np.where(tot == 0, 1, tot)
        e[i] = 0.5
        score[i] = np.sum(e > 0.5) - np.sum(e < 0.5)
    return score


def benefit_of_doubt(X: np.ndarray, missing: str = "zero") -> np.ndarray:
    """Benefit of the doubt (DEA with unit input, as Compind's ci_bod): for unit a, max Σ w x_a s.t. Σ w x_b ≤ 1 for
    every peer b, w ≥ 0; scores in [0, 1].

    A unit's own gaps never matter (the LP gives them weight 0 either way); the two options differ in how a peer's
    gaps are read. `zero`: a gap counts as 0, every unit is a peer of every other (one common frontier). `drop`:
    unit a's LP runs over a's available indicators only, against the peers that have all of them."""
    from scipy.optimize import linprog

    ok = ~np.isnan(X)
    Z = np.where(ok, X, 0.0)
    if (Z < 0).any():
        raise ValueError("aggregate: 有利假设法（bod）要求非负的标准化值")
    out = np.full(Z.shape[0], np.nan)
    for i in range(Z.shape[0]):
        cols = ok[i] if missing == "drop" else np.ones(Z.shape[1], bool)
        if not ok[i].any():
            continue
        peers = ok[:, cols].all(axis=1) if missing == "drop" else np.ones(Z.shape[0], bool)
        A = Z[np.ix_(peers, cols)]
        res = linprog(-Z[i, cols], A_ub=A, b_ub=np.ones(A.shape[0]), bounds=(0, None), method="highs")
        out[i] = -res.fun if res.status == 0 else np.nan
    return out


MEANS = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}


def combine_level(X: np.ndarray, w: np.ndarray, lv: dict, a: AggOne) -> np.ndarray:
    """combine() for every group of a level at once (weighted power means): X holds the children of all groups
    side by side, lv["M"] maps them to their groups. The same numbers as combine() group by group."""
    p = MEANS.get(a.method, a.p)
    ok = ~np.isnan(X)
    M = lv["M"]
    W = np.where(ok, w, 0.0)
    wsum = W @ M
    avail = (ok @ M) / M.sum(axis=0)
    keep = (avail >= a.dat_thresh) & (avail > 0)
    Z = np.where(ok, X, 1.0)
    if p <= 0:
        counted = ok & keep[:, lv["group"]]
        bad = counted & (X <= 0)
        if bad.any():
            groups = np.flatnonzero(bad.any(axis=0) @ M)
            if a.nonpositive == "error":
                label = lv["codes"][groups[0]]
                msg = f"aggregate: {label} 的 {a.method} 平均遇到零或负值；可用 nonpositive: shift 或让 minmax 下界 > 0"
                raise ValueError(msg)
            shift = np.zeros(len(lv["codes"]))
            col_min = np.where(counted, X, np.inf).min(axis=0)
            shift[groups] = 1.0 - np.minimum.reduceat(col_min, lv["starts"])[groups]
            Z = np.where(ok, X + shift[lv["group"]], 1.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        T = W * (np.where(ok, X, 0.0) if p == 1 else np.log(Z) if p == 0 else Z**p)
        # a term that is not finite (a unit's value the mean cannot take) must spoil its own group only, not the
        # others through the zeros of M (NaN·0 is NaN)
        bad = ~np.isfinite(T)
        if bad.any():
            T = np.where(bad, 0.0, T)
        s = T @ M / wsum
        y = s if p == 1 else np.exp(s) if p == 0 else s ** (1 / p)
        if bad.any():
            y[(bad @ M) > 0] = np.nan
    y[(wsum == 0) | ~keep] = np.nan
    return y


def aggregate(
    ds: Dataset,
    imeta: IMeta,
    weights: dict[str, float],
    cfg: Aggregate,
    derived: str | None = None,
    targets: dict[str, float] | None = None,
    derived_levels: tuple[int, ...] | None = None,
) -> Dataset:
    """Adds one column per Aggregate, level by level, to the normalised indicators. With `derived` (pca, entropy,
    …) each group's weights come from its children's values just before it is aggregated — at every level, or
    only at `derived_levels` (the others keep `weights`)."""
    plan = _tree(imeta)
    n_ind = len(ds.codes)
    agg_codes = [c for level in plan["levels"] for c in plan["levels"][level]["codes"]]
    codes = (*ds.codes, *agg_codes)
    pos = {c: j for j, c in enumerate(codes)}
    values = np.empty((len(ds.units), len(codes)))
    values[:, :n_ind] = ds.values
    weights = dict(weights)
    notes = {}
    for level, lv in plan["levels"].items():
        a = level_params(cfg, level)
        idx = [pos[k] for k in lv["flat"]]
        X = values[:, idx]
        here = derived in DERIVED and (derived_levels is None or level in derived_levels)
        if a.method in ("copeland", "bod") or here:
            for g, code in enumerate(lv["codes"]):
                kids = lv["kids"][g]
                Xg = X[:, lv["group"] == g]
                if here and len(kids) > 1:
                    t = np.array([(targets or {}).get(k, 1.0) for k in kids])
                    w, notes[code] = derive(derived, Xg, t)
                    weights.update(zip(kids, w.tolist(), strict=True))
                w = np.array([weights[k] for k in kids])
                values[:, pos[code]] = combine(Xg, w, a, a.dat_thresh, code)
        else:
            w = np.array([weights[k] for k in lv["flat"]])
            start = pos[lv["codes"][0]]
            values[:, start : start + len(lv["codes"])] = combine_level(X, w, lv, a)
    flags = np.zeros(values.shape, np.uint8)
    flags[:, :n_ind] = ds.flags
    return Dataset(
        "Aggregated",
        ds.units,
        codes,
        values,
        flags,
        ds.name,
        {**cfg.model_dump(mode="json"), "weights": weights, "weight_notes": notes},
    )
