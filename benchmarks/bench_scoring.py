"""Scoring engine figures (issue 3): score() for one CMMM-shaped assessment, and score_many on 1,000,000.

Synthetic: a 100-item model shaped like CMMM (4 elements, 20 sub-domains, 5 levels, one graded requirement per
sub-domain and level, the provisional GB/T 39117 reading) and random answers. No database, no Django.
score_many is timed end to end — checking every answer, encoding, folding — on both inputs it takes: an
AnswerMatrix (numbers, one column per item) and a list of answer dicts (as score() takes them).

    .venv/bin/python benchmarks/bench_scoring.py [--rows 1000000] [--dict-rows 1000000] [--runs 3]
"""

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
from itertools import chain
from operator import itemgetter
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread, as tidu/__init__.py sets for the platform

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from maturity import AnswerMatrix, encode, load_yaml, score, score_encoded, score_many  # noqa: E402
from maturity.batch import BLOCK  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def cmmm_shaped_spec():
    lines = (
        ["code: bench-cmmm", "name: 合成基准模型", 'version: "1"', "status: provisional", "note: 合成数据", "levels:"]
        + [f"  - {{number: {n}, name: L{n}}}" for n in range(1, 6)]
        + ["nodes:"]
    )
    for e in range(4):
        lines += [f"  - code: E{e}", f"    name: 要素{e}", "    children:"]
        for d in range(5):
            sub = f"E{e}D{d}"
            lines += [f"      - code: {sub}", f"        name: 子域{sub}", "        items:"]
            lines += [
                f"          - {{code: {sub}L{lv}, name: 要求{lv}, kind: graded, level: {lv}}}" for lv in range(1, 6)
            ]
    lines += ["rule:", "  type: cmmm_cumulative"]
    return load_yaml("\n".join(lines) + "\n")


def random_answers(spec, rng, n):
    items = [r.item for r in spec.iter_items()]
    codes = [[o.code for o in it.options] for it in items]
    picks = rng.integers(0, 4, size=(n, len(items)))
    return [{it.code: codes[j][picks[i, j]] for j, it in enumerate(items)} for i in range(n)]


def random_matrix(spec, rng, n):
    """Satisfaction points (1 / 0.8 / 0.5 / 0) per graded item, as an AnswerMatrix holds them."""
    codes = tuple(r.item.code for r in spec.iter_items())
    return AnswerMatrix(codes, rng.choice(np.array([0.0, 0.5, 0.8, 1.0]), size=(n, len(codes))))


def timed(fn, runs):
    """Median wall seconds, every run's (wall, CPU) seconds, and the last result. CPU time is shown because the
    machine may be shared: it is what the work itself costs when wall time is inflated by other processes."""
    times = []
    for _ in range(runs):
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return statistics.median(t for t, _ in times), times, result


def check_equal(spec, answers_of, batch, rows):
    """A sample of rows against score(): the benchmark must time the right thing."""
    for i in rows:
        r = score(spec, answers_of(i))
        assert batch.levels[i] == r.level and abs(batch.scores[i] - r.score) <= 1e-9, i


