"""Tier conditions over outside facts: the shipped smart-factory file, regional overrides, three-valued logic."""

from dataclasses import asdict

import pytest

from maturity.conditions import ConditionError, evaluate, load_tier_model, resolve
from maturity.library import load_tiers

FACTS = {
    "cmmm_level": 2,
    "above_scale": True,
    "serious_accident_3y": False,
    "abnormal_list": False,
    "secure_controllable": True,
    "organisation_talent": True,
    "scene_count": 12,
    "ai_scene_count": 3,
    "provincial_self_test_tier": "基础级",
}


@pytest.fixture(scope="module")
def model():
    return load_tiers("smart-factory-2025")


def tier(ev, code):
    return next(t for t in ev.tiers if t.code == code)


def cond(ev, tier_code, code):
    return next(c for c in tier(ev, tier_code).conditions if c.code == code)


# ---------------------------------------------------------------------------------------------------------------
# The shipped file


def test_smart_factory_file_loads_with_four_ordered_tiers_and_two_provinces(model):
    assert [t.name for t in model.tiers] == ["基础级", "先进级", "卓越级", "领航级"]
    assert set(model.overrides) == {"460000", "320000"}
    assert model.status == "provisional"


def test_only_verified_conditions_are_official_and_every_condition_cites_its_tag(model):
    conditions = [c for t in model.tiers for c in t.conditions]
    conditions += [c for ov in model.overrides.values() for cs in ov.tiers.values() for c in cs]
    for c in conditions:
        if c.status == "official":
            assert "[V]" in c.note, c.code
        else:
            assert "[P]" in c.note or "[NF]" in c.note, c.code
    national_cmmm = {t.code: next(c for c in t.conditions if c.code == "cmmm") for t in model.tiers[:3]}
    assert {k: (c.status, c.when.value) for k, c in national_cmmm.items()} == {
        "basic": ("provisional", 1),
        "advanced": ("provisional", 2),
        "excellent": ("provisional", 3),
    }


# ---------------------------------------------------------------------------------------------------------------
# National defaults and provincial overrides


def test_national_rules_reach_advanced_on_provisional_cmmm_thresholds(model):
    ev = evaluate(model, FACTS)
    assert (ev.highest, ev.highest_name, ev.next_tier) == ("advanced", "先进级", "excellent")
    assert [t.outcome for t in ev.tiers] == ["met", "met", "not_met", "not_met"]
    assert tier(ev, "advanced").provisional
    assert cond(ev, "advanced", "cmmm").region is None
    assert [c.code for c in ev.blockers] == ["cmmm"]
    assert ev.blockers[0].reason == "CMMM 等级为二级，卓越级要求 ≥ 三级"
    assert (ev.blockers[0].actual, ev.blockers[0].required) == ("二级", "≥ 三级")


def test_hainan_makes_the_cmmm_thresholds_official(model):
    ev = evaluate(model, FACTS, "460000")
    assert ev.highest == "advanced" and ev.overrides == ("460000",)
    assert not tier(ev, "basic").provisional and not tier(ev, "advanced").provisional
    c = cond(ev, "advanced", "cmmm")
    assert (c.status, c.region, c.outcome) == ("official", "460000", "met")
    assert c.reason == "CMMM 等级为二级，满足先进级要求 ≥ 二级"


def test_jiangsu_also_requires_its_own_self_test_at_advanced(model):
    ev = evaluate(model, FACTS, "320000")
    assert (ev.highest, ev.next_tier) == ("basic", "advanced")
    assert [c.code for c in tier(ev, "advanced").conditions] == ["requires_basic", "cmmm", "js_self_test"]
    assert [c.code for c in ev.blockers] == ["js_self_test"]
    assert ev.blockers[0].reason == "省级智能工厂自评价结果为基础级，先进级要求 ≥ 先进级"
    assert evaluate(model, {**FACTS, "provincial_self_test_tier": "先进级"}, "320000").highest == "advanced"


def test_same_facts_give_three_different_results(model):
    results = [evaluate(model, FACTS, region) for region in (None, "460000", "320000")]
    summaries = [(r.highest, tier(r, "advanced").provisional) for r in results]
    assert summaries == [("advanced", True), ("advanced", False), ("basic", False)]


def test_a_county_picks_up_its_provinces_override(model):
    assert resolve(model, "460106").overrides == ("460000",)  # 海口市龙华区
    assert resolve(model, "460100").overrides == ("460000",)  # 海口市
    assert resolve(model, "320583").overrides == ("320000",)  # 昆山市
    assert resolve(model, "440300").overrides == ()  # 深圳市: national rules
    assert cond(evaluate(model, FACTS, "460106"), "basic", "cmmm").region == "460000"


