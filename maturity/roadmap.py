"""`roadmap(spec, answers, context)`: the cheapest set of item improvements that reaches a target level or score.

A *step* raises one applicable, non-N/A item to a higher rung of its ladder (the answer values the item kind allows,
ordered by points). Items that are N/A, excluded by context, evidence-only, or whose rise cannot change the score
(zero weight) are never in a plan. Unanswered items count 0, as in `score`, and may be answered.

Ladders by kind (the rung number r = 1, 2, … counts distinct point values above the lowest):
    graded / single_choice   options by points (ties: the first in spec order); numeric_bands: bands by points, with
    a representative number inside the band (its closed end, else its midpoint); scene: grades min..max;
    multi_select: the current choice plus the k best further options (k = 1, 2, …; an exclusive option such as
    "无" is dropped), which is optimal because every added option costs the same; prerequisite: no → yes.

Effort (the schema has no effort field and forbids extra keys, so none is read from the spec): by default rung r
costs r units, so none → partial → most → full costs 1, 2 and 3 (none → full = 6): higher rungs cost more. A
multi_select costs 1 per option added, a prerequisite 1. `effort` maps an item or node code (the nearest one
above an item wins) to either a number x — every rung cost is multiplied by x — or a sequence giving the cost of
each rung (each added option for multi_select) explicitly. Costs must be finite and ≥ 0.

Exactness. The answers fix which items count (N/A and context never change), so every level score (cmmm_cumulative)
and the total (other rules) is linear in the items' normalised scores. For cmmm_cumulative the level reached is
banded on the sum of level scores up to the first failed level, so for each j = 0..L ("levels 1..j pass") the plan
must pass levels 1..j and lift the sum over levels 1..j+1 to the target band (a failing level j+1 still counts;
passing more only adds). Each level is a multiple-choice knapsack: its exact Pareto front (effort, gain) is built
by dynamic programming over items with dominance pruning (no rounding of gains or efforts), the fronts of levels
1..j+1 are combined the same way under the per-level thresholds, and the cheapest j wins. Other rules are one
knapsack over the total (with the scene count as a second coordinate for score_and_scene_counts). Failed
prerequisites that cap the level below the target are forced steps. Ties go to the larger gain, then to the
lower j, so the output is deterministic. The improved answers are then scored with `score()` itself, and
`reached` is what score() says, never the model above.

Phases, by a step's effort: quick wins ≤ 1 unit (one first rung), 6–12 months ≤ 3 units, beyond > 3
(`phase_limits` changes the two bounds). An unreachable target is a result (`reachable=False` with `reason`),
not an exception.

Limits: the search reads "level ≥ T" as "total ≥ the lowest band at level ≥ T", i.e. it assumes score bands without
gaps (every shipped model's bands are contiguous); for a file with gaps, `reached` still tells the truth.
Efforts are summed in floating point, so with fractional efforts two plans within 1e-9 of each other count as tied.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np

from maturity.answers import Evaluated, evaluate, points_for
from maturity.base import EPS
from maturity.results import Result
from maturity.scoring import items_by_level, leaves_with_weights, score, weighted_tree
from maturity.spec import Item, ModelSpec

PHASES = ("quick_wins", "6_12_months", "beyond")
PHASE_LIMITS = (1.0, 3.0)


@dataclass(frozen=True)
class Step:
    """Raise item `code` from `from_value` to `to_value` (answers as `score` takes them; None = unanswered).

    `gain` is how much the step alone raises `gain_on` (a cmmm level score, 0..1, or the total score)."""

    code: str
    name: str
    kind: str
    level: int | None
    from_value: object
    to_value: object
    from_points: float
    to_points: float
    effort: float
    gain: float
    gain_on: str
    phase: str


@dataclass(frozen=True)
class Roadmap:
    model_code: str
    rule: str
    current_level: int | None
    current_score: float
    target_level: int | None
    target_score: float | None
    reachable: bool
    reason: str
    total_effort: float
    steps: tuple[Step, ...]
    phases: Mapping[str, tuple[Step, ...]]
    answers: Mapping[str, object]  # the improved answers (the current ones when unreachable)
    result: Result  # score() on `answers`
    reached: bool  # what score() says about `answers` against the target
    pattern: str = ""  # cmmm: which levels the plan passes


# --- ladders ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rung:
    value: object
    points: float
    cost: float


def _band_value(band) -> float:
    if band.lo is not None and band.lo_closed:
        return band.lo
    if band.hi is not None and band.hi_closed:
        return band.hi
    if band.lo is not None and band.hi is not None:
        return (band.lo + band.hi) / 2
    return band.hi - 1 if band.lo is None else band.lo + 1


def _ranked(values: list[tuple[object, float]]) -> list[tuple[object, float]]:
    """(value, points) with distinct points, ascending; the first value in spec order represents a point value."""
    seen: dict[float, object] = {}
    for v, p in values:
        seen.setdefault(p, v)
    return sorted(((v, p) for p, v in seen.items()), key=lambda t: t[1])


def _rung_costs(n: int, effort: object, code: str, flat: bool = False) -> list[float]:
    """Cost of each rung: r units for rung r (1 each when `flat`), × a number, or an explicit sequence."""
    shape = [1.0] * n if flat else [float(r) for r in range(1, n + 1)]
    if effort is None:
        costs = shape
    elif isinstance(effort, int | float) and not isinstance(effort, bool):
        costs = [float(effort) * r for r in shape]
    elif isinstance(effort, Sequence) and not isinstance(effort, str):
        if len(effort) < n:
            raise ValueError(f"effort for {code}: {n} rung costs needed, {len(effort)} given")
        costs = [float(c) for c in effort[:n]]
    else:
        raise ValueError(f"effort for {code}: a number or a sequence of numbers, not {effort!r}")
    if any(not math.isfinite(c) or c < 0 for c in costs):
        raise ValueError(f"effort for {code}: costs must be finite and ≥ 0")
    return costs


def _ladder(item: Item, e: Evaluated, value: object, effort: object) -> list[_Rung]:
    """Rungs strictly above the current answer, each with its cumulative effort from the current answer."""
    cur = 0.0 if e.points is None else e.points
    if item.kind in ("graded", "single_choice", "numeric_bands", "scene", "prerequisite"):
        if item.kind in ("graded", "single_choice"):
            ranked = _ranked([(o.code, o.points) for o in item.options])
        elif item.kind == "numeric_bands":
            ranked = _ranked([(_band_value(b), b.points) for b in item.bands])
        elif item.kind == "scene":
            ranked = [(g, float(g)) for g in range(item.min_grade, item.max_grade + 1)]
        else:
            ranked = [(False, 0.0), (True, 1.0)]
        if e.points is None and ranked[0][1] > 0:
            ranked = [(None, 0.0), *ranked]  # unanswered counts 0: even the lowest option is a rise
        costs = _rung_costs(len(ranked) - 1, effort, item.code)
        at = 0 if e.points is None else max(r for r, (_, p) in enumerate(ranked) if p <= cur + EPS)
        out, acc = [], 0.0
        for r in range(at + 1, len(ranked)):
            acc += costs[r - 1]
            out.append(_Rung(ranked[r][0], ranked[r][1], acc))
        return out
    if item.kind == "multi_select":
        chosen = [] if value is None else [c for c in value if not _is_exclusive(item, c)]
        spare = sorted(
            (o for o in item.options if o.code not in chosen and not o.exclusive), key=lambda o: -o.points
        )  # stable: ties keep spec order
        costs = _rung_costs(len(spare), effort, item.code, flat=True)
        out, acc, best = [], 0.0, cur
        picked = list(chosen)
        for k, o in enumerate(spare):
            picked.append(o.code)
            acc += costs[k]
            pts = points_for(item, [c for c in (x.code for x in item.options) if c in picked])
            if pts > best + EPS:
                out.append(_Rung([c for c in (x.code for x in item.options) if c in picked], pts, acc))
                best = pts
        return out
    return []


def _is_exclusive(item: Item, code: str) -> bool:
    return any(o.code == code and o.exclusive for o in item.options)


# --- exact Pareto fronts ------------------------------------------------------------------------------------------


class _Front:
    """Pareto front (effort ascending, gain strictly rising) of choosing ≤ 1 option per group, with back-pointers.

    A group is a list of (cost, gain, dkey) options; option 0 (cost 0, gain 0) = leave the group as it is. `key`
    is a capped counter (scene counts) and the front is Pareto per key."""

    def __init__(self, groups: list[list[tuple[float, float, int]]], key_cap: int = 0, gain_cap: float | None = None):
        cost, gain, key = np.zeros(1), np.zeros(1), np.zeros(1, dtype=np.int64)
        self.stages: list[tuple[np.ndarray, np.ndarray]] = []
        for opts in groups:
            oc = np.array([0.0] + [o[0] for o in opts])
            og = np.array([0.0] + [o[1] for o in opts])
            ok = np.array([0] + [o[2] for o in opts], dtype=np.int64)
            n, m = len(cost), len(oc)
            c = (cost[:, None] + oc[None, :]).ravel()
            g = (gain[:, None] + og[None, :]).ravel()
            if gain_cap is not None:
                g = np.minimum(g, gain_cap)
            k = np.minimum(key[:, None] + ok[None, :], key_cap).ravel()
            parent, opt = np.repeat(np.arange(n), m), np.tile(np.arange(m), n)
            order = np.lexsort((opt, parent, -g, c, k))
            c, g, k, parent, opt = c[order], g[order], k[order], parent[order], opt[order]
            keep = np.zeros(len(c), dtype=bool)
            starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
            for s, t in zip(starts, np.r_[starts[1:], len(c)], strict=True):
                gg = g[s:t]
                run = np.maximum.accumulate(gg)
                keep[s:t] = np.r_[True, gg[1:] > run[:-1]]
            cost, gain, key = c[keep], g[keep], k[keep]
            self.stages.append((parent[keep], opt[keep]))
        self.cost, self.gain, self.key = cost, gain, key

    def choices(self, index: int) -> list[int]:
        """Option per group (0 = unchanged) of front point `index`."""
        out = []
        for parent, opt in reversed(self.stages):
            out.append(int(opt[index]))
            index = int(parent[index])
        return out[::-1]


def _best(front: _Front, need: float, key_need: int = 0) -> int | None:
    ok = np.flatnonzero((front.gain >= need - EPS) & (front.key >= key_need))
    if not ok.size:
        return None
    # cheapest, then the largest gain (the front has one point per cost and key, gains rising with cost)
    return int(ok[np.lexsort((-front.gain[ok], front.cost[ok]))[0]])


# --- the roadmap ------------------------------------------------------------------------------------------------


@dataclass
class _Cand:
    e: Evaluated
    value: object
    rungs: list[_Rung]
    coef: float = 0.0
    group: int = 0  # cmmm: the item's level


def _effort_for(spec: ModelSpec, effort: Mapping[str, object] | None) -> dict[str, object]:
    if not effort:
        return {}
    codes = {r.item.code for r in spec.iter_items()}
    nodes = {n.code for r in spec.iter_items() for n in r.path}
    if unknown := sorted(set(effort) - codes - nodes):
        raise ValueError(f"effort names unknown codes: {unknown}")
    out = {}
    for r in spec.iter_items():
        for code in [r.item.code, *(n.code for n in reversed(r.path))]:
            if code in effort:
                out[r.item.code] = effort[code]
                break
    return out


def roadmap(
    spec: ModelSpec,
    answers: Mapping[str, object],
    context: dict | None = None,
    *,
    target_level: int | None = None,
    effort: Mapping[str, object] | None = None,
    target_score: float | None = None,
    phase_limits: tuple[float, float] = PHASE_LIMITS,
) -> Roadmap:
    """The least-effort set of steps after which `score()` reaches `target_level` (default: current level + 1)
    and/or a total score ≥ `target_score` (needed for weighted_sum, which has no levels). Answers are checked as
    `score` checks them (a ScoringError for bad answers); an unreachable target is a result, not an error."""
    answers = dict(answers)
    current = score(spec, answers, context)
    rule = spec.rule
    if rule.type == "weighted_sum" and target_level is not None:
        raise ValueError("weighted_sum has no levels: give target_score")
    if target_level is None and target_score is None:
        if rule.type == "weighted_sum":
            raise ValueError("weighted_sum has no levels: give target_score")
        target_level = (current.level or 0) + 1
    evals = evaluate(spec, answers, context)
    efforts = _effort_for(spec, effort)

    def done(plan: dict[str, _Rung], cands: dict[str, _Cand], reason: str = "", pattern: str = "") -> Roadmap:
        new = dict(answers)
        for code, rung in plan.items():
            new[code] = rung.value
        result = score(spec, new, context) if plan else current
        reached = _meets(result, target_level, target_score)
        steps = []
        for code in sorted(plan, key=lambda c: (plan[c].cost, -_gain(cands[c], plan[c]), c)):
            c, rung = cands[code], plan[code]
            item = c.e.ref.item
            if item.kind == "prerequisite":
                gain_on = "prerequisite"
            elif item.kind == "scene" and rule.type == "score_and_scene_counts" and not rule.scenes_in_score:
                gain_on = "scene count"
            else:
                gain_on = f"level {item.level} score" if rule.type == "cmmm_cumulative" else "score"
            steps.append(
                Step(
                    code,
                    item.name,
                    item.kind,
                    item.level,
                    c.value,
                    rung.value,
                    c.e.points or 0.0,
                    rung.points,
                    rung.cost,
                    _gain(c, rung),
                    gain_on,
                    _phase(rung.cost, phase_limits),
                )
            )
        phases = {p: tuple(s for s in steps if s.phase == p) for p in PHASES}
        ok = not reason
        return Roadmap(
            spec.code,
            rule.type,
            current.level,
            current.score,
            target_level,
            target_score,
            ok,
            reason,
            math.fsum(s.effort for s in steps) if ok else 0.0,
            tuple(steps) if ok else (),
            MappingProxyType(phases if ok else {p: () for p in PHASES}),
            MappingProxyType(new if ok else answers),
            result if ok else current,
            reached if ok else _meets(current, target_level, target_score),
            pattern,
        )

    if _meets(current, target_level, target_score):
        return done({}, {})
    if target_level is not None and spec.levels and target_level > spec.levels[-1].number:
        return done({}, {}, f"目标等级 {target_level} 超出模型最高等级 {spec.levels[-1].number}")

    cands: dict[str, _Cand] = {}
    forced: dict[str, _Rung] = {}
    for e in evals:
        item = e.ref.item
        if e.state not in ("answered", "missing"):
            continue  # N/A or excluded by context: never part of a plan
        value = answers.get(item.code)
        rungs = _ladder(item, e, value, efforts.get(item.code))
        if not rungs:
            continue
        cands[item.code] = _Cand(e, value, rungs)
        if item.kind == "prerequisite" and target_level is not None and (item.level or 1) - 1 < target_level:
            forced[item.code] = rungs[-1]
    cands = {c: v for c, v in cands.items() if v.e.ref.item.kind != "prerequisite" or c in forced}

    if rule.type == "cmmm_cumulative":
        plan, reason, pattern = _plan_cmmm(spec, evals, cands, target_level, target_score)
    else:
        plan, reason = _plan_total(spec, evals, cands, target_level, target_score)
        pattern = ""
    if plan is None:
        return done({}, cands, reason)
    plan.update(forced)
    return done(plan, cands, "", pattern)


def _gain(c: _Cand, rung: _Rung) -> float:
    if c.e.ref.item.kind == "prerequisite":
        return 0.0
    return c.coef * (rung.points - (c.e.points or 0.0)) / c.e.max_points


def _phase(cost: float, limits: tuple[float, float]) -> str:
    if cost <= limits[0] + EPS:
        return PHASES[0]
    return PHASES[1] if cost <= limits[1] + EPS else PHASES[2]


def _meets(result: Result, level: int | None, total: float | None) -> bool:
    if level is not None and (result.level is None or result.level < level):
        return False
    return total is None or result.score >= total - EPS


def _band_min(bands, level: int | None) -> float | None:
    """The least total whose band is at `level` or above (bands rise with levels); None if no band is."""
    if level is None:
        return -math.inf
    b = next((b for b in bands if b.level >= level), None)
    return None if b is None else b.min


def _options(c: _Cand) -> list[tuple[float, float, int]]:
    cur = c.e.points or 0.0
    return [(r.cost, c.coef * (r.points - cur) / c.e.max_points, 0) for r in c.rungs]


def _plan_cmmm(spec, evals, cands, target_level, target_score):
    rule = spec.rule
    need_total = _band_min(rule.bands, target_level)
    if need_total is None:
        return None, f"没有等级 ≥ {target_level} 的分数段", ""
    if target_score is not None:
        need_total = max(need_total, target_score)
    values = {e.ref.item.code: e.normalised for e in evals}
    leaves = leaves_with_weights(spec.nodes)
    numbers = [lv.number for lv in spec.levels]
    cur: dict[int, float | None] = {}
    groups: dict[int, list[_Cand]] = {}
    for n in numbers:
        subs = []
        for _node, pw, items in items_by_level(leaves, n):
            counting = [(c, w) for c, w in items if values.get(c) is not None]
            den = math.fsum(w for _, w in counting)
            if den > 0:
                subs.append((pw, counting, den, math.fsum(w * values[c] for c, w in counting) / den))
        sden = math.fsum(pw for pw, _, _, _ in subs)
        if sden <= 0:
            cur[n], groups[n] = None, []
            continue
        cur[n] = math.fsum(pw * s for pw, _, _, s in subs) / sden
        groups[n] = []
        for pw, counting, den, _ in subs:
            for code, w in counting:
                if code in cands and w > 0 and pw > 0:
                    cands[code].coef, cands[code].group = pw / sden * w / den, n
                    groups[n].append(cands[code])
        groups[n].sort(key=lambda c: c.e.ref.item.code)
    # A level's gain beyond max(target total, its threshold) − its score is of no use (the other levels add ≥ 0):
    # capping it there keeps the fronts small without losing an optimum (a capped point costs the same).
    fronts = {
        n: _Front(
            [_options(c) for c in groups[n]],
            gain_cap=None if cur[n] is None else max(need_total, rule.threshold(n)) - cur[n] + 1e-6,
        )
        for n in numbers
    }
    best: tuple | None = None
    for j in range(len(numbers) + 1):
        passed, counted = numbers[:j], numbers[: j + 1]
        if any(cur[n] is None for n in passed):
            continue
        supers, idx_maps = [], []
        feasible = True
        for n in counted:
            f = fronts[n]
            admissible = cur[n] + f.gain >= rule.threshold(n) - EPS if n in passed else np.ones(len(f.cost), bool)
            ok = np.flatnonzero(admissible)
            if not ok.size:
                feasible = False
                break
            idx_maps.append(ok)
            base = cur[n] or 0.0
            supers.append([(float(f.cost[i]), base + float(f.gain[i]), 0) for i in ok])
        if not feasible:
            continue
        # every counted level must pick one of its admissible points: shift so that option "unchanged" is its first
        shifted = [[(c - g[0][0], s - g[0][1], 0) for c, s, _ in g[1:]] for g in supers]
        combo = _Front(shifted)
        base_cost = math.fsum(g[0][0] for g in supers)
        base_total = math.fsum(g[0][1] for g in supers)
        i = _best(combo, need_total - base_total)
        if i is None:
            continue
        cost = base_cost + float(combo.cost[i])
        gain = base_total + float(combo.gain[i])
        if best is None or cost < best[0] - EPS or (abs(cost - best[0]) <= EPS and gain > best[1] + EPS):
            best = (cost, gain, j, counted, idx_maps, combo.choices(i))
    if best is None:
        return None, f"即使把可改进的条目全部做到最好也达不到目标（等级 {target_level}）", ""
    _, _, j, counted, idx_maps, picks = best
    plan: dict[str, _Rung] = {}
    for n, ok, pick in zip(counted, idx_maps, picks, strict=True):
        point = int(ok[pick])  # pick 0 = the first admissible point
        for c, o in zip(groups[n], fronts[n].choices(point), strict=True):
            if o:
                plan[c.e.ref.item.code] = c.rungs[o - 1]
    pattern = f"passes levels 1..{numbers[j - 1]}" if j else "passes no level"
    return plan, "", pattern


def _plan_total(spec, evals, cands, target_level, target_score):
    rule = spec.rule
    exclude_scenes = rule.type == "score_and_scene_counts" and not rule.scenes_in_score
    values = {e.ref.item.code: (None if exclude_scenes and e.ref.item.kind == "scene" else e.normalised) for e in evals}
    tree = weighted_tree(spec.nodes, values)
    scale = rule.scale_max
    total = (tree.root or 0.0) * scale
    for code, c in cands.items():
        c.coef = tree.shares.get(code, 0.0) * scale
    scorers = sorted((c for c in cands.values() if c.coef > 0), key=lambda c: c.e.ref.item.code)
    if rule.type != "score_and_scene_counts":
        if target_level is None:
            need = -math.inf
        else:
            need = _band_min(rule.bands, target_level) if rule.type in ("score_bands", "capped_bands") else None
        if need is None:
            return None, f"没有等级 ≥ {target_level} 的分数段"
        floors: dict[str, _Rung] = {}
        if rule.type == "capped_bands" and target_level is not None:
            floors, scorers, reason = _cap_floors(spec, evals, cands, scorers, need)
            if reason:
                return None, reason
            total += math.fsum(_gain(cands[code], rung) for code, rung in floors.items())
        if target_score is not None:
            need = max(need, target_score)
        front = _Front([_options(c) for c in scorers], gain_cap=max(0.0, need - total) + 1.0)
        i = _best(front, need - total)
        if i is None:
            return None, f"即使全部做到最好，总分也达不到 {need:g}"
        plan = _pick(scorers, front.choices(i))
        for code, floor in floors.items():  # a capping item's rise above its floor was priced from the floor
            above = plan.get(code)
            plan[code] = floor if above is None else _Rung(above.value, above.points, floor.cost + above.cost)
        return plan, ""
    reqs = [r for r in rule.requirements if target_level is None or r.level >= target_level]
    if not reqs:
        return None, f"没有等级 ≥ {target_level} 的要求"
    best = None
    grades = {
        e.ref.item.code: e.points or 0.0
        for e in evals
        if e.ref.item.kind == "scene" and e.state in ("answered", "missing")
    }
    for req in sorted(reqs, key=lambda r: r.level):
        need = req.min_score if target_score is None else max(req.min_score, target_score)
        have = sum(1 for g in grades.values() if g >= req.scene_level)
        key_need = max(0, req.min_scenes - have)
        group = {c.e.ref.item.code: c for c in scorers}
        if key_need:
            group |= {code: c for code, c in cands.items() if c.e.ref.item.kind == "scene"}
        members = [group[code] for code in sorted(group)]
        opts = []
        for c in members:
            base = c.e.points or 0.0
            opts.append(
                [
                    (cost, gain, int(c.e.ref.item.kind == "scene" and base < req.scene_level <= r.points))
                    for (cost, gain, _), r in zip(_options(c), c.rungs, strict=True)
                ]
            )
        front = _Front(opts, key_cap=key_need, gain_cap=max(0.0, need - total) + 1.0)
        i = _best(front, need - total, key_need)
        if i is None:
            continue
        cost, gain = float(front.cost[i]), float(front.gain[i])
        if best is None or cost < best[0] - EPS or (abs(cost - best[0]) <= EPS and gain > best[1] + EPS):
            best = (cost, gain, members, front.choices(i))
    if best is None:
        return None, f"即使全部做到最好也达不到等级 {target_level} 的要求"
    return _pick(best[2], best[3]), ""


def _cap_floors(spec, evals, cands, scorers, need: float):
    """capped_bands: each capping item below the target's band must rise at least to the first rung at that band
    (its floor, a forced step); above the floor it competes like any item, its rungs priced from the floor. Returns
    (floors, scorers with the capping items shifted to their floors, reason when a cap cannot be lifted)."""
    rule = spec.rule
    by_code = {e.ref.item.code: e for e in evals}
    floors: dict[str, _Rung] = {}
    shifted: dict[str, _Cand] = {}
    for code in rule.caps:
        e = by_code[code]
        if (e.normalised or 0.0) * rule.scale_max >= need - EPS:
            continue
        c = cands.get(code)
        rungs = c.rungs if c is not None else []
        k = next((k for k, r in enumerate(rungs) if r.points / e.max_points * rule.scale_max >= need - EPS), None)
        if k is None:
            return {}, scorers, f"「{e.ref.item.name}」无法提高到目标等级所需的水平，总体等级受其封顶"
        floor = floors[code] = c.rungs[k]
        raised = replace(e, state="answered", points=floor.points)
        rest = [_Rung(r.value, r.points, r.cost - floor.cost) for r in c.rungs[k + 1 :]]
        shifted[code] = _Cand(raised, floor.value, rest, c.coef, c.group)
    out = [shifted.get(c.e.ref.item.code, c) for c in scorers]
    out = [c for c in out if c.rungs]
    return floors, out, ""


def _pick(members: list[_Cand], choices: list[int]) -> dict[str, _Rung]:
    return {c.e.ref.item.code: c.rungs[o - 1] for c, o in zip(members, choices, strict=True) if o}


__all__ = ["PHASES", "PHASE_LIMITS", "Roadmap", "Step", "roadmap"]
