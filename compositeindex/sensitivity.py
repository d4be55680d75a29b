"""Uncertainty and sensitivity analysis: Sobol quasi-random sampling, Saltelli/Jansen estimators with bootstrap
intervals and a convergence check, rank medians and 5–95 % intervals, exclusion analysis. Runs in worker processes
(forked only from a single-threaded process, spawned otherwise) that each receive the nominal build once and cache
the stages a sampled choice does not affect.

Screening may be one of the uncertain choices: a unit screened out in a run has no rank in that run (the others are
ranked among the units present), and the rank-change statistic of a run uses the units present both in it and in the
nominal build."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .config import parse_config
from .pipeline import STAGES, Coin, build, regenerate


@dataclass(frozen=True)
class Uncertain:
    """One uncertain choice: its alternatives are change dicts for regenerate(), e.g. {"normalise.method": …}."""

    name: str
    alternatives: tuple[dict, ...]

    def pick(self, u: float) -> dict:
        return self.alternatives[min(int(u * len(self.alternatives)), len(self.alternatives) - 1)]


def noisy_weights(
    coin: Coin,
    name: str = "weights",
    noise: float | dict[int, float] = 0.25,
    n: int = 100,
    seed: int = 1,
    levels: tuple[int, ...] | None = None,
) -> tuple:
    """COINr's get_noisy_weights: n weight sets w·(1 + noise·U(−1, 1)); returns (sets change, Uncertain).

    As COINr's noise_specs, the noise can be chosen per level: `noise` a mapping level → factor (levels not in
    it keep their weights), or one factor for the `levels` listed (every level when None). The level of a
    weight is that of the element it weighs (1 = indicators)."""
    rng = np.random.default_rng(seed)
    base = coin.imeta.weights() if coin.config.weights.use in ("original",) else coin.weights
    if isinstance(noise, dict):
        factor = {int(k): float(v) for k, v in noise.items()}
    else:
        factor = {lv: float(noise) for lv in (levels or range(1, coin.imeta.max_level + 1))}
    f = {c: factor.get(coin.imeta[c].level, 0.0) for c in base}
    sets = {}
    for i in range(n):
        u = rng.uniform(-1, 1, len(base))  # drawn for every weight, so a set does not depend on the levels chosen
        sets[f"noise{i}"] = {c: float(w * (1 + f[c] * u[k])) for k, (c, w) in enumerate(base.items())}
    return {"weights.sets": sets}, Uncertain(name, tuple({"weights.use": f"noise{i}"} for i in range(n)))


def saltelli_sample(d: int, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    from scipy.stats import qmc  # here, not at the top: workers import this module and never sample

    with warnings.catch_warnings():  # N = 1,000 is the figure; powers of 2 balance better but are optional
        warnings.simplefilter("ignore", UserWarning)
        s = qmc.Sobol(2 * d, scramble=True, seed=seed).random(n)
    return s[:, :d], s[:, d:]


def sobol_indices(fA: np.ndarray, fB: np.ndarray, fAB: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First order (Saltelli 2010): V_i = mean(f_B (f_ABi − f_A)); total (Jansen 1999): ½ mean((f_A − f_ABi)²);
    both divided by the variance of f over A and B together. fAB is n × d."""
    var = np.var(np.r_[fA, fB])
    if var == 0:
        return np.zeros(fAB.shape[1]), np.zeros(fAB.shape[1])
    s1 = np.mean(fB[:, None] * (fAB - fA[:, None]), axis=0) / var
    st = 0.5 * np.mean((fA[:, None] - fAB) ** 2, axis=0) / var
    return s1, st


def bootstrap(fA, fB, fAB, reps: int = 500, seed: int = 0, level: float = 0.95):
    rng = np.random.default_rng(seed)
    n = fA.size
    S1, ST = [], []
    for _ in range(reps):
        i = rng.integers(0, n, n)
        a, b = sobol_indices(fA[i], fB[i], fAB[i])
        S1.append(a)
        ST.append(b)
    q = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    return np.percentile(S1, q, axis=0), np.percentile(ST, q, axis=0)


_STATE: dict = {}


HEAD = ("time", *STAGES[:5])  # stages up to normalise: cached per worker, keyed by the changes that touch them


