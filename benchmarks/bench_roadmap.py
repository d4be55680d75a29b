"""Roadmap figure (issue 5): roadmap() on the shipped CMMM (maturity/library/cmmm-2020.yaml) ≤ 200 ms.

Synthetic answers only: --samples random answer sets for a discrete firm (169 items, ~163 applicable), drawn so
that the current level varies (each set gets its own "typical" grade per level, 10 % of the N/A-allowed items are
N/A). Each roadmap() is timed end to end (scoring the current answers, the exact search, scoring the improved
answers) for the next level, and for the top level (5) with the default efforts and with a random real-valued
effort per item (the hardest case: hardly any two plans cost the same, so the exact fronts are longest). Every
result is checked: score() on the improved answers reaches the target. No database, no Django.

    .venv/bin/python benchmarks/bench_roadmap.py [--samples 50] [--seed 1]
"""

import argparse
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from benchlib import p95  # noqa: E402

from maturity import NA, score  # noqa: E402
from maturity.answers import applies  # noqa: E402
from maturity.library import load  # noqa: E402
from maturity.roadmap import roadmap  # noqa: E402

OUT = HERE / "out"
CONTEXT = {"production_type": "discrete", "industry": "34", "size": "small"}
GRADES = ["none", "partial", "most", "full"]


def random_answers(spec, rng: random.Random) -> dict[str, object]:
    typical = {lv.number: rng.randint(0, 3) for lv in spec.levels}
    out: dict[str, object] = {}
    for r in spec.iter_items():
        if not applies(r, CONTEXT):
            continue
        if r.item.not_applicable_allowed and rng.random() < 0.1:
            out[r.item.code] = NA
            continue
        g = min(3, max(0, typical[r.item.level] + rng.choice([-1, 0, 0, 1])))
        out[r.item.code] = GRADES[g]
    return out


def timed(spec, answers, target, effort=None):
    gc.collect()
    start = time.perf_counter()
    rm = roadmap(spec, answers, CONTEXT, target_level=target, effort=effort)
    ms = (time.perf_counter() - start) * 1000
    if rm.reachable:
        assert rm.reached and score(spec, dict(rm.answers), CONTEXT).level >= rm.target_level
    return ms, rm


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    spec = load("cmmm-2020")
    rng = random.Random(args.seed)
    sets = [random_answers(spec, rng) for _ in range(args.samples)]
    roadmap(spec, sets[0], CONTEXT)  # warm the per-spec memo, as a running server would have it

    nxt, top, real, steps, levels = [], [], [], [], []
    for answers in sets:
        ms, rm = timed(spec, answers, None)
        nxt.append(ms)
        steps.append(len(rm.steps))
        levels.append(rm.current_level)
        if rm.current_level < 5:
            top.append(timed(spec, answers, 5)[0])
            # the worst case for the exact search: a different real-valued effort on every item, so few plans tie
            effort = {r.item.code: rng.uniform(0.5, 3.0) for r in spec.iter_items()}
            real.append(timed(spec, answers, 5, effort)[0])

    def line(what, samples, target="≤ 200 ms"):
        return f"| {what} | {len(samples)} | {statistics.median(samples):.1f} ms | {p95(samples):.1f} ms | {target} |"

    lines = [
        "## Roadmap (shipped CMMM, 169 items, discrete firm)",
        "",
        "| Measure | n | Median | p95 | Target |",
        "|---|---:|---:|---:|---|",
        line("roadmap() to the next level", nxt),
        line("roadmap() to level 5", top),
        line("roadmap() to level 5, random real effort per item", real, "–"),
        "",
        f"Current levels of the answer sets: {dict(sorted((lv, levels.count(lv)) for lv in set(levels)))}; "
        f"steps per next-level plan: median {statistics.median(steps):g}, max {max(steps)}. "
        f"Load average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs.",
    ]
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_roadmap.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
