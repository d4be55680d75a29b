"""Denominate, screen, impute and treat outliers (the JRC rule)."""

from __future__ import annotations

import math
import warnings

import numpy as np

from .config import Denominate, Impute, Screen, Treat, TreatOne
from .data import DENOMINATED, IMPUTED, MISSING, TRANSFORMED, WINSORISED, Dataset, skew, skew_kurt
from .inputs import IData, IMeta


def raw(idata: IData, imeta: IMeta) -> Dataset:
    codes = imeta.indicators
    idx = [idata.columns.index(c) for c in codes]
    values = idata.values[:, idx].copy()
    flags = np.where(np.isnan(values), MISSING, 0).astype(np.uint8)
    return Dataset("Raw", idata.units, codes, values, flags)


def denominate(ds: Dataset, idata: IData, imeta: IMeta, cfg: Denominate) -> Dataset:
    values, flags = ds.values.copy(), ds.flags.copy()
    used = {}
    if cfg.enabled:
        for j, code in enumerate(ds.codes):
            den = imeta[code].denominator
            if den:
                d = idata.column(den)
                with np.errstate(divide="ignore", invalid="ignore"):
                    values[:, j] = np.where(d == 0, np.nan, values[:, j] / d) * cfg.scale
                flags[:, j] |= DENOMINATED
                used[code] = den
    return Dataset("Denominated", ds.units, ds.codes, values, flags, ds.name, {"scale": cfg.scale, "by": used})


def screen(ds: Dataset, cfg: Screen) -> tuple[Dataset, list[dict]]:
    """Units below the availability or non-zero threshold are removed, unless forced in; forced-out always go.
    Both shares count observed values only: screened after imputation, an imputed cell is still a gap."""
    observed = ~np.isnan(ds.values) & ((ds.flags & IMPUTED) == 0)
    avail = observed.mean(axis=1)
    nonzero = ((ds.values != 0) & observed).mean(axis=1)
    keep, removed = [], []
    for i, u in enumerate(ds.units):
        reasons = []
        if u in cfg.force_exclude:
            reasons.append("forced_exclude")
        elif u not in cfg.force_include:
            if avail[i] < cfg.dat_thresh:
                reasons.append("availability")
            if cfg.nonzero_thresh is not None and nonzero[i] < cfg.nonzero_thresh:
                reasons.append("zeros")
        if reasons:
            removed.append(
                {"uCode": u, "availability": float(avail[i]), "nonzero": float(nonzero[i]), "reason": "+".join(reasons)}
            )
        else:
            keep.append(i)
    rows = np.array(keep, dtype=int)
    out = Dataset(
        "Screened",
        tuple(ds.units[i] for i in keep),
        ds.codes,
        ds.values[rows],
        ds.flags[rows],
        ds.name,
        cfg.model_dump(mode="json"),
    )
    return out, removed


def _panel_column(code: str, unit: str, time: float, panel: IData, imeta: IMeta, den: Denominate, method: str) -> float:
    """Carry forward the latest earlier value, or interpolate linearly between the nearest known years."""
    rows = [i for i, u in enumerate(panel.units) if u == unit]
    t = panel.times[rows]
    x = panel.column(code)[rows].copy()
    d = imeta[code].denominator
    if den.enabled and d:
        with np.errstate(divide="ignore", invalid="ignore"):
            x = x / panel.column(d)[rows] * den.scale
    ok = ~np.isnan(x)
    before = ok & (t < time)
    if method == "carry_forward":
        return float(x[before][np.argmax(t[before])]) if before.any() else math.nan
    after = ok & (t > time)
    if before.any() and after.any():
        return float(np.interp(time, t[ok], x[ok]))
    return math.nan  # no extrapolation: only gaps between two known years are filled


def _row_mean(
    values: np.ndarray, miss: np.ndarray, j: int, siblings: list[int], normalise_first: bool, directions: np.ndarray
):
    """The mean of the unit's siblings. With `normalise_first` each sibling is min-max scaled with its direction
    (1 = the best unit on that indicator), the mean is read on this indicator's own scale the same way round: a
    unit best on a sibling of the opposite direction gets this indicator's best value, not its worst."""
    S = values[:, siblings]
    lo, hi = np.nanmin(values[:, [j, *siblings]], axis=0), np.nanmax(values[:, [j, *siblings]], axis=0)
    if normalise_first:
        rng = np.where(hi - lo == 0, 1, hi - lo)
        S = (S - lo[1:]) / rng[1:]
        S = np.where(directions[1:] < 0, 1 - S, S)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        m = np.nanmean(S, axis=1)
    if normalise_first:  # back to this indicator's own scale and direction
        m = lo[0] + (m if directions[0] > 0 else 1 - m) * (hi[0] - lo[0])
    return np.where(miss, m, values[:, j])


