"""The tier check over declared facts: confirmed, awaiting confirmation, rejected, missing; and the cumulative cap
that keeps a higher tier from reading "满足" while a lower one is undecided or failing."""

import pytest

from maturity.conditions import ConditionError, evaluate, facts_in_force, load_tier_model
from maturity.library import load_tiers

# What Tidu holds itself for a CMMM-三级, above-scale enterprise with no recognised tier.
PLATFORM = {"cmmm_level": 3, "above_scale": True, "recognised_tier": "无"}
DECLARED = {
    "abnormal_list": False,
    "serious_accident_3y": False,
    "secure_controllable": True,
    "organisation_talent": True,
    "scene_count": 10,
    "ai_scene_count": 3,
}


@pytest.fixture(scope="module")
def model():
    return load_tiers("smart-factory-2025")


def confirmed(**overrides):
    return {k: {"value": v, "status": "confirmed"} for k, v in (DECLARED | overrides).items()}


def tier(ev, code):
    return next(t for t in ev.tiers if t.code == code)


def cond(ev, tier_code, code):
    return next(c for c in tier(ev, tier_code).conditions if c.code == code)


def verdicts(ev):
    return [t.verdict for t in ev.tiers]


def test_the_facts_an_enterprise_declares_are_marked_in_the_model(model):
    declared = {k for k, f in model.facts.items() if f.source == "declared"}
    assert declared == set(DECLARED) | {"provincial_self_test_tier"}
    assert all(model.facts[k].evidence for k in declared)
    assert model.facts["cmmm_level"].source == "platform"


def test_only_the_declarations_in_force_in_a_region_are_asked_for(model):
    national = facts_in_force(model, "360102", source="declared")
    assert national == tuple(DECLARED)
    assert facts_in_force(model, "320583", source="declared") == (*DECLARED, "provincial_self_test_tier")


def test_confirmed_declarations_let_the_check_say_yes(model):
    ev = evaluate(model, PLATFORM, "360102", confirmed())
    assert verdicts(ev) == ["满足", "满足", "满足", "不满足"]
    assert (ev.highest_name, ev.missing_facts, ev.pending_facts) == ("卓越级", (), ())
    c = cond(ev, "basic", "no_abnormal_list")
    assert (c.outcome, c.reason) == ("met", "「列入经营异常名录或严重失信主体名单」：否，符合基础级要求")


def test_a_confirmed_adverse_fact_fails_the_tier_and_every_tier_above(model):
    ev = evaluate(model, PLATFORM, "360102", confirmed(serious_accident_3y=True))
    assert verdicts(ev) == ["不满足"] * 4
    c = cond(ev, "basic", "no_serious_accident")
    assert c.reason == "「近三年发生较大及以上安全、环保事故」：是，不符合（基础级要求为“否”）"
    advanced = tier(ev, "advanced")
    assert advanced.own_outcome == "not_met"  # its chain condition already names 基础级
    assert tier(ev, "excellent").cap_reason == ""


def test_an_unconfirmed_declaration_is_awaiting_confirmation_never_met(model):
    decl = confirmed() | {"abnormal_list": {"value": False, "status": "declared"}}
    ev = evaluate(model, PLATFORM, "360102", decl)
    c = cond(ev, "basic", "no_abnormal_list")
    assert (c.outcome, c.verdict, c.actual) == ("pending", "待确认", "否（待确认）")
    assert c.reason == "企业已申报「列入经营异常名录或严重失信主体名单」：否，待主管部门/数字专员确认"
    assert c.pending_facts == ("abnormal_list",) and c.missing_facts == ()
    assert verdicts(ev)[:3] == ["待确认", "待确认", "待确认"]
    assert ev.highest is None and ev.pending_facts == ("abnormal_list",)


def test_an_unconfirmed_adverse_declaration_says_what_it_would_mean(model):
    decl = confirmed() | {"serious_accident_3y": {"value": True, "status": "declared"}}
    c = cond(evaluate(model, PLATFORM, "360102", decl), "basic", "no_serious_accident")
    assert c.outcome == "pending"
    assert c.reason.endswith("；按申报值不符合基础级要求（近三年发生较大及以上安全、环保事故为否）")


