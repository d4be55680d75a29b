"""Unit tests of score() for every item kind and rule, on the synthetic specs in specs.py."""

import pytest

from maturity import (
    NA,
    InvalidAnswerError,
    ItemDoesNotApplyError,
    MissingAnswerError,
    NotApplicableNotAllowedError,
    UnknownItemError,
    load_yaml,
    score,
)
from maturity.tests.specs import BANDS_YAML, bands, cmmm, scenes

DISCRETE = {"production_type": "discrete"}
ALL_FULL = {"P1-1": "full", "P1-2": "full", "P1-3": "full", "M1-1": "full", "M1-2": "full", "M1-3": "full"}


def test_cmmm_all_full_reaches_the_top_level():
    r = score(cmmm(), ALL_FULL, DISCRETE)
    assert (r.score, r.level) == (3.0, 3)
    assert "已达最高等级。" in r.trace


def test_cmmm_exactly_at_threshold_passes():
    r = score(cmmm(), {**ALL_FULL, "P1-2": 0.8, "M1-2": 0.8}, DISCRETE)
    assert r.levels[1].score == pytest.approx(0.8)
    assert r.levels[1].passed and r.level == 3


def test_cmmm_just_below_threshold_fails_and_blocks_higher_levels():
    r = score(cmmm(), {**ALL_FULL, "P1-2": 0.8, "M1-2": 0.5}, DISCRETE)
    assert r.levels[1].score == pytest.approx(0.65) and not r.levels[1].passed
    assert not r.levels[2].counted  # level 3 is full but does not count
    assert r.score == pytest.approx(1.65) and r.level == 1
    level_blocker = next(b for b in r.blockers if b.kind == "level")
    assert level_blocker.gap == pytest.approx(0.15)
    assert "二级得分 0.65，低于通过线 0.8，差 0.15" in level_blocker.message
    assert [b.code for b in r.blockers if b.kind == "item"] == ["M1-2", "P1-2"]


def test_cmmm_failed_level_one_means_below_level_one():
    r = score(cmmm(), {**ALL_FULL, "P1-1": "partial", "M1-1": "partial"}, DISCRETE)
    assert r.score == pytest.approx(0.5) and r.level == 0 and r.level_name == "一级以下"


def test_cmmm_not_applicable_item_is_left_out_of_its_level():
    r = score(cmmm(), {**ALL_FULL, "P1-3": NA, "M1-3": "full"}, DISCRETE)
    assert r.items["P1-3"].state == "not_applicable"
    assert r.levels[2].score == 1.0
    assert any("不适用" in t for t in r.trace)


def test_cmmm_process_only_subdomain_counts_only_for_process_makers():
    answers = {**ALL_FULL, "M2-1": "none"}
    assert score(cmmm(), answers, {"production_type": "process"}).levels[0].score == pytest.approx(2 / 3)
    with pytest.raises(ItemDoesNotApplyError):
        score(cmmm(), answers, DISCRETE)
    assert score(cmmm(), ALL_FULL, DISCRETE).items["M2-1"].state == "excluded"


def test_graded_accepts_option_code_or_points():
    assert score(cmmm(), {"P1-1": 0.5}).items["P1-1"].normalised == 0.5
    with pytest.raises(InvalidAnswerError):
        score(cmmm(), {"P1-1": 0.7})


def test_weighted_sum_with_bands_multi_select_and_numeric_bands():
    r = score(bands(), {"net": ["a", "b", "c"], "rate": 30, "plan": "some", "gate": True})
    assert r.items["net"].points == 4  # capped
    assert r.items["rate"].points == 3
    assert r.score == pytest.approx(68.75) and r.level == 2


def test_numeric_band_ends_are_open_or_closed_as_declared():
    assert score(bands(), {"rate": 10}).items["rate"].points == 0
    assert score(bands(), {"rate": 10.01}).items["rate"].points == 3
    with pytest.raises(InvalidAnswerError, match="超出"):
        score(bands(), {"rate": 101})


def test_zero_weight_item_does_not_move_the_score():
    a = score(bands(), {"plan": "full", "zero": "none"})
    b = score(bands(), {"plan": "full", "zero": "full"})
    assert a.score == b.score == pytest.approx(25)


