"""Property tests (hypothesis) on the synthetic specs in specs.py: monotonicity, bounds, batch == single (on
answer dicts and on an AnswerMatrix, errors included, one context or one per row), and independence from item
order."""

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity import NA, InvalidAnswerError, ScoringError, parse_spec, score
from maturity.batch import score_many, score_many_reporting
from maturity.encoding import AnswerMatrix
from maturity.tests.specs import bands, capped, cmmm, scenes

GRADED = [None, "none", "partial", "most", "full"]
CASES = {
    "cmmm": (
        cmmm(),
        {"production_type": "discrete"},
        {c: GRADED for c in ("P1-1", "P1-2", "P1-3", "M1-1", "M1-2", "M1-3")},
    ),
    "bands": (
        bands(),
        None,
        {
            "net": [None, [], ["a"], ["a", "b"], ["a", "b", "c"]],
            "rate": [None, 0, 10, 30, 50, 80, 100],
            "plan": [None, "none", "some", "full"],
            "zero": GRADED,
            "gate": [None, False, True],
        },
    ),
    "scenes": (
        scenes(),
        None,
        {"q": [None, "x", "y"], "s1": [None, 1, 2, 3, 4], "s2": [None, 1, 2, 3, 4], "s3": [None, 1, 2, 3, 4]},
    ),
    "capped": (
        capped(),
        None,
        {
            "s1": [None, 0, 1, 2, 3, 4],
            "s2": [None, 0, 1, 2, 3, 4],
            "f1": [None, "0", "2", "4"],
            "gov": [None, "0", "1", "2", "3", "4"],
        },
    ),
}


def answers_strategy(name):
    _, _, ladders = CASES[name]
    return st.fixed_dictionaries({c: st.integers(0, len(v) - 1) for c, v in ladders.items()})


def to_answers(name, idx):
    ladders = CASES[name][2]
    return {c: ladders[c][i] for c, i in idx.items() if ladders[c][i] is not None}


def _check_monotone(name, idx, data):
    spec, ctx, ladders = CASES[name]
    code = data.draw(st.sampled_from(sorted(c for c in idx if idx[c] < len(ladders[c]) - 1)))
    higher = {**idx, code: data.draw(st.integers(idx[code] + 1, len(ladders[code]) - 1))}
    a, b = score(spec, to_answers(name, idx), ctx), score(spec, to_answers(name, higher), ctx)
    assert b.score >= a.score - 1e-12
    if a.level is not None:
        assert b.level >= a.level
    for la, lb in zip(a.levels, b.levels, strict=True):
        assert (lb.score or 0) >= (la.score or 0) - 1e-12
    for c, node in a.nodes.items():
        if node.score is not None:
            assert b.nodes[c].score >= node.score - 1e-12


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_raising_one_answer_never_lowers_level_or_scores(data):
    name = data.draw(st.sampled_from(sorted(CASES)))
    idx = data.draw(answers_strategy(name))
    if any(i < len(CASES[name][2][c]) - 1 for c, i in idx.items()):
        _check_monotone(name, idx, data)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_scores_stay_within_bounds(data):
    name = data.draw(st.sampled_from(sorted(CASES)))
    spec, ctx, _ = CASES[name]
    r = score(spec, to_answers(name, data.draw(answers_strategy(name))), ctx)
    assert 0 <= r.score <= r.scale_max + 1e-9
    assert all(n.score is None or 0 <= n.score <= 1 for n in r.nodes.values())
    assert all(lv.score is None or 0 <= lv.score <= 1 for lv in r.levels)
    assert r.level is None or 0 <= r.level <= spec.levels[-1].number


def assert_batch_equals_score(spec, rows, batch, contexts, only=None):
    """Row i of the batch is what score gives for row i (for i in `only`, or all): level exactly, scores within
    float rounding."""
    for i, row in enumerate(rows):
        if only is not None and i not in only:
            continue
        r = score(spec, row, contexts[i])
        assert math.isclose(batch.scores[i], r.score, abs_tol=1e-9)
        assert batch.levels[i] == (-1 if r.level is None else r.level)
        for k, lv in enumerate(r.levels):
            assert (lv.score is None and np.isnan(batch.level_scores[i, k])) or math.isclose(
                batch.level_scores[i, k], lv.score, abs_tol=1e-9
            )
        for j, code in enumerate(batch.node_codes):
            ns = r.nodes[code].score
            assert (ns is None and np.isnan(batch.node_scores[i, j])) or math.isclose(
                batch.node_scores[i, j], ns, abs_tol=1e-9
            )