def test_a_missing_declaration_is_to_be_declared(model):
    decl = {k: v for k, v in confirmed().items() if k != "organisation_talent"}
    ev = evaluate(model, PLATFORM, "360102", decl)
    c = cond(ev, "basic", "organisation_talent")
    assert (c.outcome, c.verdict, c.missing_facts) == ("undeclared", "待申报", ("organisation_talent",))
    assert c.reason.startswith(
        "尚未申报「建有智能工厂规划、建设、运营的组织机制和智能制造人才队伍」，无法判断基础级要求"
    )
    assert verdicts(ev)[:3] == ["待申报"] * 3
    assert ev.missing_facts == ("organisation_talent",)


def test_a_rejected_declaration_counts_as_not_declared_and_shows_the_reason(model):
    decl = confirmed() | {"abnormal_list": {"value": False, "status": "rejected", "reason": "查询截图不清晰"}}
    c = cond(evaluate(model, PLATFORM, "360102", decl), "basic", "no_abnormal_list")
    assert c.outcome == "undeclared"
    assert c.reason.startswith("「列入经营异常名录或严重失信主体名单」的申报已退回（查询截图不清晰），须重新申报")


def test_a_missing_platform_fact_is_to_be_supplied_not_declared(model):
    ev = evaluate(model, {"above_scale": True, "recognised_tier": "无"}, "360102", confirmed())
    c = cond(ev, "basic", "cmmm")
    assert (c.outcome, c.verdict) == ("unknown", "待补充")
    assert c.reason == "缺少「CMMM 等级」，无法判断基础级要求（CMMM 等级 ≥ 一级）"


def test_the_ai_scene_share_waits_for_confirmation_of_either_count(model):
    decl = confirmed() | {"ai_scene_count": {"value": 2, "status": "declared"}}
    c = cond(evaluate(model, PLATFORM, "360102", decl), "excellent", "ai_scene_share")
    assert (c.outcome, c.actual, c.pending_facts) == ("pending", "20%（2/10）（待确认）", ("ai_scene_count",))
    decl = confirmed() | {"scene_count": {"value": 5, "status": "rejected"}}
    c = cond(evaluate(model, PLATFORM, "360102", decl), "excellent", "ai_scene_share")
    assert (c.outcome, c.missing_facts) == ("undeclared", ("scene_count",))
    assert c.reason.startswith("「场景数」的申报已退回，须重新申报，无法计算AI 场景占比")
    decl = {k: v for k, v in confirmed().items() if k != "scene_count"}
    decl["ai_scene_count"] = {"value": 2, "status": "declared"}
    c = cond(evaluate(model, PLATFORM, "360102", decl), "excellent", "ai_scene_share")
    # Still to declare one count, still to confirm the other: both are named.
    assert (c.outcome, c.missing_facts, c.pending_facts) == ("undeclared", ("scene_count",), ("ai_scene_count",))


# ---------------------------------------------------------------------------------------------------------------
# The cumulative ladder


def test_a_higher_tier_is_capped_by_an_undecided_lower_tier_and_says_why(model):
    # 卓越级 holds a recognised 先进级 and meets its own conditions; 基础级 still waits for a confirmation.
    decl = confirmed() | {"secure_controllable": {"value": True, "status": "declared"}}
    ev = evaluate(model, PLATFORM | {"recognised_tier": "先进级"}, "360102", decl)
    excellent = tier(ev, "excellent")
    assert excellent.own_outcome == "met"
    assert (excellent.outcome, excellent.verdict, excellent.capped_by) == ("pending", "待确认", "basic")
    assert excellent.cap_reason == "待确认：基础级条件尚待确认，须逐级达到"
    assert excellent.provisional  # the ladder itself is provisional in the shipped file
    assert ev.highest is None and ev.pending_facts == ("secure_controllable",)


def test_the_cap_names_the_lowest_tier_that_holds_the_ladder_back(model):
    facts = PLATFORM | {"recognised_tier": "卓越级"}
    ev = evaluate(model, facts | {"above_scale": False}, "360102", confirmed(ai_scene_count=7))
    assert tier(ev, "leading").own_outcome == "met"  # its chain rests on the recognised 卓越级
    # 先进级 fails on its own chain condition; 卓越级 and 领航级 only through the cap.
    assert [(t.outcome, t.capped_by) for t in ev.tiers] == [("not_met", None)] * 2 + [("not_met", "basic")] * 2
    assert tier(ev, "leading").cap_reason == "不满足：基础级条件未满足，须逐级达到"