def _head_changes(changes: dict) -> dict:
    return {k: v for k, v in changes.items() if k.split(".")[0] in HEAD}


def universe(coin: Coin) -> tuple[str, ...]:
    """Every unit a run could rank: those of the selected time before screening."""
    return coin.data["Raw"].units


def ranks_on(coin: Coin, code: str, units: tuple[str, ...]) -> np.ndarray:
    """`coin`'s ranks on `code` laid out on `units`; NaN for a unit the build does not hold (screened out)."""
    out = np.full(len(units), np.nan)
    pos = {u: i for i, u in enumerate(units)}
    out[[pos[u] for u in coin.scores.units]] = coin.rank_of(code)
    return out


def _evaluate(rows: list[dict]) -> np.ndarray:
    nominal: Coin = _STATE["nominal"]
    cache: dict = _STATE.setdefault("cache", {})
    code, units = _STATE["code"], _STATE["units"]
    out = np.empty((len(rows), len(units)))
    for r, changes in enumerate(rows):
        head_changes = _head_changes(changes)
        key = json.dumps(head_changes, sort_keys=True)
        head = cache.get(key)
        if head is None:
            head = regenerate(nominal, head_changes)
            if len(cache) < 256:
                cache[key] = head
        rest = {k: v for k, v in changes.items() if k.split(".")[0] in STAGES[5:]}
        coin = regenerate(head, rest) if rest else head
        out[r] = ranks_on(coin, code, units)
    return out


def _init(nominal: Coin, code: str):
    _STATE.clear()
    _STATE.update(nominal=nominal, code=code, units=universe(nominal))


def start_method() -> str:
    """`fork` only while this process runs a single Python thread; otherwise `spawn`. Forking a process in which
    another thread may hold a lock (pytest-xdist, a threaded web or task server) can deadlock the child, and
    Python 3.12 warns about it; a spawned worker starts clean, at the cost of importing the engine (about a second)
    and of needing an importable main module (a script guarded by `if __name__ == "__main__"`)."""
    single = threading.active_count() == 1
    return "fork" if single and "fork" in multiprocessing.get_all_start_methods() else "spawn"


def run_all(
    nominal: Coin, rows: list[dict], code: str, workers: int | None = None, method: str | None = None
) -> np.ndarray:
    """Ranks of every run (rows × universe units), in `workers` processes started with `method` (default
    start_method()). The nominal build reaches each worker once, through the pool initializer."""
    workers = workers or len(os.sched_getaffinity(0))
    if workers <= 1 or len(rows) < 50:
        _init(nominal, code)
        return _evaluate(rows)
    chunks = np.array_split(np.arange(len(rows)), workers * 4)
    ctx = multiprocessing.get_context(method or start_method())
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init, initargs=(nominal, code)) as pool:
        parts = list(pool.map(_evaluate, [[rows[i] for i in c] for c in chunks]))
    return np.vstack(parts)


@dataclass
class SAResult:
    units: tuple[str, ...]
    nominal_rank: np.ndarray
    median_rank: np.ndarray
    q05: np.ndarray
    q95: np.ndarray
    factors: tuple[str, ...] = ()
    s1: np.ndarray | None = None
    st: np.ndarray | None = None
    s1_ci: np.ndarray | None = None
    st_ci: np.ndarray | None = None
    converged: bool | None = None
    convergence: dict = field(default_factory=dict)
    runs: int = 0
    presence: np.ndarray | None = None  # share of the runs in which each unit was not screened out