def assert_score_many_is_score_row_by_row(spec, answers, rows, context):
    """score_many either equals score on every row or raises what score raises for the first bad row; and
    score_many_reporting names every bad row with score's error and scores the others as score does."""
    contexts = context if isinstance(context, list) else [context] * len(rows)
    first = None
    refused = {}
    for i, row in enumerate(rows):
        try:
            score(spec, row, contexts[i])
        except ScoringError as exc:
            first = first or exc
            refused[i] = (type(exc), str(exc), exc.code)
    batch, errors = score_many_reporting(spec, answers, context)
    assert {i: (type(e), str(e), e.code) for i, e in errors.items()} == refused
    assert_batch_equals_score(spec, rows, batch, contexts, only={i for i in range(len(rows)) if i not in refused})
    if first is None:
        assert_batch_equals_score(spec, rows, score_many(spec, answers, context), contexts)
    else:
        with pytest.raises(type(first)) as got:
            score_many(spec, answers, context)
        assert (str(got.value), got.value.code) == (str(first), first.code)


def test_score_many_equals_score_row_by_row():
    rng = random.Random(7)
    for name, (spec, ctx, ladders) in CASES.items():
        rows = [{c: rng.choice(v) for c, v in ladders.items()} for _ in range(300)]
        rows = [{c: v for c, v in row.items() if v is not None} for row in rows]
        if name == "cmmm":
            rows += [{**row, "P1-3": NA} for row in rows[:50]]
        if name == "capped":
            rows += [{**row, "s1": NA} for row in rows[:50]]
        assert_batch_equals_score(spec, rows, score_many(spec, rows, ctx), [ctx] * len(rows))


# Answers as score takes them, good and bad: the batch must accept and reject exactly what score does.
ODD = [NA, "maybe", 0.3, 0.8, True, ["a"], 7, float("nan"), None]


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_score_many_on_answer_dicts_matches_score_including_errors(data):
    name = data.draw(st.sampled_from(sorted(CASES)))
    spec, ctx, ladders = CASES[name]
    bad_ok = data.draw(st.booleans())
    cell = {c: st.sampled_from(v + ODD) if bad_ok else st.sampled_from(v) for c, v in ladders.items()}
    rows = data.draw(st.lists(st.fixed_dictionaries(cell), min_size=1, max_size=8))
    rows = [{c: v for c, v in row.items() if v is not None} for row in rows]
    if data.draw(st.booleans()):
        rows[data.draw(st.integers(0, len(rows) - 1))]["nope"] = "full"
    assert_score_many_is_score_row_by_row(spec, rows, rows, ctx)


# AnswerMatrix cells per item: the valid ones first, then numbers score must reject (or N/A where not allowed).
NAN, NA_CELL = float("nan"), -math.inf
MATRIX_CELLS = {
    "cmmm": {c: ([NAN, 0, 0.5, 0.8, 1, 0.8 + 1e-10], [NA_CELL, 0.3, 2, math.inf]) for c in CASES["cmmm"][2]},
    "bands": {
        "net": ([NAN, 0, 1, 2, 3, 4, 5, 6, 7], [NA_CELL, 8, 1.5, -1]),
        "rate": ([NAN, 0, 10, 10.5, 50, 100], [NA_CELL, -1, 101, math.inf]),
        "plan": ([NAN, 0, 1, 2], [NA_CELL, 3, 0.5]),
        "zero": ([NAN, 0, 0.5, 1], [NA_CELL, 0.7]),
        "gate": ([NAN, 0, 1], [NA_CELL, 0.5, 2]),
        "file": ([NAN], [1, NA_CELL]),
    },
    "scenes": {
        "q": ([NAN, 0, 1], [NA_CELL, 2]),
        **{s: ([NAN, 1, 2, 3, 4], [NA_CELL, 0, 5, 2.5]) for s in ("s1", "s2", "s3")},
    },
    "capped": {
        "s1": ([NAN, NA_CELL, 0, 1, 2, 3, 4], [5, 2.5, -1]),  # the one item that allows N/A
        "s2": ([NAN, 0, 1, 2, 3, 4], [NA_CELL, 5]),
        "f1": ([NAN, 0, 1, 2], [NA_CELL, 3]),
        "gov": ([NAN, 0, 1, 2, 3, 4], [NA_CELL, 5, 0.5]),
    },
}


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_score_many_on_an_answer_matrix_matches_score_including_errors(data):
    name = data.draw(st.sampled_from(sorted(MATRIX_CELLS)))
    spec, ctx, _ = CASES[name]
    cells = dict(MATRIX_CELLS[name])
    if name == "cmmm":
        cells["P1-3"] = (cells["P1-3"][0] + [NA_CELL], [0.3])  # the one item that allows N/A
    codes = data.draw(st.permutations(sorted(cells)))
    bad_ok = data.draw(st.booleans())
    n = data.draw(st.integers(1, 8))
    columns = {
        c: data.draw(st.lists(st.sampled_from(cells[c][0] + (cells[c][1] if bad_ok else [])), min_size=n, max_size=n))
        for c in codes
    }
    if bad_ok and data.draw(st.booleans()):
        columns["nope"] = data.draw(st.lists(st.sampled_from([NAN, NAN, 1.0]), min_size=n, max_size=n))
    matrix = AnswerMatrix.from_columns(columns)
    rows = [matrix.answers(spec, i) for i in range(n)]
    assert_score_many_is_score_row_by_row(spec, matrix, rows, ctx)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_score_many_with_a_context_per_row_matches_score(data):
    spec, _, ladders = CASES["cmmm"]
    kinds = st.sampled_from([{"production_type": "discrete"}, {"production_type": "process"}, None])
    n = data.draw(st.integers(1, 8))
    contexts = data.draw(st.lists(kinds, min_size=n, max_size=n))
    cell = {c: st.sampled_from(v) for c, v in {**ladders, "M2-1": GRADED}.items()}
    rows = [
        {c: v for c, v in row.items() if v is not None}
        for row in data.draw(st.lists(st.fixed_dictionaries(cell), min_size=n, max_size=n))
    ]
    assert_score_many_is_score_row_by_row(spec, rows, rows, contexts)
    points = {None: NAN, "none": 0, "partial": 0.5, "most": 0.8, "full": 1}
    matrix = AnswerMatrix.from_columns({c: [points[row.get(c)] for row in rows] for c in cell})
    assert_score_many_is_score_row_by_row(spec, matrix, [matrix.answers(spec, i) for i in range(n)], contexts)