def impute(
    ds: Dataset,
    idata: IData,
    cfg: Impute,
    *,
    imeta: IMeta | None = None,
    panel: IData | None = None,
    time: float | None = None,
    den: Denominate | None = None,
) -> Dataset:
    values, flags = ds.values.copy(), ds.flags.copy()
    original = ds.values
    row_of = {u: i for i, u in enumerate(idata.units)}
    for j, code in enumerate(ds.codes):
        method = cfg.overrides.get(code, cfg.method)
        col = values[:, j]
        miss = np.isnan(col)
        if method == "none" or not miss.any():
            continue
        if method in ("carry_forward", "interpolate"):
            if panel is None or panel.times is None:
                raise ValueError(f"impute: 方法 {method} 需要带 Time 列的面板数据")
            for i in np.flatnonzero(miss):
                col[i] = _panel_column(code, ds.units[i], time, panel, imeta, den or Denominate(), method)
        elif method == "row_mean":
            parent = imeta[code].parent
            sib = [ds.codes.index(c) for c in imeta.children(parent) if c != code and c in ds.codes]
            if sib:
                dirs = np.array([imeta[c].direction for c in (code, *(ds.codes[k] for k in sib))], float)
                col[:] = _row_mean(original, miss, j, sib, cfg.normalise_first, dirs)
        elif method in ("mean", "median"):
            if (~miss).any():
                col[miss] = np.mean(col[~miss]) if method == "mean" else np.median(col[~miss])
        else:
            if not cfg.group or cfg.group not in idata.groups:
                raise ValueError(f"impute: 方法 {method} 需要 group（*_group 列），{cfg.group!r} 不存在")
            labels = np.array([idata.groups[cfg.group][row_of[u]] for u in ds.units])
            for g in np.unique(labels[miss]):
                ing = labels == g
                have = ing & ~miss
                if have.any():
                    f = np.mean if method == "group_mean" else np.median
                    col[ing & miss] = f(col[have])
        filled = miss & ~np.isnan(col)
        flags[filled, j] |= IMPUTED
    return Dataset("Imputed", ds.units, ds.codes, values, flags, ds.name, cfg.model_dump(mode="json"))


def passes(x: np.ndarray, t: TreatOne) -> bool:
    s, k = skew_kurt(x)
    if math.isnan(s) or math.isnan(k):
        return True
    return abs(s) < t.skew_thresh or k < t.kurt_thresh


def treat_one(x: np.ndarray, t: TreatOne) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """The JRC rule on one indicator: returns (values, winsorised mask, transformed mask, report row)."""
    s0, k0 = skew_kurt(x)
    report = {
        "skew_before": s0,
        "kurt_before": k0,
        "winsorised": 0,
        "winsorised_units": [],
        "transform": "none",
        "passes": True,
    }
    wins = np.zeros(x.shape, bool)
    trans = np.zeros(x.shape, bool)
    ok = ~np.isnan(x)
    if t.method == "log":  # the method itself, not an outlier fallback: every indicator it is set for is logged
        y = plain_log(x)
        s1, k1 = skew_kurt(y)
        report.update(transform="log", skew_after=s1, kurt_after=k1, passes=passes(y, t))
        return y, wins, ok.copy(), report
    if t.method == "none" or passes(x, t):
        report.update(skew_after=report["skew_before"], kurt_after=report["kurt_before"], passes=passes(x, t))
        return x, wins, trans, report
    y = x.copy()
    while not passes(y, t):
        v = y[ok]
        high = skew(y) > 0
        top = v.max() if high else v.min()
        hit = ok & (y == top)
        rest = v[v < top] if high else v[v > top]
        # winmax counts units (points), never exceeded: tied extremes move together to the next value, so a tie
        # that would take the count past winmax stops the winsorisation.
        if rest.size == 0 or (wins | hit).sum() > t.winmax:
            break
        y[hit] = rest.max() if high else rest.min()
        wins |= hit
    if passes(y, t) or t.fallback == "none":
        report.update(winsorised=int(wins.sum()), winsorised_idx=np.flatnonzero(wins).tolist())
    else:
        # Fall back to a transform of the ORIGINAL values; a negatively skewed indicator is reflected first so
        # that the log compresses its long (low) tail and the ordering of units is kept (not for the plain log,
        # which is ln(x) as published whatever the skew).
        s0 = report["skew_before"] if t.fallback != "log" else 0.0
        v = x if s0 >= 0 else -x
        lo, hi = np.nanmin(v), np.nanmax(v)
        if t.fallback == "log":
            z = plain_log(v)
        elif t.fallback == "log_ct":
            z = np.log(v - lo + 0.01 * (hi - lo))
        elif t.fallback == "log_plus1":
            z = np.log(v - lo + 1)
        else:
            lam, w = t.boxcox_lambda, v - lo + 1
            z = np.log(w) if lam == 0 else (w**lam - 1) / lam
        y = z if s0 >= 0 else -z
        wins[:] = False
        trans = ok.copy()
        report["transform"] = t.fallback
    s1, k1 = skew_kurt(y)
    report.update(skew_after=s1, kurt_after=k1, passes=passes(y, t))
    return y, wins, trans, report


def plain_log(x: np.ndarray) -> np.ndarray:
    """ln(x) without a shift; a value ≤ 0 has no logarithm and is an error, not a silent NaN."""
    if np.any(x[~np.isnan(x)] <= 0):
        raise ValueError("treat: 对数变换（log）要求指标值全部大于 0")
    return np.log(x)


def treat_params(code: str, cfg: Treat) -> TreatOne:
    """The global treatment with the fields written in `treat.overrides.<code>` on top."""
    override = cfg.overrides.get(code)
    if override is None:
        return cfg
    base = {f: getattr(cfg, f) for f in TreatOne.model_fields}
    return TreatOne.model_validate({**base, **override.model_dump(include=override.model_fields_set)})


def treat(ds: Dataset, cfg: Treat) -> tuple[Dataset, list[dict]]:
    values, flags = ds.values.copy(), ds.flags.copy()
    rows = []
    for j, code in enumerate(ds.codes):
        t = treat_params(code, cfg)
        try:
            y, wins, trans, rep = treat_one(values[:, j], t)
        except ValueError as exc:
            raise ValueError(f"{exc}（指标 {code}）") from None
        values[:, j] = y
        flags[wins, j] |= WINSORISED
        flags[trans, j] |= TRANSFORMED
        idx = rep.pop("winsorised_idx", [])
        rep.pop("winsorised_units", None)
        rows.append({"iCode": code, **rep, "winsorised_units": ";".join(ds.units[i] for i in idx)})
    return Dataset("Treated", ds.units, ds.codes, values, flags, ds.name, cfg.model_dump(mode="json")), rows
