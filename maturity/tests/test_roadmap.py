"""roadmap(): optimal against brute force on small models, reaches the target by score(), honest when it cannot."""

import itertools
import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maturity import NA, parse_spec, score
from maturity.answers import applies, points_for
from maturity.library import load
from maturity.roadmap import PHASES, roadmap
from maturity.tests.specs import bands, cmmm, scenes

# --- an independent brute force: every final answer at or above the current one, costed by the documented rule --


def _rank_costs(ranked_points, cur_points, answered, scale=1.0):
    """(points, cost) of every rung above the current answer: rung r costs r (× scale), unanswered counts 0."""
    pts = sorted(set(ranked_points))
    if not answered and pts[0] > 0:
        pts = [0.0, *pts]
    at = 0 if not answered else max(i for i, p in enumerate(pts) if p <= cur_points + 1e-9)
    out, acc = [], 0.0
    for r in range(at + 1, len(pts)):
        acc += r * scale
        out.append((pts[r], acc))
    return out


def candidates(spec, item, value, scale=1.0):
    """(answer, cost) of every final answer worth trying for one item, the current answer first (cost 0)."""
    out = [(value, 0.0)]
    if value == NA or item.kind in ("evidence_file", "evidence_text"):
        return out
    answered = value is not None
    cur = points_for(item, value) if answered else 0.0
    if item.kind in ("graded", "single_choice"):
        by_points = {}
        for o in item.options:
            by_points.setdefault(o.points, o.code)
        out += [(by_points[p], c) for p, c in _rank_costs([o.points for o in item.options], cur, answered, scale)]
    elif item.kind == "numeric_bands":
        reps = {}
        for b in item.bands:
            x = b.lo if b.lo is not None and b.lo_closed else b.hi if b.hi_closed else (b.lo + b.hi) / 2
            reps.setdefault(b.points, x)
        out += [(reps[p], c) for p, c in _rank_costs([b.points for b in item.bands], cur, answered, scale)]
    elif item.kind == "scene":
        grades = range(item.min_grade, item.max_grade + 1)
        out += [(int(p), c) for p, c in _rank_costs([float(g) for g in grades], cur, answered, scale)]
    elif item.kind == "prerequisite":
        if value is not True:
            out.append((True, 1.0 * scale))
    elif item.kind == "multi_select":
        base = [c for c in (value or []) if not any(o.code == c and o.exclusive for o in item.options)]
        spare = [o.code for o in item.options if o.code not in base and not o.exclusive]
        for k in range(1, len(spare) + 1):
            for extra in itertools.combinations(spare, k):
                out.append(([o.code for o in item.options if o.code in base or o.code in extra], k * scale))
    return out


def meets(result, level, total):
    return (level is None or (result.level is not None and result.level >= level)) and (
        total is None or result.score >= total - 1e-9
    )


def brute_force(spec, answers, context, level, total=None, scale=None):
    """Least total effort over every combination of final answers whose score() meets the target; None if none."""
    scale = scale or {}
    refs = [r for r in spec.iter_items() if applies(r, context)]
    codes = [r.item.code for r in refs]
    choices = [candidates(spec, r.item, answers.get(r.item.code), scale.get(r.item.code, 1.0)) for r in refs]
    best = None
    for combo in itertools.product(*choices):
        cost = math.fsum(c for _, c in combo)
        if best is not None and cost >= best - 1e-9:
            continue
        new = {code: v for code, (v, _) in zip(codes, combo, strict=True) if v is not None}
        if meets(score(spec, new, context), level, total):
            best = cost
    return best


