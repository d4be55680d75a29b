"""Composite-index engine figures (issues 6 and 18): full builds, regenerations, the command line and a sensitivity
analysis. Synthetic data, no Django.

    .venv/bin/python benchmarks/bench_compositeindex.py [--runs 7] [--sa-n 1000] [--workers 2]
        [--baseline-rev REV] [--skip-sa]

Every timing is printed beside its baseline measured in the same run, with `uptime` before and after (this machine
is shared: load inflates wall time):
- a regeneration beside a full build of the previous configuration (what it saves), and with --baseline-rev beside
  the same regeneration by the engine of another revision (extracted with `git archive` into a temporary directory,
  timed in a subprocess on the same synthetic data);
- `tidu index build --help` and a 50 × 50 `tidu index build` end to end (subprocesses) beside a bare interpreter
  start, and the same build in-process without imports. Bytecode: the runs use the environment as it is (with
  PYTHONDONTWRITEBYTECODE set and no __pycache__ in the venv every import compiles its sources); a second row uses
  a private PYTHONPYCACHEPREFIX, warmed first, which is what an installed package (with .pyc files) costs.

The SA runs twice: with the default start method (fork here, a single-threaded script) and with spawned workers
(what a threaded host such as a web or task server gets).
"""

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread, as tidu/__init__.py sets for the platform

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from compositeindex import build, parse_idata, parse_imeta, regenerate, table_from_rows  # noqa: E402
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


# The changes timed as regenerations: a normalisation change, an aggregation change, weights only.
REGENERATIONS = (
    ("normalisation (minmax → zscore)", {"normalise.method": "zscore"}),
    ("aggregation (→ geometric, shift)", {"aggregate.method": "geometric", "aggregate.nonpositive": "shift"}),
    ("weights only (→ equal)", {"weights.use": "equal"}),
)
REGEN_SCRIPT = """
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from compositeindex import build, parse_idata, parse_imeta, regenerate, table_from_rows
{synthetic}
CONFIG, REGENERATIONS = {config!r}, {regenerations!r}
idata, imeta = synthetic(50, 50, 3)
coin = build(idata, imeta, CONFIG)
out = {{"full build (the previous configuration)": 0.0}}
ts = []
for _ in range(int(sys.argv[2]) // 10):
    t = time.perf_counter(); build(idata, imeta, CONFIG); ts.append(time.perf_counter() - t)
out["full build (the previous configuration)"] = statistics.median(ts)
for name, change in REGENERATIONS:
    regenerate(coin, change)
    ts = []
    for _ in range(int(sys.argv[2])):
        t = time.perf_counter(); regenerate(coin, change); ts.append(time.perf_counter() - t)
    out[name] = statistics.median(ts)
print(json.dumps(out))
"""


def median_time(fn, n):
    fn()
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def time_regenerations(runs: int) -> dict:
    idata, imeta = synthetic(50, 50, 3)
    coin = build(idata, imeta, CONFIG)
    out = {"full build (the previous configuration)": median_time(lambda: build(idata, imeta, CONFIG), runs // 10)}
    for name, change in REGENERATIONS:
        out[name] = median_time(lambda change=change: regenerate(coin, change), runs)
    return out


def baseline_regenerations(rev: str, runs: int) -> dict:
    """The same regenerations with the engine of `rev` (its compositeindex/ only), in a subprocess."""
    import json

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(root), "archive", rev, "compositeindex"], capture_output=True)
        archive.check_returncode()
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        import inspect

        script = REGEN_SCRIPT.format(
            synthetic=inspect.getsource(synthetic), config=CONFIG, regenerations=REGENERATIONS
        )  # self-contained: this module's own imports would load the current engine instead of rev's
        res = subprocess.run(
            [sys.executable, "-c", script, tmp, str(runs)],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(res.stdout)


def write_inputs(folder: Path) -> tuple[Path, Path, Path]:
    idata, imeta = synthetic(50, 50, 3)
    data, meta, config = folder / "iData.csv", folder / "iMeta.csv", folder / "pipeline.yaml"
    with data.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["uCode", *idata.columns])
        for i, u in enumerate(idata.units):
            w.writerow([u, *("" if v != v else repr(float(v)) for v in idata.values[i])])
    with meta.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Level", "iCode", "iName", "Parent", "Direction", "Weight", "Type"])
        for e in imeta.elements:
            w.writerow([e.level, e.code, e.code, e.parent or "", e.direction, e.weight, e.type])
    config.write_text("impute: {method: mean}\ntreat: {winmax: 5}\n", encoding="utf-8")
    return data, meta, config


