"""Normalisation (direction applied first) with per-indicator parameters; COINr's n_* definitions."""

from __future__ import annotations

import math

import numpy as np

from .config import Normalise, NormOne
from .data import CAPPED, Dataset, rank_asc
from .inputs import Element, IMeta

# COINr's iMeta parameter columns (get_iMeta_norm_paras), per method: column → NormOne field. `dist2ref_*` are ours:
# COINr reads no dist2ref parameters from iMeta.
IMETA_PARAMS = {
    "minmax": {"minmax_lower": "l", "minmax_upper": "u"},
    "zscore": {"zscore_mean": "mean", "zscore_sd": "sd"},
    "scaled": {"scaled_lower": "l", "scaled_upper": "u", "scale_factor": "scale_factor"},
    "goalposts": {
        "goalpost_lower": "l",
        "goalpost_upper": "u",
        "goalpost_scale": "scale",
        "goalpost_trunc2posts": "cap",
    },
    "dist2targ": {"dist2targ_cap_max": "cap"},
    "dist2ref": {"dist2ref_ref": "ref", "dist2ref_cap_max": "cap"},
}
CAP_DEFAULT = {"dist2targ": True, "goalposts": True, "dist2ref": False}  # the issue: dist2targ capped; else COINr
TRUE_WORDS, FALSE_WORDS = {"true", "yes", "1", "是"}, {"false", "no", "0", "否"}


def _param(field: str, value):
    if field == "cap":
        if isinstance(value, str):
            word = value.strip().lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                raise ValueError(f"normalise: “{value}” 不是 TRUE/FALSE")
            return word in TRUE_WORDS
        return bool(value)
    if field == "ref":
        return str(value)
    return float(value)


def resolve(code: str, element: Element, cfg: Normalise) -> NormOne:
    """The parameters used for one indicator: the fields written in `normalise.overrides.<code>` win, then iMeta's
    parameter columns for the method, then the global section."""
    override = cfg.overrides.get(code)
    written = override.model_dump(include=override.model_fields_set) if override else {}
    method = written.get("method", cfg.method)
    fields = {f: getattr(cfg, f) for f in NormOne.model_fields}
    for column, field in IMETA_PARAMS.get(method, {}).items():
        if column in element.params:
            fields[field] = _param(field, element.params[column])
    fields.update(written, method=method)
    if fields["cap"] is None:
        fields["cap"] = CAP_DEFAULT.get(method, False)
    return NormOne.model_validate(fields)