def check_against_brute_force(spec, answers, context=None, level=None, total=None, scale=None):
    rm = roadmap(spec, answers, context, target_level=level, target_score=total, effort=scale)
    target = rm.target_level
    best = brute_force(spec, answers, context, target, total, scale)
    if best is None:
        assert not rm.reachable and rm.reason and not rm.steps
        assert rm.answers == answers
        return rm
    assert rm.reachable and rm.reached, rm
    assert math.isclose(rm.total_effort, best, abs_tol=1e-9), (rm.total_effort, best, rm.steps)
    res = score(spec, dict(rm.answers), context)
    assert meets(res, target, total) and res.level == rm.result.level
    assert math.isclose(math.fsum(s.effort for s in rm.steps), rm.total_effort)
    for s in rm.steps:  # N/A items are never in a plan, every step raises points
        assert answers.get(s.code) != NA and s.to_points > s.from_points
        assert rm.answers[s.code] == s.to_value
    return rm


# --- fixed toy models ----------------------------------------------------------------------------------------------

GRADED = ["none", "partial", "most", "full"]
TOY_CMMM_CODES = ("P1-1", "P1-2", "P1-3", "M1-1", "M1-2", "M1-3")


@pytest.mark.parametrize("seed", range(12))
def test_toy_cmmm_matches_brute_force_for_every_reachable_level(seed):
    spec, ctx = cmmm(), {"production_type": "discrete"}
    rng = random.Random(seed)
    answers = {c: rng.choice([*GRADED, None]) for c in TOY_CMMM_CODES}
    answers["P1-3"] = rng.choice([*GRADED, NA])
    answers = {c: v for c, v in answers.items() if v is not None}
    for level in (None, 1, 2, 3):
        rm = check_against_brute_force(spec, answers, ctx, level)
        if answers.get("P1-3") == NA:
            assert "P1-3" not in {s.code for s in rm.steps}


@pytest.mark.parametrize("seed", range(10))
def test_toy_bands_with_multi_select_bands_and_a_prerequisite(seed):
    spec = bands()
    rng = random.Random(seed)
    answers = {
        "net": rng.choice([[], ["a"], ["b", "c"]]),
        "rate": rng.choice([0, 10, 30, 60]),
        "plan": rng.choice(["none", "some", "full"]),
        "zero": rng.choice(GRADED),
        "gate": rng.choice([False, True]),
    }
    for level in (1, 2):
        rm = check_against_brute_force(spec, answers, None, level)
        assert "zero" not in {s.code for s in rm.steps}  # zero weight: raising it gains nothing
        if level == 2 and rm.reachable and answers["gate"] is False:
            assert any(s.code == "gate" and s.to_value is True for s in rm.steps)
    check_against_brute_force(spec, answers, None, None, total=70.0)


@pytest.mark.parametrize("seed", range(10))
def test_toy_scenes_count_and_score(seed):
    spec = scenes()
    rng = random.Random(seed)
    answers = {"q": rng.choice(["x", "y"]), **{s: rng.randint(1, 4) for s in ("s1", "s2", "s3")}}
    for level in (1, 2):
        check_against_brute_force(spec, answers, None, level)


def test_effort_mapping_by_item_and_node():
    spec, ctx = cmmm(), {"production_type": "discrete"}
    answers = {c: "none" for c in TOY_CMMM_CODES}
    scale = {"M1-1": 5.0, "M1-2": 5.0, "M1-3": 5.0}
    by_node = roadmap(spec, answers, ctx, target_level=1, effort={"M": 5})  # a node's effort covers its items
    by_item = check_against_brute_force(spec, answers, ctx, 1, scale=scale)
    assert by_node.reached and by_node.steps == by_item.steps
    assert by_node.total_effort == brute_force(spec, answers, ctx, 1, scale=scale)
    assert by_node.total_effort > roadmap(spec, answers, ctx, target_level=1).total_effort
    flat = roadmap(spec, answers, ctx, target_level=2, effort={"P1-1": [1, 1, 1], "P1-2": [0.5, 0.5, 0.5]})
    assert flat.reached
    assert {s.code: s.effort for s in flat.steps}.get("P1-1") in (None, 1.0, 2.0, 3.0)
    with pytest.raises(ValueError, match="unknown"):
        roadmap(spec, answers, ctx, effort={"nope": 1})
    with pytest.raises(ValueError):
        roadmap(spec, answers, ctx, effort={"P1-1": -1})
    with pytest.raises(ValueError):
        roadmap(spec, answers, ctx, effort={"P1-1": [1]})  # three rungs need three costs