def test_a_citys_override_layers_on_its_provinces_and_wins_on_the_same_code():
    m = load_tier_model(TOY + CITY_OVERRIDES)
    res = resolve(m, "320583")
    assert res.overrides == ("320000", "320500")
    conditions = [(e.condition.code, e.condition.when.value, e.region) for e in res.tiers[0][1]]
    assert conditions == [("cmmm", 3, "320500"), ("scale", True, None), ("js", True, "320000")]
    assert [(e.condition.code, e.region) for e in resolve(m, "320100").tiers[0][1]] == [
        ("cmmm", "320000"),
        ("scale", None),
        ("js", "320000"),
    ]


def test_a_region_can_remove_a_national_condition():
    m = load_tier_model(TOY + "  '460000':\n    name: 海南\n    remove: {basic: [scale]}\n")
    assert [e.condition.code for e in resolve(m, "460200").tiers[0][1]] == ["cmmm"]


def test_a_malformed_region_code_is_rejected(model):
    with pytest.raises(ConditionError, match="46"):
        resolve(model, "46")


# ---------------------------------------------------------------------------------------------------------------
# Three-valued logic


def test_a_missing_fact_makes_the_tier_unknown_never_met(model):
    facts = {k: v for k, v in FACTS.items() if k != "cmmm_level"}
    ev = evaluate(model, facts)
    c = cond(ev, "basic", "cmmm")
    assert (c.outcome, c.actual, c.required) == ("unknown", "（缺）", "≥ 一级")
    assert c.reason == "缺少「CMMM 等级」，无法判断基础级要求（CMMM 等级 ≥ 一级）"
    assert [t.outcome for t in ev.tiers] == ["unknown", "unknown", "unknown", "not_met"]
    assert (ev.highest, ev.next_tier) == (None, "basic")
    assert ev.missing_facts == ("cmmm_level", "recognised_tier")


def test_a_fact_given_as_none_counts_as_missing(model):
    ev = evaluate(model, {**FACTS, "above_scale": None})
    assert cond(ev, "basic", "above_scale").outcome == "unknown"
    assert cond(ev, "basic", "above_scale").missing_facts == ("above_scale",)


def test_zero_scenes_fail_the_ai_share_with_a_reason(model):
    ev = evaluate(model, {**FACTS, "scene_count": 0, "ai_scene_count": 0})
    c = cond(ev, "excellent", "ai_scene_share")
    assert (c.outcome, c.actual) == ("not_met", "0/0")
    assert c.reason == "场景数为 0，无法计算AI 场景占比，视为不满足卓越级要求（AI 场景占比 ≥ 20%）"


def test_ai_share_exactly_at_the_threshold_is_met(model):
    ev = evaluate(model, {**FACTS, "scene_count": 15, "ai_scene_count": 3})
    c = cond(ev, "excellent", "ai_scene_share")
    assert (c.outcome, c.actual) == ("met", "20%（3/15）")
    assert cond(ev, "leading", "ai_scene_share").reason == "AI 场景占比为20%（3/15），领航级要求 ≥ 60%"


def test_advanced_is_not_met_when_basic_is_not_met(model):
    ev = evaluate(model, {**FACTS, "above_scale": False})
    assert [t.outcome for t in ev.tiers] == ["not_met", "not_met", "not_met", "not_met"]
    c = cond(ev, "advanced", "requires_basic")
    assert c.reason == "基础级条件未满足，先进级须先达到基础级"
    assert (ev.highest, ev.next_tier, [b.code for b in ev.blockers]) == (None, "basic", ["above_scale"])


def test_a_recognised_tier_satisfies_the_chain_without_re_evaluating_lower_tiers(model):
    ev = evaluate(
        model, {**FACTS, "cmmm_level": 3, "scene_count": 10, "ai_scene_count": 6, "recognised_tier": "卓越级"}
    )
    assert ev.highest == "leading" and ev.next_tier is None and ev.blockers == ()


def test_wrong_fact_types_are_rejected_with_the_fact_named(model):
    with pytest.raises(ConditionError, match="cmmm_level"):
        evaluate(model, {**FACTS, "cmmm_level": "二级"})
    with pytest.raises(ConditionError, match="above_scale"):
        evaluate(model, {**FACTS, "above_scale": 1})
    with pytest.raises(ConditionError, match="recognised_tier"):
        evaluate(model, {**FACTS, "recognised_tier": "高级"})
    with pytest.raises(ConditionError, match="scene_count"):
        evaluate(model, {**FACTS, "scene_count": True})


def test_whole_floats_count_as_integers_and_undeclared_facts_are_ignored(model):
    assert evaluate(model, {**FACTS, "cmmm_level": 2.0, "employees": 300}) == evaluate(model, FACTS)


def test_evaluation_is_deterministic(model):
    shuffled = dict(reversed(list(FACTS.items())))
    first = asdict(evaluate(model, FACTS, "320000"))
    assert asdict(evaluate(model, shuffled, "320000")) == first
    assert asdict(evaluate(model, FACTS, "320000")) == first


