"""score_many / encode / AnswerMatrix: the batch accepts and rejects exactly what score does, on either input."""

import math

import numpy as np
import pytest

from maturity import InvalidAnswerError, ItemDoesNotApplyError, MissingAnswerError, load_yaml, score
from maturity.batch import BLOCK, encode, score_encoded, score_many
from maturity.encoding import NA_VALUE, AnswerMatrix
from maturity.tests.specs import bands, cmmm, scenes
from maturity.tests.test_scoring import EXCLUSIVE_YAML

DISCRETE = {"production_type": "discrete"}
CMMM_CODES = ("P1-1", "P1-2", "P1-3", "M1-1", "M1-2", "M1-3")


def test_an_answer_matrix_row_means_the_dict_score_takes():
    matrix = AnswerMatrix.from_columns(
        {"net": [5, 8], "rate": [12.5, np.nan], "plan": [2, 0.5], "gate": [1, 0], "zero": [NA_VALUE, 0.8]}
    )
    assert matrix.answers(bands(), 0) == {"net": ["a", "c"], "rate": 12.5, "plan": "full", "gate": True, "zero": "n/a"}
    assert matrix.answers(bands(), 1) == {"net": 8.0, "plan": 0.5, "gate": False, "zero": 0.8}


def test_score_many_on_a_matrix_equals_score_on_its_rows():
    spec = scenes()
    matrix = AnswerMatrix(("q", "s1", "s2", "s3"), np.array([[1, 2, 2, 1], [0, 4, np.nan, 3], [np.nan, 1, 1, 1]]))
    batch = score_many(spec, matrix)
    for i in range(len(matrix)):
        r = score(spec, matrix.answers(spec, i))
        assert (batch.levels[i], batch.scores[i]) == (r.level, pytest.approx(r.score))


def test_a_bad_matrix_row_raises_what_score_raises_for_the_first_bad_row():
    spec = cmmm()
    values = np.ones((5, len(CMMM_CODES)))
    values[3, 4] = 0.3  # not a satisfaction level
    values[4, 0] = 2.0
    with pytest.raises(InvalidAnswerError) as alone:
        score(spec, AnswerMatrix(CMMM_CODES, values).answers(spec, 3), DISCRETE)
    with pytest.raises(InvalidAnswerError) as batch:
        score_many(spec, AnswerMatrix(CMMM_CODES, values), DISCRETE)
    assert str(batch.value) == str(alone.value) and batch.value.code == "M1-2"


def test_not_applicable_where_the_model_does_not_allow_it_is_rejected_in_a_matrix():
    values = np.ones((2, len(CMMM_CODES)))
    values[1, 0] = NA_VALUE
    with pytest.raises(Exception, match="不允许选择“不适用”") as err:
        score_many(cmmm(), AnswerMatrix(CMMM_CODES, values), DISCRETE)
    assert err.value.code == "P1-1"


def test_a_required_item_left_out_of_a_matrix_is_missing():
    spec = load_yaml(EXCLUSIVE_YAML.replace("kind: multi_select", "kind: multi_select\n        required: true"))
    with pytest.raises(MissingAnswerError):
        score_many(spec, AnswerMatrix((), np.zeros((1, 0))))
    with pytest.raises(MissingAnswerError):
        score_many(spec, [{}])


def test_the_exclusive_option_is_checked_identically_on_dicts_and_matrices():
    spec = load_yaml(EXCLUSIVE_YAML)
    with pytest.raises(InvalidAnswerError) as alone:
        score(spec, {"net": ["none", "wired"]})
    with pytest.raises(InvalidAnswerError) as dicts:
        score_many(spec, [{"net": ["wired"]}, {"net": ["none", "wired"]}])
    with pytest.raises(InvalidAnswerError) as matrix:
        score_many(spec, AnswerMatrix.from_columns({"net": [0b010, 0b011]}))  # bit 0 = none, bit 1 = wired
    assert str(alone.value) == str(dicts.value) == str(matrix.value)
    ok = score_many(spec, AnswerMatrix.from_columns({"net": [0b001, 0b110, 0]}))
    assert list(ok.scores) == [0, 100, 0]