def bench_matrix(spec, rng, n, runs):
    matrix = random_matrix(spec, rng, n)
    matrix_s, matrix_runs, batch = timed(lambda: score_many(spec, matrix), runs)
    check_equal(spec, lambda i: matrix.answers(spec, i), batch, range(0, n, max(1, n // 200)))
    values, raw = encode(spec, matrix)
    encoded_s, encoded_runs, _ = timed(lambda: score_encoded(spec, values, raw), runs)
    return matrix_s, matrix_runs, encoded_s, encoded_runs


def read_loop(dicts, codes):
    """Reading every cell out of the dicts and nothing else, a block at a time as score_many does (a list of 100
    million cells would not fit): a Python loop, `row[code]` per cell."""
    for start in range(0, len(dicts), BLOCK):
        [row[c] for row in dicts[start : start + BLOCK] for c in codes]


def read_rows(dicts, codes):
    """The same cells read into one list per row, `[[row.get(k) for k in keys] for row in rows]`: what a program
    that takes the answers out of the dicts to work on them builds (a Python loop with `.get`, one list per row)."""
    for start in range(0, len(dicts), BLOCK):
        [[row.get(k) for k in codes] for row in dicts[start : start + BLOCK]]


def read_itemgetter(dicts, codes):
    """The same reading in C: one itemgetter of every code per row, flattened (the fastest plain read we know)."""
    get = itemgetter(*codes)
    for start in range(0, len(dicts), BLOCK):
        list(chain.from_iterable(map(get, dicts[start : start + BLOCK])))


def bench_dicts(spec, rng, n, runs):
    """score_many on answer dicts, each run beside three plain reads of the same cells of the same dicts
    (interleaved, so that a change in the machine's load hits all four alike)."""
    start = time.perf_counter()
    dicts = random_answers(spec, rng, n)
    build_s = time.perf_counter() - start
    codes = [r.item.code for r in spec.iter_items()]
    dict_runs, rows_runs, loop_runs, getter_runs = [], [], [], []
    for _ in range(runs):
        dict_s, one, batch = timed(lambda: score_many(spec, dicts), 1)
        dict_runs += one
        rows_runs += timed(lambda: read_rows(dicts, codes), 1)[1]
        loop_runs += timed(lambda: read_loop(dicts, codes), 1)[1]
        getter_runs += timed(lambda: read_itemgetter(dicts, codes), 1)[1]
    check_equal(spec, lambda i: dicts[i], batch, range(0, n, max(1, n // 200)))
    return dict_runs, (rows_runs, loop_runs, getter_runs), build_s


def _median(runs, k=0):
    """Median wall (k=0) or CPU (k=1) seconds of a list of (wall, CPU) runs."""
    return statistics.median(r[k] for r in runs)


def shipped_cmmm_single_ms(rng) -> float:
    """score() on the model Tidu ships (maturity/library/cmmm-2020.yaml) with random synthetic answers."""
    from maturity.answers import applies
    from maturity.library import load

    spec = load("cmmm-2020")
    context = {"production_type": "discrete", "industry": "34", "size": "small"}
    items = [r.item for r in spec.iter_items() if applies(r, context)]
    times = []
    for _ in range(200):
        answers = {it.code: it.options[int(rng.integers(0, len(it.options)))].code for it in items}
        start = time.perf_counter()
        score(spec, answers, context)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000, help="assessments in the AnswerMatrix runs")
    parser.add_argument("--dict-rows", type=int, default=1_000_000, help="assessments in the list-of-dicts runs")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    spec = cmmm_shaped_spec()
    rng = np.random.default_rng(1)

    one = random_answers(spec, rng, 200)
    times = []
    for answers in one:
        start = time.perf_counter()
        score(spec, answers)
        times.append(time.perf_counter() - start)
    single_ms = statistics.median(times) * 1000
    shipped_ms = shipped_cmmm_single_ms(rng)

    matrix_s, matrix_runs, encoded_s, encoded_runs = bench_matrix(spec, rng, args.rows, args.runs)
    dict_runs, reads, build_s = bench_dicts(spec, rng, args.dict_rows, args.runs)
    rows_runs, loop_runs, getter_runs = reads
    dict_s = statistics.median(t for t, _ in dict_runs)
    dict_cpu = statistics.median(c for _, c in dict_runs)
    read_names = (
        "reading every cell into a list per row, `[[row.get(k) for k in keys] for row in rows]`",
        "reading every cell, Python loop `row[code]` (no list kept)",
        "reading every cell, itemgetter (C), flattened",
    )

    def row(what, n, median, runs, target):
        each = median / n * 1e6
        spread = " / ".join(f"{t:.2f}" for t, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        wall = f"{median:.2f} s ({each:.2f} µs each; runs {spread})"
        return f"| {what}, {n:,} assessments | {wall} | {cpu:.2f} s | {target} |"

    lines = [
        "## Scoring engine (synthetic 100-item CMMM-shaped model)",
        "",
        f"Medians of {args.runs} runs; every run checks and encodes every answer, then folds the tree.",
        "",
        "| Measure | Median wall time | Median CPU time | Target |",
        "|---|---:|---:|---|",
        f"| score(), one assessment (200 samples) | {single_ms:.2f} ms | – | ≤ 2 ms |",
        f"| score(), one assessment of the shipped CMMM (169 items, discrete; 200 samples) | {shipped_ms:.2f} ms | – "
        "| ≤ 2 ms |",
        row("score_many(AnswerMatrix)", args.rows, matrix_s, matrix_runs, "≤ 20 s for 1,000,000"),
        row("score_many(list of answer dicts)", args.dict_rows, dict_s, dict_runs, "≤ 1.2 × reading the cells"),
        *(
            row(f"baseline: {name}", args.dict_rows, _median(r), r, "–")
            for name, r in zip(read_names, reads, strict=True)
        ),
        f"| baseline: score() per row, {args.dict_rows:,} assessments (from the 200 samples) | "
        f"{single_ms * args.dict_rows / 1000:.0f} s | – | – |",
        row("score_encoded (already checked and encoded)", args.rows, encoded_s, encoded_runs, "–"),
        "",
        "score_many on dicts ÷ reading the same cells (wall medians; CPU medians in brackets): "
        + "; ".join(
            f"{dict_s / _median(r):.2f}× ({dict_cpu / _median(r, 1):.2f}×) {label}"
            for label, r in zip(("the list per row", "the Python loop", "itemgetter"), reads, strict=True)
        )
        + ". Each run of the four is interleaved with the others.",
        "",
        f"Building the {args.dict_rows:,} answer dicts (not timed above) took {build_s:.0f} s. "
        f"Load average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs. "
        f"`uptime`: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}",
    ]
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_scoring.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