def time_command(argv: list[str], runs: int, env: dict | None = None) -> float:
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def time_cli(runs: int) -> list[tuple[str, float, float | None]]:
    """(what, median seconds, target) for the command line, in subprocesses."""
    cli = [sys.executable, "-m", "tidu.cli", "index"]
    root = str(Path(__file__).resolve().parent.parent)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data, meta, config = write_inputs(Path(tmp))
        build_argv = [*cli, "build", "--data", str(data), "--meta", str(meta), "--config", str(config)]
        build_argv += ["--out", str(Path(tmp) / "out")]
        warm = {**os.environ, "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pyc"), "PYTHONDONTWRITEBYTECODE": ""}
        for label, env in (("as the environment is", None), ("with cached bytecode", warm)):
            if env is not None:
                subprocess.run(build_argv, check=True, capture_output=True, env=env, cwd=root)  # warm the cache
            kw = {"env": {**(env or os.environ), "PYTHONPATH": root}}
            rows.append((f"python -c pass ({label})", time_command([sys.executable, "-c", "pass"], runs, **kw), None))
            floor = [sys.executable, "-c", "import numpy, pydantic, yaml"]  # what any build must import
            rows.append((f"import numpy, pydantic, yaml ({label})", time_command(floor, runs, **kw), None))
            rows.append((f"tidu index build --help ({label})", time_command([*cli, "build", "--help"], runs, **kw), 1))
            rows.append((f"tidu index build 50 × 50, files written ({label})", time_command(build_argv, runs, **kw), 2))
    idata, imeta = synthetic(50, 50, 3)
    inproc = median_time(lambda: outputs(build(idata, imeta, CONFIG)), runs)
    rows.append(("the same build and files in-process, imports done (baseline)", inproc, None))
    return rows


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--sa-n", type=int, default=1000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--baseline-rev", help="time the same regenerations with the engine of this git revision")
    p.add_argument("--skip-sa", action="store_true")
    args = p.parse_args()
    print(f"uptime: {uptime()}")
    big = time_build(3000, 60, 4, args.runs)
    print(f"build 3000 units × 60 indicators × 4 levels: median {big * 1000:.0f} ms (target ≤ 1000 ms)")
    small = time_build(50, 50, 3, args.runs * 3)
    print(f"build 50 units × 50 indicators: median {small * 1000:.1f} ms (target ≤ 20 ms)")
    print(f"output files incl. analysis, 3000 × 60 × 4: {time_outputs(3000, 60, 4):.2f} s (no target)")
    print("regenerate() on 50 × 50, median of", args.runs * 30, "runs:")
    ours = time_regenerations(args.runs * 30)
    old = baseline_regenerations(args.baseline_rev, args.runs * 30) if args.baseline_rev else {}
    targets = {"normalisation": 2, "aggregation": 2, "weights": 1}
    for name, t in ours.items():
        target = next((f" (target ≤ {v} ms)" for k, v in targets.items() if name.startswith(k)), "")
        before = f"   {args.baseline_rev}: {old[name] * 1000:.2f} ms" if name in old else ""
        print(f"  {name:45s} {t * 1000:7.2f} ms{target}{before}")
    print("command line (subprocesses, median of", args.runs, "runs):")
    for name, t, target in time_cli(args.runs):
        print(f"  {name:75s} {t:6.2f} s" + (f" (target ≤ {target} s)" if target else ""))
    print(f"uptime: {uptime()}")
    if args.skip_sa:
        return
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
    print(f"uptime: {uptime()}")


if __name__ == "__main__":
    main()