def _shuffled(spec, rng):
    data = spec.model_dump(mode="json")

    def walk(nodes):
        rng.shuffle(nodes)
        for n in nodes:
            rng.shuffle(n["items"])
            walk(n["children"])

    walk(data["nodes"])
    return parse_spec(data)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), seed=st.integers(0, 10_000))
def test_item_order_changes_nothing(data, seed):
    name = data.draw(st.sampled_from(sorted(CASES)))
    spec, ctx, _ = CASES[name]
    answers = to_answers(name, data.draw(answers_strategy(name)))
    assert score(_shuffled(spec, random.Random(seed)), answers, ctx) == score(spec, answers, ctx)


def test_score_many_rejects_what_score_rejects():
    with pytest.raises(InvalidAnswerError):
        score_many(bands(), [{"plan": "some"}, {"plan": "maybe"}])


def test_score_many_of_nothing_is_empty():
    assert score_many(bands(), []).scores.shape == (0,)


def test_score_encoded_equals_score_many_on_stored_matrices():
    """Bulk rescoring works from stored encoded matrices; it must give what scoring the answers gives."""
    import numpy as np

    from maturity import encode, score_encoded, score_many
    from maturity.tests.specs import cmmm

    spec = cmmm()
    rng = np.random.default_rng(7)
    items = [r.item for r in spec.iter_items()]
    rows = [{it.code: it.options[int(rng.integers(len(it.options)))].code for it in items} for _ in range(50)]
    expected = score_many(spec, rows)
    got = score_encoded(spec, *encode(spec, rows))
    assert np.array_equal(expected.levels, got.levels)
    assert np.allclose(expected.scores, got.scores, equal_nan=True)


def test_a_bad_row_in_a_batch_raises_what_scoring_that_row_alone_raises():
    import pytest

    from maturity import InvalidAnswerError, score, score_many
    from maturity.tests.specs import cmmm

    spec = cmmm()
    good = {r.item.code: "full" for r in spec.iter_items()}
    bad = {**good, "M1-2": "excellent"}
    with pytest.raises(InvalidAnswerError) as alone:
        score(spec, bad)
    with pytest.raises(InvalidAnswerError) as batch:
        score_many(spec, [good, good, bad, good])
    assert str(batch.value) == str(alone.value)


def test_a_list_where_an_option_code_belongs_is_reported_like_score_reports_it():
    import pytest

    from maturity import InvalidAnswerError, score, score_many
    from maturity.tests.specs import cmmm

    spec = cmmm()
    bad = {r.item.code: "full" for r in spec.iter_items()} | {"P1-1": ["full"]}
    with pytest.raises(InvalidAnswerError) as alone:
        score(spec, bad)
    with pytest.raises(InvalidAnswerError) as batch:
        score_many(spec, [bad])
    assert str(batch.value) == str(alone.value)