def test_failed_prerequisite_caps_the_level():
    answers = {"net": ["a", "b"], "rate": 80, "plan": "full"}
    assert score(bands(), {**answers, "gate": True}).level == 2
    r = score(bands(), {**answers, "gate": False})
    assert r.score == 100 and r.level == 1
    assert [b.kind for b in r.blockers] == ["prerequisite"]


def test_score_band_boundary_is_inclusive_at_min():
    assert score(bands(), {"plan": "full", "rate": 30}).score == pytest.approx(43.75)
    spec = load_yaml(BANDS_YAML.replace("weight: 3", "weight: 0"))
    assert score(spec, {"plan": "some"}).score == pytest.approx(50)
    assert score(spec, {"plan": "none"}).level == 0


def test_evidence_items_carry_no_points():
    r = score(bands(), {"file": ["f1"], "text": "说明"})
    assert r.items["file"].normalised is None and r.score == 0


def test_scene_counts_rule():
    assert score(scenes(), {"q": "y", "s1": 2, "s2": 2}).level == 2
    r = score(scenes(), {"q": "y", "s1": 2, "s2": 1})
    assert r.level == 1 and r.score == 100  # scenes are not in the score
    assert any(b.kind == "scenes" and b.gap == 1 for b in r.blockers)
    assert score(scenes(), {"q": "x"}).level == 0
    assert score(scenes(), {"q": "y", "s1": 4}).provisional


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({"nope": 1}, UnknownItemError),
        ({"plan": "maybe"}, InvalidAnswerError),
        ({"net": ["a", "z"]}, InvalidAnswerError),
        ({"net": ["a", "a"]}, InvalidAnswerError),
        ({"rate": "30"}, InvalidAnswerError),
        ({"gate": "yes"}, InvalidAnswerError),
        ({"plan": NA}, NotApplicableNotAllowedError),
        ({"file": []}, InvalidAnswerError),
    ],
)
def test_invalid_answers_raise_the_matching_error(answers, error):
    with pytest.raises(error) as exc:
        score(bands(), answers)
    assert exc.value.code == next(iter(answers))


def test_scene_grade_out_of_range():
    with pytest.raises(InvalidAnswerError):
        score(scenes(), {"s1": 5})


def test_missing_required_answer():
    spec = load_yaml(BANDS_YAML.replace("name: 联网率", "name: 联网率\n        required: true"))
    with pytest.raises(MissingAnswerError):
        score(spec, {})


def test_result_is_deterministic_and_serialisable():
    answers = {"net": ["a"], "rate": 55, "plan": "some"}
    assert score(bands(), answers) == score(bands(), dict(reversed(answers.items())))
    assert score(bands(), answers).to_dict()["items"]["net"]["points"] == 2


EXCLUSIVE_YAML = """
code: toy-exclusive
name: 互斥选项
version: "1"
status: provisional
nodes:
  - code: N
    name: 网络
    items:
      - code: net
        name: 网络建设
        kind: multi_select
        options:
          - {code: none, label: 无, points: 0, exclusive: true}
          - {code: wired, label: 有线网络, points: 2}
          - {code: 5g, label: 5G 网络, points: 2}
rule: {type: weighted_sum}
"""


def test_an_exclusive_option_may_be_chosen_alone():
    spec = load_yaml(EXCLUSIVE_YAML)
    assert score(spec, {"net": ["none"]}).items["net"].points == 0
    assert score(spec, {"net": ["wired", "5g"]}).items["net"].points == 4


def test_an_exclusive_option_chosen_with_another_is_rejected_naming_item_and_option():
    with pytest.raises(InvalidAnswerError) as err:
        score(load_yaml(EXCLUSIVE_YAML), {"net": ["wired", "none"]})
    assert err.value.code == "net"
    assert "条目 net「网络建设」" in str(err.value)
    assert "选项「无」（none）与其他选项互斥，不能同时选择" in str(err.value)


@pytest.mark.parametrize("kind", ["graded", "single_choice"])
def test_exclusive_options_outside_multi_select_are_rejected(kind):
    text = EXCLUSIVE_YAML.replace("kind: multi_select", f"kind: {kind}")
    with pytest.raises(ValueError, match="互斥选项"):
        load_yaml(text)