# ---------------------------------------------------------------------------------------------------------------
# Bad files

TOY = """
code: toy
name: 玩具梯度
version: "1"
status: provisional
note: 合成测试
facts:
  cmmm_level: {type: int, label: CMMM 等级}
  above_scale: {type: bool, label: 规上}
  tier: {type: enum, label: 自评, values: [无, 基础级]}
  kind: {type: enum, label: 类型, values: [a, b]}
  n: {type: int, label: 场景数}
tiers:
  - code: basic
    name: 基础级
    conditions:
      - {code: cmmm, name: CMMM, status: official, when: {fact: cmmm_level, op: ge, value: 1}}
      - {code: scale, name: 规上, status: official, when: {fact: above_scale, op: eq, value: true}}
  - code: advanced
    name: 先进级
    conditions:
      - {code: chain, name: 先基础, status: official, when: {tier: basic}}
overrides:
"""

CITY_OVERRIDES = """  '320000':
    name: 江苏
    tiers:
      basic:
        - {code: cmmm, name: CMMM, status: official, when: {fact: cmmm_level, op: ge, value: 2}}
        - {code: js, name: 江苏, status: official, when: {fact: above_scale, op: eq, value: true}}
  '320500':
    name: 苏州
    tiers:
      basic:
        - {code: cmmm, name: CMMM, status: official, when: {fact: cmmm_level, op: ge, value: 3}}
"""


def _bad(old: str, new: str) -> str:
    src = TOY + "  {}\n"
    assert old in src
    with pytest.raises(ConditionError) as exc:
        load_tier_model(src.replace(old, new, 1))
    return str(exc.value)


def test_the_toy_file_is_valid():
    assert load_tier_model(TOY + "  {}\n").tiers[1].conditions[0].code == "chain"


def test_an_unknown_fact_is_rejected_naming_condition_and_fact():
    msg = _bad("fact: cmmm_level, op: ge", "fact: cmmm_levl, op: ge")
    assert "条件 cmmm" in msg and "cmmm_levl" in msg


def test_a_bad_operator_is_rejected():
    msg = _bad("op: ge, value: 1", "op: gte, value: 1")
    assert "tiers[0](basic).conditions[0](cmmm).when" in msg and "op" in msg


def test_an_ordered_operator_on_a_bool_fact_is_rejected():
    msg = _bad("fact: above_scale, op: eq", "fact: above_scale, op: ge")
    assert "条件 scale" in msg and "above_scale" in msg


def test_a_value_of_the_wrong_type_is_rejected():
    assert "wrong value type" in _bad("op: ge, value: 1", "op: ge, value: 一级")
    assert "wrong value type" in _bad("op: eq, value: true", "op: eq, value: 1")


def test_an_enum_value_outside_the_allowed_values_is_rejected():
    msg = _bad("fact: cmmm_level, op: ge, value: 1", "fact: tier, op: ge, value: 先进级")
    assert "'tier'" in msg and "先进级" in msg


def test_in_needs_a_list():
    assert "value shape" in _bad("fact: cmmm_level, op: ge, value: 1", "fact: kind, op: in, value: a")
    load_tier_model((TOY + "  {}\n").replace("op: ge, value: 1", "op: in, value: [1, 2]", 1))


def test_a_ratio_of_a_non_numeric_fact_is_rejected():
    msg = _bad("fact: cmmm_level, op: ge, value: 1", "ratio: [n, kind], op: ge, value: 0.2")
    assert "条件 cmmm" in msg and "'kind'" in msg


def test_a_tier_may_only_require_a_lower_tier():
    assert "lower tier" in _bad("when: {tier: basic}", "when: {tier: advanced}")
    assert "unknown tier 'top'" in _bad("when: {tier: basic}", "when: {tier: top}")


def test_an_expression_with_no_known_key_is_rejected():
    assert "unknown expression" in _bad("when: {tier: basic}", "when: {level: basic}")


def test_a_provisional_condition_needs_a_note():
    assert "provisional" in _bad("name: 先基础, status: official", "name: 先基础, status: provisional")


def test_duplicate_condition_codes_are_rejected():
    assert "duplicate condition codes ['cmmm']" in _bad("code: scale", "code: cmmm")


def test_overrides_need_a_six_digit_code_and_a_known_tier():
    base = TOY + "  '46':\n    name: 海南\n"
    with pytest.raises(ConditionError, match="6 位"):
        load_tier_model(base)
    with pytest.raises(ConditionError, match="unknown tier 'gold'"):
        load_tier_model(TOY + "  '460000':\n    name: 海南\n    tiers: {gold: []}\n")
    with pytest.raises(ConditionError, match=r"unknown conditions \['nope'\]"):
        load_tier_model(TOY + "  '460000':\n    name: 海南\n    remove: {basic: [nope]}\n")