def test_rows_with_different_contexts_are_scored_each_with_its_own():
    spec = cmmm()
    full = dict.fromkeys(CMMM_CODES, "full")
    rows = [full, {**full, "M2-1": "none"}, full]
    contexts = [DISCRETE, {"production_type": "process"}, None]
    batch = score_many(spec, rows, contexts)
    expected = [pytest.approx(score(spec, r, c).score) for r, c in zip(rows, contexts, strict=True)]
    assert list(batch.scores) == expected


def test_with_contexts_per_row_the_lowest_bad_row_is_reported():
    spec = cmmm()
    full = dict.fromkeys(CMMM_CODES, "full")
    rows = [full, {**full, "P1-1": "bad"}, {**full, "M2-1": "full"}]
    contexts = [DISCRETE, {"production_type": "process"}, DISCRETE]
    with pytest.raises(InvalidAnswerError):  # row 1, though the discrete group holds row 2's error
        score_many(spec, rows, contexts)
    with pytest.raises(ItemDoesNotApplyError):
        score_many(spec, [full, full, rows[2]], contexts)
    with pytest.raises(ValueError, match="2 contexts for 3"):
        score_many(spec, rows, contexts[:2])


def test_encode_gives_the_same_matrices_for_dicts_and_for_the_matrix_of_them():
    spec = bands()
    matrix = AnswerMatrix.from_columns(
        {"net": [3, 0, np.nan], "rate": [50, 10.5, 0], "plan": [1, np.nan, 2], "gate": [1, 0, np.nan]}
    )
    rows = [matrix.answers(spec, i) for i in range(3)]
    for a, b in zip(encode(spec, matrix), encode(spec, rows), strict=True):
        assert np.array_equal(a, b, equal_nan=True)
    got, want = score_encoded(spec, *encode(spec, matrix)), score_many(spec, rows)
    assert np.array_equal(got.levels, want.levels) and np.allclose(got.scores, want.scores)


def test_matrix_input_is_validated_on_construction():
    with pytest.raises(ValueError, match="duplicate"):
        AnswerMatrix(("a", "a"), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="must be"):
        AnswerMatrix(("a",), np.zeros((1, 2)))


def test_large_batches_are_folded_in_blocks_without_changing_results():
    spec = cmmm()
    rng = np.random.default_rng(3)
    n = 2 * BLOCK + BLOCK // 2  # two full blocks and a part
    matrix = AnswerMatrix(CMMM_CODES, rng.choice([0, 0.5, 0.8, 1.0], size=(n, len(CMMM_CODES))))
    dicts = [matrix.answers(spec, i) for i in range(n)]
    by_matrix, by_dicts = score_many(spec, matrix, DISCRETE), score_many(spec, dicts, DISCRETE)
    for i in (0, BLOCK - 1, BLOCK, 2 * BLOCK - 1, 2 * BLOCK, n - 1):  # each side of every block edge
        r = score(spec, dicts[i], DISCRETE)
        for batch in (by_matrix, by_dicts):
            assert batch.levels[i] == r.level and math.isclose(batch.scores[i], r.score, abs_tol=1e-9)


def test_a_multi_select_with_many_options_sums_as_score_does():
    options = ", ".join(f"{{code: o{k}, points: 0.7}}" for k in range(13)) + ", {code: o13, points: 0.9}"
    spec = load_yaml(
        EXCLUSIVE_YAML.split("        options:")[0]
        + f"        cap: 9.5\n        options: [{options}]\n"
        + "rule: {type: weighted_sum}\n"
    )
    masks = [0, 1, 0b1010101010101, 2**14 - 1, 2**13 + 7, 2**14, 3.5]
    matrix = AnswerMatrix.from_columns({"net": masks[:-2]})
    batch = score_many(spec, matrix)
    assert list(batch.scores) == [score(spec, matrix.answers(spec, i)).score for i in range(len(matrix))]
    for bad in masks[-2:]:
        with pytest.raises(InvalidAnswerError, match="须为选项代码列表"):
            score_many(spec, AnswerMatrix.from_columns({"net": [1, bad]}))