# --- random small models (hypothesis) --------------------------------------------------------------------------


@st.composite
def cmmm_models(draw):
    n_levels = draw(st.integers(1, 3))
    n_items = draw(st.integers(3, 6))
    subs = {"A": [], "B": []}
    for i in range(n_items):
        item = {"code": f"i{i}", "name": f"i{i}", "level": draw(st.integers(1, n_levels))}
        item["weight"] = draw(st.sampled_from([1, 1, 2, 3]))
        if draw(st.booleans()):
            item["kind"] = "graded"
        else:
            pts = draw(st.lists(st.sampled_from([0, 1, 2, 3, 5]), min_size=2, max_size=3, unique=True))
            if max(pts) == 0:
                pts.append(1)
            item["kind"] = "single_choice"
            item["options"] = [{"code": f"o{p}", "points": p} for p in pts]
        item["not_applicable_allowed"] = draw(st.booleans())
        subs[draw(st.sampled_from("AB"))].append(item)
    thr = draw(st.sampled_from([0.5, 0.8, 1.0]))
    data = {
        "code": "h",
        "name": "h",
        "version": "1",
        "status": "provisional",
        "levels": [{"number": n, "name": f"L{n}"} for n in range(1, n_levels + 1)],
        "nodes": [
            {"code": k, "name": k, "weight": draw(st.sampled_from([1, 2])), "items": v} for k, v in subs.items() if v
        ],
        "rule": {
            "type": "cmmm_cumulative",
            "pass_threshold": thr,
            "bands": [
                {"min": n - 1 + thr, "max": n + thr, "level": n} if n < n_levels else {"min": n - 1 + thr, "level": n}
                for n in range(1, n_levels + 1)
            ],
        },
    }
    spec = parse_spec(data)
    answers = {}
    for r in spec.iter_items():
        it = r.item
        opts = [o.code for o in it.options] + [None] + ([NA] if it.not_applicable_allowed else [])
        v = draw(st.sampled_from(opts))
        if v is not None:
            answers[it.code] = v
    scale = {}
    if draw(st.booleans()):  # per-item efforts (× the default rung costs), some free
        scale = {r.item.code: draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])) for r in spec.iter_items()}
    return spec, answers, draw(st.integers(1, n_levels)), scale


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cmmm_models())
def test_random_cmmm_models_are_optimal(case):
    spec, answers, level, scale = case
    check_against_brute_force(spec, answers, None, level, scale=scale or None)


@st.composite
def bands_models(draw):
    items = []
    for i in range(draw(st.integers(3, 5))):
        kind = draw(st.sampled_from(["graded", "single_choice", "multi_select", "numeric_bands"]))
        item = {"code": f"i{i}", "name": f"i{i}", "kind": kind, "weight": draw(st.sampled_from([0, 1, 2, 3]))}
        if kind == "single_choice":
            item["options"] = [
                {"code": "a", "points": 0},
                {"code": "b", "points": draw(st.sampled_from([1, 2]))},
                {"code": "c", "points": 3},
            ]
        elif kind == "multi_select":
            item["options"] = [{"code": "n", "points": 0, "exclusive": True}] + [
                {"code": c, "points": draw(st.sampled_from([1, 2]))} for c in "xyz"
            ]
            item["cap"] = draw(st.sampled_from([None, 3]))
        elif kind == "numeric_bands":
            item["bands"] = [
                {"lo": 0, "hi": 10, "points": 0},
                {"lo": 10, "hi": 50, "points": 1},
                {"lo": 50, "hi": 100, "hi_closed": True, "points": 4},
            ]
        item["not_applicable_allowed"] = draw(st.booleans())
        items.append(item)
    if sum(it["weight"] for it in items) == 0:
        items[0]["weight"] = 1
    data = {
        "code": "hb",
        "name": "hb",
        "version": "1",
        "status": "provisional",
        "levels": [{"number": 1, "name": "L1"}, {"number": 2, "name": "L2"}],
        "nodes": [{"code": "N", "name": "N", "items": items[:2]}, {"code": "M", "name": "M", "items": items[2:]}],
        "rule": {"type": "score_bands", "bands": [{"min": 30, "max": 70, "level": 1}, {"min": 70, "level": 2}]},
    }
    spec = parse_spec(data)
    answers = {}
    for r in spec.iter_items():
        it = r.item
        if it.kind == "numeric_bands":
            opts = [0, 20, 60, 100]
        elif it.kind == "multi_select":
            opts = [["n"], ["x"], ["y", "z"], []]
        else:
            opts = [o.code for o in it.options]
        v = draw(st.sampled_from([*opts, None] + ([NA] if it.not_applicable_allowed else [])))
        if v is not None:
            answers[it.code] = v
    return spec, answers, draw(st.sampled_from([1, 2]))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=bands_models())