def normalise_one(
    x: np.ndarray, n: NormOne, *, direction: int, target: float = math.nan, ref_row: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(values, capped mask) for one indicator column; `n` already resolved (see resolve())."""
    capped = np.zeros(x.shape, bool)
    m = n.method
    cap = CAP_DEFAULT.get(m, False) if n.cap is None else n.cap
    if m in ("dist2targ", "goalposts"):  # these take the direction into their formula (COINr)
        if m == "dist2targ":
            if math.isnan(target):
                raise ValueError("normalise: dist2targ 需要 iMeta 的 Target 列")
            lo, hi = np.nanmin(x), np.nanmax(x)
            y = (x - lo) / (target - lo) if direction == 1 else (hi - x) / (hi - target)
            if cap:
                capped = y > 1
                y = np.minimum(y, 1.0)
            return y, capped
        gl, gu = n.l, n.u
        y = (x - gl) / (gu - gl) if direction == 1 else (x - gu) / (gl - gu)
        if cap:
            capped = (y < 0) | (y > 1)
            y = np.clip(y, 0, 1)
        return y * n.scale, capped
    x = x * direction
    lo, hi = np.nanmin(x), np.nanmax(x)
    if m == "none":
        y = x
    elif m == "minmax":
        y = (x - lo) / (hi - lo) * (n.u - n.l) + n.l if hi > lo else np.where(np.isnan(x), np.nan, n.l)
    elif m == "zscore":
        sd = np.nanstd(x, ddof=1)
        y = (x - np.nanmean(x)) / sd * n.sd + n.mean
    elif m == "scaled":
        y = (x - n.l) / (n.u - n.l) * n.scale_factor
    elif m == "fracmax":
        y = x / hi
    elif m == "dist2max":
        y = 1 - (hi - x) / (hi - lo)
    elif m == "dist2ref":
        if ref_row is None:
            raise ValueError("normalise: dist2ref 需要 ref（参考单位代码）")
        if not x[ref_row] > lo:
            raise ValueError("normalise: dist2ref 的参考单位在该指标上缺失或为最小值，无法计算")
        y = 1 - (x[ref_row] - x) / (x[ref_row] - lo)  # COINr n_dist2ref
        if cap:
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


COLUMNWISE = ("minmax", "zscore", "scaled", "fracmax", "dist2max", "none")


def _all_at_once(ds: Dataset, imeta: IMeta, cfg: Normalise) -> Dataset | None:
    """The usual case — one method with the same parameters for every indicator (no overrides, no iMeta parameter
    columns for it) — on the whole table at once: the formulas of normalise_one() applied column-wise. A
    regeneration after a change of normalisation is mostly this step."""
    if cfg.overrides or cfg.method not in COLUMNWISE:
        return None
    elements = [imeta[c] for c in ds.codes]
    columns = IMETA_PARAMS.get(cfg.method, {})
    if any(col in e.params for e in elements for col in columns):
        return None
    n = resolve(ds.codes[0], elements[0], cfg) if ds.codes else cfg
    X = ds.values * np.array([e.direction for e in elements], float)
    m = n.method
    with np.errstate(divide="ignore", invalid="ignore"):
        if m == "none":
            y = X
        elif m == "zscore":
            y = (X - np.nanmean(X, axis=0)) / np.nanstd(X, axis=0, ddof=1) * n.sd + n.mean
        elif m == "scaled":
            y = (X - n.l) / (n.u - n.l) * n.scale_factor
        else:
            lo, hi = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
            if m == "minmax":
                y = np.where(hi > lo, (X - lo) / (hi - lo) * (n.u - n.l) + n.l, n.l)
            elif m == "fracmax":
                y = X / hi
            else:  # dist2max
                y = 1 - (hi - X) / (hi - lo)
    y = np.where(np.isnan(X), np.nan, y)
    dump = n.model_dump(mode="json", exclude={"ref"} if not n.ref else None)
    return Dataset(
        "Normalised",
        ds.units,
        ds.codes,
        y,
        ds.flags.copy(),
        ds.name,
        {**cfg.model_dump(mode="json"), "per_indicator": dict.fromkeys(ds.codes, dump)},
    )


def normalise(ds: Dataset, imeta: IMeta, cfg: Normalise) -> Dataset:
    fast = _all_at_once(ds, imeta, cfg)
    if fast is not None:
        return fast
    values, flags = np.empty_like(ds.values), ds.flags.copy()
    used = {}
    for j, code in enumerate(ds.codes):
        e = imeta[code]
        n = resolve(code, e, cfg)
        if n.method == "dist2ref" and n.ref and n.ref not in ds.units:
            raise ValueError(f"normalise: {code} 的参考单位 “{n.ref}” 不在数据中（可能已被筛除）")
        ref_row = ds.units.index(n.ref) if n.ref else None
        try:
            values[:, j], capped = normalise_one(
                ds.values[:, j], n, direction=e.direction, target=e.target, ref_row=ref_row
            )
        except ValueError as exc:
            raise ValueError(f"{exc}（指标 {code}）") from None
        flags[capped, j] |= CAPPED
        used[code] = n.model_dump(mode="json", exclude={"ref"} if not n.ref else None)
    return Dataset(
        "Normalised", ds.units, ds.codes, values, flags, ds.name, {**cfg.model_dump(mode="json"), "per_indicator": used}
    )
