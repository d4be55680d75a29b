"""Composite-index engine figures (issue 6): full builds and a sensitivity analysis. Synthetic data, no Django.

    .venv/bin/python benchmarks/bench_compositeindex.py [--runs 7] [--sa-n 1000] [--workers 2]

The SA runs twice: with the default start method (fork here, a single-threaded script) and with spawned workers
(what a threaded host such as a web or task server gets).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from compositeindex import build, parse_idata, parse_imeta, table_from_rows  # noqa: E402
from compositeindex.outputs import outputs  # noqa: E402
from compositeindex.sensitivity import Uncertain, noisy_weights, sensitivity, start_method  # noqa: E402


def synthetic(units: int, indicators: int, levels: int, seed: int = 1):
    """A balanced framework: indicators in groups of ~5, then fewer aggregates per level up to one index."""
    rng = np.random.default_rng(seed)
    meta, current = [], [f"i{j}" for j in range(indicators)]
    level = 1
    while level < levels:
        k = 1 if level == levels - 1 else max(1, len(current) // 5)
        parents = [f"L{level + 1}_{p}" for p in range(k)]
        for j, c in enumerate(current):
            direction = 1 if j % 7 else -1
            meta.append(
                {
                    "Level": level,
                    "iCode": c,
                    "iName": c,
                    "Parent": parents[j % k],
                    "Direction": direction,
                    "Weight": 1,
                    "Type": "Indicator" if level == 1 else "Aggregate",
                }
            )
        current, level = parents, level + 1
    meta.append(
        {
            "Level": levels,
            "iCode": current[0],
            "iName": "index",
            "Parent": None,
            "Direction": 1,
            "Weight": 1,
            "Type": "Aggregate",
        }
    )
    X = rng.lognormal(size=(units, indicators))
    X[rng.random(X.shape) < 0.03] = np.nan
    data = [{"uCode": f"u{i}", **{f"i{j}": X[i, j] for j in range(indicators)}} for i in range(units)]
    imeta = parse_imeta(table_from_rows(meta))
    return parse_idata(table_from_rows(data), imeta), imeta


CONFIG = {"impute": {"method": "mean"}, "treat": {"winmax": 5}}


def time_build(units, indicators, levels, runs):
    idata, imeta = synthetic(units, indicators, levels)
    build(idata, imeta, CONFIG)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        build(idata, imeta, CONFIG)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def time_outputs(units, indicators, levels):
    """The files of one build, analysis included (Kendall's tau on every pair is the slow part); not a target."""
    idata, imeta = synthetic(units, indicators, levels)
    coin = build(idata, imeta, CONFIG)
    t = time.perf_counter()
    outputs(coin)
    return time.perf_counter() - t


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--sa-n", type=int, default=1000)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args()
    big = time_build(3000, 60, 4, args.runs)
    print(f"build 3000 units × 60 indicators × 4 levels: median {big * 1000:.0f} ms (target ≤ 1000 ms)")
    small = time_build(50, 50, 3, args.runs * 3)
    print(f"build 50 units × 50 indicators: median {small * 1000:.1f} ms (target ≤ 20 ms)")
    print(f"output files incl. analysis, 3000 × 60 × 4: {time_outputs(3000, 60, 4):.2f} s (no target)")
    idata, imeta = synthetic(50, 50, 3)
    coin = build(idata, imeta, CONFIG)
    sets, noise = noisy_weights(coin, n=100)
    factors = [
        Uncertain("impute", ({"impute.method": "mean"}, {"impute.method": "median"})),
        Uncertain("winmax", tuple({"treat.winmax": w} for w in range(1, 6))),
        Uncertain(
            "normalise", ({"normalise.method": "minmax"}, {"normalise.method": "zscore"}, {"normalise.method": "prank"})
        ),
        noise,
        Uncertain(
            "aggregate",
            ({"aggregate.method": "arithmetic"}, {"aggregate.method": "geometric", "aggregate.nonpositive": "shift"}),
        ),
    ]
    for method in (start_method(), "spawn"):
        t = time.perf_counter()
        res = sensitivity(coin, factors, n=args.sa_n, workers=args.workers, extra=sets, method=method)
        sa = time.perf_counter() - t
        print(
            f"SA 5 factors, N = {args.sa_n} ({res.runs} regenerations) on 50 × 50, {args.workers} workers "
            f"({method}): {sa:.1f} s (target ≤ 60 s)"
        )
    for f, a, b in zip(res.factors, res.s1, res.st, strict=True):
        print(f"  {f:10s} S1 {a:6.3f}  ST {b:6.3f}")
    print(f"  convergence {res.convergence} converged={res.converged}")


if __name__ == "__main__":
    main()
