"""Normalisation (direction applied first) with per-indicator overrides; COINr's n_* definitions."""

from __future__ import annotations

import numpy as np

from .config import Normalise, NormOne
from .data import CAPPED, Dataset, rank_asc
from .inputs import IMeta


def normalise_one(x: np.ndarray, n: NormOne, *, direction: int, target: float, params: dict,
                  ref_row: int | None) -> tuple[np.ndarray, np.ndarray]:
    """(values, capped mask) for one indicator column."""
    capped = np.zeros(x.shape, bool)
    m = n.method
    if m in ("dist2targ", "goalposts"):  # these take the direction into their formula (COINr)
        if m == "dist2targ":
            lo, hi = np.nanmin(x), np.nanmax(x)
            y = (x - lo) / (target - lo) if direction == 1 else (hi - x) / (hi - target)
            if n.cap:
                capped = y > 1
                y = np.minimum(y, 1.0)
            return y, capped
        gl = float(params.get("goalpost_lower", n.l))
        gu = float(params.get("goalpost_upper", n.u))
        a = float(params.get("goalpost_scale", n.scale))
        y = (x - gl) / (gu - gl) if direction == 1 else (x - gu) / (gl - gu)
        if n.cap:
            capped = (y < 0) | (y > 1)
            y = np.clip(y, 0, 1)
        return y * a, capped
    x = x * direction
    lo, hi = np.nanmin(x), np.nanmax(x)
    if m == "none":
        y = x
    elif m == "minmax":
        y = (x - lo) / (hi - lo) * (n.u - n.l) + n.l if hi > lo else np.full(x.shape, n.l)
    elif m == "zscore":
        sd = np.nanstd(x, ddof=1)
        y = (x - np.nanmean(x)) / sd * n.sd + n.mean
    elif m == "scaled":
        y = (x - n.l) / (n.u - n.l) * 100
    elif m == "fracmax":
        y = x / hi
    elif m == "dist2max":
        y = 1 - (hi - x) / (hi - lo)
    elif m == "dist2ref":
        if ref_row is None:
            raise ValueError("normalise: dist2ref 需要 ref（参考单位代码）")
        y = 1 - (x[ref_row] - x) / (hi - lo)
        if n.cap:
            capped = y > 1
            y = np.minimum(y, 1.0)
    elif m == "prank":
        k = np.sum(~np.isnan(x))
        y = (rank_asc(x) - 1) / (k - 1)
    elif m == "rank":
        y = rank_asc(x)
    else:  # borda: the number of units strictly below
        y = rank_asc(x) - 1
    return y, capped & ~np.isnan(x)


def normalise(ds: Dataset, imeta: IMeta, cfg: Normalise) -> Dataset:
    values, flags = np.empty_like(ds.values), ds.flags.copy()
    ref_row = ds.units.index(cfg.ref) if cfg.ref and cfg.ref in ds.units else None
    for j, code in enumerate(ds.codes):
        e = imeta[code]
        n = cfg.overrides.get(code, cfg)
        rr = ds.units.index(n.ref) if n.ref and n.ref in ds.units else ref_row
        values[:, j], capped = normalise_one(ds.values[:, j], n, direction=e.direction, target=e.target,
                                             params=e.params, ref_row=rr)
        flags[capped, j] |= CAPPED
    return Dataset("Normalised", ds.units, ds.codes, values, flags, ds.name, cfg.model_dump(mode="json"))