def test_random_band_models_are_optimal(case):
    spec, answers, level = case
    check_against_brute_force(spec, answers, None, level)


# --- the shipped CMMM ------------------------------------------------------------------------------------------

CTX = {"production_type": "discrete", "industry": "34", "size": "small"}


@pytest.fixture(scope="module")
def shipped():
    return load("cmmm-2020")


def realistic(spec, seed=7):
    """A firm at level 1 working on level 2: level 1 mostly met, level 2 partly, higher levels rarely."""
    rng = random.Random(seed)
    mix = {1: [0.7, 0.2, 0.1, 0.0], 2: [0.3, 0.3, 0.3, 0.1], 3: [0.1, 0.2, 0.3, 0.4], 4: [0, 0.1, 0.2, 0.7]}
    out = {}
    for r in spec.iter_items():
        if not applies(r, CTX):
            continue
        if r.item.not_applicable_allowed and rng.random() < 0.1:
            out[r.item.code] = NA
            continue
        out[r.item.code] = rng.choices(["full", "most", "partial", "none"], mix.get(r.item.level, mix[4]))[0]
    return out


def test_shipped_cmmm_next_level_confirmed_by_score(shipped):
    answers = realistic(shipped)
    now = score(shipped, answers, CTX)
    rm = roadmap(shipped, answers, CTX)
    assert rm.target_level == now.level + 1 and rm.reachable and rm.reached
    after = score(shipped, dict(rm.answers), CTX)
    assert after.level >= now.level + 1 and after.level == rm.result.level
    assert rm.steps and all(answers.get(s.code) != NA for s in rm.steps)
    assert {s.phase for s in rm.steps} <= set(PHASES)
    assert sum(len(v) for v in rm.phases.values()) == len(rm.steps)
    assert all(s.level is not None and s.level <= rm.target_level + 1 for s in rm.steps)
    # removing any one step must break the plan (a minimum plan has nothing to spare at positive effort)
    for s in rm.steps:
        fewer = dict(rm.answers)
        fewer[s.code] = s.from_value
        if s.from_value is None:
            del fewer[s.code]
        assert score(shipped, fewer, CTX).level < rm.target_level, s.code


def test_shipped_cmmm_two_levels_up_and_top(shipped):
    answers = realistic(shipped, seed=3)
    now = score(shipped, answers, CTX).level
    up2 = roadmap(shipped, answers, CTX, target_level=now + 2)
    assert up2.reached and up2.total_effort >= roadmap(shipped, answers, CTX).total_effort
    top = roadmap(shipped, answers, CTX, target_level=5)
    assert top.reached and score(shipped, dict(top.answers), CTX).level == 5


def test_deterministic_and_independent_of_answer_order(shipped):
    answers = realistic(shipped, seed=11)
    a = roadmap(shipped, answers, CTX)
    b = roadmap(shipped, dict(reversed(list(answers.items()))), CTX)
    assert a.steps == b.steps and a.total_effort == b.total_effort and dict(a.answers) == dict(b.answers)