def _rank_summary(R: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Median, 5 % and 95 % rank over the runs where each unit is present, and the share of such runs."""
    present = ~np.isnan(R)
    with warnings.catch_warnings():  # a unit screened out of every run has no rank statistics: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return (
            np.nanmedian(R, axis=0),
            np.nanpercentile(R, 5, axis=0),
            np.nanpercentile(R, 95, axis=0),
            present.mean(axis=0),
        )


def _mean_abs_change(R: np.ndarray, r0: np.ndarray) -> np.ndarray:
    """Per run, the mean absolute rank change over the units present in the run and in the nominal build."""
    D = np.abs(R - r0)
    both = ~np.isnan(D)
    return np.where(both.any(axis=1), np.nansum(D, axis=1) / np.maximum(both.sum(axis=1), 1), 0.0)


def sensitivity(
    coin: Coin,
    uncertain: list[Uncertain],
    n: int = 1000,
    *,
    seed: int = 0,
    code: str | None = None,
    workers: int | None = None,
    extra: dict | None = None,
    bootstrap_reps: int = 500,
    method: str | None = None,
) -> SAResult:
    """n·(d + 2) regenerations. The target is each run's mean absolute rank change from the nominal ranks (COINr)."""
    code = code or coin.imeta.codes_at(coin.imeta.max_level)[0]
    nominal = regenerate(coin, extra) if extra else coin
    d = len(uncertain)
    A, B = saltelli_sample(d, n, seed)
    mats = [A, B] + [np.where(np.arange(d) == i, B, A) for i in range(d)]

    def changes(u):
        out = {}
        for f, ui in zip(uncertain, u, strict=True):
            out.update(f.pick(ui))
        return out

    rows = [changes(u) for M in mats for u in M]
    R = run_all(nominal, rows, code, workers, method)
    units = universe(nominal)
    r0 = ranks_on(nominal, code, units)
    y = _mean_abs_change(R, r0)
    fA, fB = y[:n], y[n : 2 * n]
    fAB = y[2 * n :].reshape(d, n).T
    s1, st = sobol_indices(fA, fB, fAB)
    ci1, cit = bootstrap(fA, fB, fAB, bootstrap_reps, seed)
    half = sobol_indices(fA[: n // 2], fB[: n // 2], fAB[: n // 2])
    change = float(max(np.abs(half[0] - s1).max(), np.abs(half[1] - st).max()))
    width = float(max((ci1[1] - ci1[0]).max(), (cit[1] - cit[0]).max()))
    med, q05, q95, presence = _rank_summary(R[: 2 * n])  # A and B rows: independent samples of the choices
    return SAResult(
        units=units,
        nominal_rank=r0,
        median_rank=med,
        q05=q05,
        q95=q95,
        factors=tuple(f.name for f in uncertain),
        s1=s1,
        st=st,
        s1_ci=ci1,
        st_ci=cit,
        converged=change < 0.05 and width < 0.2,
        convergence={"change_from_half_n": change, "max_ci_width": width},
        runs=len(rows),
        presence=presence,
    )


def uncertainty(
    coin: Coin,
    uncertain: list[Uncertain],
    n: int = 1000,
    *,
    seed: int = 0,
    code: str | None = None,
    workers: int | None = None,
    method: str | None = None,
) -> SAResult:
    """Rank median and 5–95 % interval from n quasi-random draws of the choices (no Sobol indices)."""
    from scipy.stats import qmc

    code = code or coin.imeta.codes_at(coin.imeta.max_level)[0]
    U = qmc.Sobol(len(uncertain), scramble=True, seed=seed).random(n)
    rows = [{k: v for f, ui in zip(uncertain, u, strict=True) for k, v in f.pick(ui).items()} for u in U]
    R = run_all(coin, rows, code, workers, method)
    units = universe(coin)
    med, q05, q95, presence = _rank_summary(R)
    return SAResult(units, ranks_on(coin, code, units), med, q05, q95, runs=n, presence=presence)


def exclusion(coin: Coin, code: str | None = None) -> dict[str, float]:
    """Drop each element below `code` in turn (weight 0) and report the mean absolute rank change of `code`."""
    code = code or coin.imeta.codes_at(coin.imeta.max_level)[0]
    r0 = coin.rank_of(code)
    out = {}
    elements = [e.code for e in coin.imeta.elements if e.type in ("Indicator", "Aggregate") and e.code != code]
    for ind in elements:
        sets = dict(coin.config.weights.sets)
        sets["_excl"] = {**coin.weights, ind: 0.0}
        other = regenerate(coin, {"weights.sets": sets, "weights.use": "_excl"})
        with warnings.catch_warnings():  # an only child dropped leaves its parent empty: NaN, not a warning
            warnings.simplefilter("ignore", RuntimeWarning)
            out[ind] = float(np.nanmean(np.abs(other.rank_of(code) - r0)))
    return out


__all__ = [
    "SAResult",
    "Uncertain",
    "bootstrap",
    "build",
    "exclusion",
    "noisy_weights",
    "parse_config",
    "saltelli_sample",
    "sensitivity",
    "sobol_indices",
    "uncertainty",
]