def test_the_cap_never_raises_a_verdict(model):
    decl = confirmed(ai_scene_count=1)
    ev = evaluate(model, PLATFORM | {"cmmm_level": 2}, "360102", decl)
    assert verdicts(ev) == ["满足", "满足", "不满足", "不满足"]
    assert all(t.capped_by is None for t in ev.tiers[:3])


def test_a_met_tier_is_always_preceded_by_met_tiers(model):
    """Whatever mix of states, the tiers that read 满足 form an unbroken run from the bottom."""
    states = [
        {"status": "confirmed"},
        {"status": "declared"},
        {"status": "rejected", "reason": "材料不全"},
        None,
    ]
    for i, key in enumerate(DECLARED):
        for state in states:
            decl = confirmed()
            if state is None:
                decl.pop(key)
            else:
                decl[key] = {"value": DECLARED[key], **state}
            for recognised in ("无", "先进级", "卓越级"):
                ev = evaluate(model, PLATFORM | {"recognised_tier": recognised, "cmmm_level": 3 - i % 2}, None, decl)
                outcomes = [t.outcome for t in ev.tiers]
                first_not_met = next((n for n, o in enumerate(outcomes) if o != "met"), len(outcomes))
                assert all(o != "met" for o in outcomes[first_not_met:]), (key, state, recognised, outcomes)


def test_without_a_cumulative_ladder_each_tier_stands_on_its_own():
    m = load_tier_model(TOY.replace("cumulative: true", "cumulative: false"))
    ev = evaluate(m, {"cmmm_level": 2}, None, {"ok": {"value": True, "status": "declared"}})
    assert [(t.outcome, t.capped_by) for t in ev.tiers] == [("pending", None), ("met", None)]
    ev = evaluate(load_tier_model(TOY), {"cmmm_level": 2}, None, {"ok": {"value": True, "status": "declared"}})
    assert [(t.outcome, t.capped_by) for t in ev.tiers] == [("pending", None), ("pending", "basic")]
    assert ev.tiers[1].cap_reason == "待确认：基础级条件尚待确认，须逐级达到"
    assert not ev.tiers[1].provisional  # the toy ladder is official


# ---------------------------------------------------------------------------------------------------------------
# Bad input

TOY = """
code: toy
name: 玩具梯度
version: "1"
status: provisional
note: 合成测试
facts:
  cmmm_level: {type: int, label: CMMM 等级}
  ok: {type: bool, label: 未列入名录, source: declared}
tiers:
  - code: basic
    name: 基础级
    conditions:
      - {code: ok, name: 名录, status: official, when: {fact: ok, op: eq, value: true}}
  - code: advanced
    name: 先进级
    conditions:
      - {code: cmmm, name: CMMM, status: official, when: {fact: cmmm_level, op: ge, value: 2}}
ladder: {cumulative: true, status: official}
"""


def test_a_platform_fact_cannot_be_declared_and_a_fact_cannot_come_twice(model):
    with pytest.raises(ConditionError, match="cmmm_level.*not a declared fact"):
        evaluate(model, PLATFORM, None, {"cmmm_level": {"value": 3, "status": "confirmed"}})
    with pytest.raises(ConditionError, match="given twice"):
        evaluate(model, PLATFORM | {"abnormal_list": False}, None, confirmed())


def test_a_declaration_needs_a_known_status_and_a_value_of_the_facts_type(model):
    with pytest.raises(ConditionError, match="bad declaration status"):
        evaluate(model, PLATFORM, None, {"abnormal_list": {"value": False, "status": "approved"}})
    with pytest.raises(ConditionError, match="scene_count.*wrong fact type"):
        evaluate(model, PLATFORM, None, {"scene_count": {"value": "十", "status": "declared"}})


def test_a_provisional_ladder_needs_a_note():
    with pytest.raises(ConditionError, match="provisional"):
        load_tier_model(TOY.replace("status: official}", "status: provisional}"))