@pytest.mark.parametrize("name", ["sme-2022", "sme-2024", "dcmm-2018"])
def test_other_shipped_models_reach_the_next_level_with_nothing_to_spare(name):
    spec = load(name)
    rng = random.Random(5)
    for _ in range(5):
        answers = {}
        for r in spec.iter_items():
            options = candidates(spec, r.item, None)[1:]
            if options and rng.random() < 0.9:
                answers[r.item.code] = rng.choice(options[: max(1, len(options) // 2)])[0]
        rm = roadmap(spec, answers)
        if not rm.reachable:
            assert rm.reason and rm.target_level > spec.levels[-1].number
            continue
        assert rm.reached and score(spec, dict(rm.answers)).level >= rm.target_level
        for s in rm.steps:  # an optimal plan with positive efforts fails without any one of its steps
            fewer = dict(rm.answers)
            if s.from_value is None:
                del fewer[s.code]
            else:
                fewer[s.code] = s.from_value
            assert score(spec, fewer).level < rm.target_level, s.code


# --- unreachable and edge cases ----------------------------------------------------------------------------------


def test_unreachable_targets_are_results_not_errors():
    spec, ctx = cmmm(), {"production_type": "discrete"}
    answers = {c: "none" for c in TOY_CMMM_CODES}
    beyond = roadmap(spec, answers, ctx, target_level=4)
    assert not beyond.reachable and beyond.reason and not beyond.steps and not beyond.reached
    # level 3's only items N/A or none: with P1-3 N/A and M1-3 the only level-3 item, level 3 is still reachable;
    answers["P1-3"] = NA
    assert roadmap(spec, answers, ctx, target_level=3).reached
    # ... but a model whose level 2 has no applicable item can never pass level 2
    data = parse_spec(
        {
            "code": "u",
            "name": "u",
            "version": "1",
            "status": "provisional",
            "levels": [{"number": 1, "name": "一"}, {"number": 2, "name": "二"}],
            "nodes": [
                {
                    "code": "A",
                    "name": "A",
                    "items": [
                        {"code": "a1", "name": "a1", "kind": "graded", "level": 1},
                        {"code": "a2", "name": "a2", "kind": "graded", "level": 2, "not_applicable_allowed": True},
                    ],
                }
            ],
            "rule": {
                "type": "cmmm_cumulative",
                "bands": [
                    {"min": 0.8, "max": 1.8, "level": 1},
                    {"min": 1.8, "max": 2, "max_inclusive": True, "level": 2},
                ],
            },
        }
    )
    rm = roadmap(data, {"a1": "none", "a2": NA}, target_level=2)
    assert not rm.reachable and rm.reason and rm.result.level == 0
    assert roadmap(data, {"a1": "none", "a2": NA}).reached  # level 1 is fine
    far = roadmap(bands(), {"plan": "none"}, target_score=101)
    assert not far.reachable and far.reason


def test_already_at_target_is_an_empty_plan():
    spec = bands()
    answers = {"net": ["a", "b"], "rate": 100, "plan": "full", "gate": True}
    rm = roadmap(spec, answers, target_level=1)
    assert rm.reachable and rm.reached and rm.steps == () and rm.total_effort == 0


def test_weighted_sum_needs_a_score_target():
    data = {
        "code": "w",
        "name": "w",
        "version": "1",
        "status": "provisional",
        "nodes": [
            {
                "code": "A",
                "name": "A",
                "items": [
                    {"code": "a", "name": "a", "kind": "graded"},
                    {"code": "b", "name": "b", "kind": "graded", "weight": 3},
                ],
            }
        ],
        "rule": {"type": "weighted_sum"},
    }
    spec = parse_spec(data)
    with pytest.raises(ValueError, match="target_score"):
        roadmap(spec, {"a": "none"})
    for total in (10, 50, 80, 100):
        check_against_brute_force(spec, {"a": "partial", "b": "none"}, None, None, total=total)
