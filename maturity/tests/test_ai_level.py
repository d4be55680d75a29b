"""The provisional AI-level model (library/ai-level-2026.yaml) and its rule `capped_bands`, by hand-computed cases:
the weighted mean on 0–4 (application and foundations 1 : 1, links equal, scenes equal, six foundation questions
equal), its floor as the level, capped by 安全与治理 (F6); the AI-scene share against the smart-factory tiers."""

import numpy as np
import pytest

from maturity import NA, SpecLoadError, load_yaml, roadmap, score, score_many
from maturity.ai_level import AI_MODEL, scene_share, share_thresholds, tier_facts
from maturity.library import load, load_tiers
from maturity.tests.specs import CAPPED_YAML

LINKS = {
    "A1": ("研发设计", 2),
    "A2": ("中试验证", 2),
    "A3": ("生产制造", 6),
    "A4": ("质量检测", 3),
    "A5": ("供应链管理", 4),
    "A6": ("营销服务", 3),
    "A7": ("运营管理", 3),
}
FOUNDATIONS = ["战略与领导力", "人才与素养", "数据基础", "算力与平台", "模型与智能体应用", "安全与治理"]


@pytest.fixture(scope="module")
def spec():
    return load("ai-level-2026")


def scenes(spec):
    return [r.item.code for r in spec.iter_items() if r.item.kind == "scene"]


def answers(spec, scene=None, f=None, **extra):
    """Every scene at grade `scene` (or unanswered), F1–F6 at the given grades ("2" …) , then `extra` on top."""
    out = {}
    if scene is not None:
        out |= dict.fromkeys(scenes(spec), scene)
    if f is not None:
        out |= {f"F{i}": str(g) for i, g in enumerate(f, 1)}
    return out | extra


def test_the_model_has_two_axes_seven_links_and_six_foundations_all_provisional(spec):
    assert spec.code == AI_MODEL and spec.status == "provisional" and spec.is_provisional
    assert spec.rule.type == "capped_bands" and spec.rule.status == "provisional" and spec.rule.caps == ["F6"]
    assert [n.name for n in spec.nodes] == ["人工智能应用", "人工智能基础"]
    links = {n.code: (n.name, len(n.items)) for n in spec.nodes[0].children}
    assert links == LINKS
    assert [it.name for it in spec.nodes[1].items] == FOUNDATIONS
    for ref in spec.iter_items():
        item = ref.item
        assert ref.status == "provisional"
        if item.kind == "scene":
            assert (item.min_grade, item.max_grade, item.not_applicable_allowed) == (0, 4, True)
            assert item.grade_labels[0] == "未应用人工智能" and len(item.grade_labels) == 5
        else:
            assert [o.points for o in item.options] == [0, 1, 2, 3, 4]
    assert [lv.name[:2] for lv in spec.levels] == ["L1", "L2", "L3", "L4"] and spec.below_level_name.startswith("L0")


def test_top_and_bottom(spec):
    top = score(spec, answers(spec, 4, [4] * 6))
    assert (top.score, top.level, top.level_name) == (4.0, 4, "L4 协同智能")
    bottom = score(spec, answers(spec, 0, [0] * 6))
    assert (bottom.score, bottom.level, bottom.level_name) == (0.0, 0, "L0 未起步")


def test_one_link_and_the_foundations_at_two_is_level_two(spec):
    # Only A3.1 answered (2 of 4) and the rest N/A: application = 0.5; foundations all 2 = 0.5; 4 × 0.5 = 2.0 → L2.
    ans = answers(spec, NA, [2] * 6, **{"A3.1": 2})
    r = score(spec, ans)
    assert (r.score, r.level) == (2.0, 2)
    assert r.nodes["A"].score == 0.5 and r.nodes["A3"].score == 0.5 and r.nodes["A1"].score is None


def test_a_hand_computed_mix(spec):
    # A1: 2, 0 → (0.5 + 0) / 2 = 0.25; A4: 3, N/A, 1 → (0.75 + 0.25) / 2 = 0.5; other links N/A → A = 0.375.
    # F: 3 2 2 1 1 3 → 12 / 24 = 0.5. Total 4 × (0.375 + 0.5) / 2 = 1.75 → L1; F6 = 3 allows L3, so L1.
    ans = answers(spec, NA, [3, 2, 2, 1, 1, 3], **{"A1.1": 2, "A1.2": 0, "A4.1": 3, "A4.3": 1})
    r = score(spec, ans)
    assert r.score == pytest.approx(1.75) and r.level == 1
    assert r.nodes["A"].score == pytest.approx(0.375) and r.nodes["F"].score == pytest.approx(0.5)
    assert "总分 1.75（满分 4），按分数段为L1 探索起步。" in r.trace
    # Next level L2 needs 2: the score is 0.25 short, and F6 at L3 does not hold it back.
    assert [b.kind for b in r.blockers][0] == "score" and "cap" not in {b.kind for b in r.blockers}


def test_safety_and_governance_caps_the_level(spec):
    # Every scene 4, F1–F5 4, F6 1: A = 1, F = 21 / 24 = 0.875; total 4 × 0.9375 = 3.75 → L3 by score, capped to L1.
    r = score(spec, answers(spec, 4, [4, 4, 4, 4, 4, 1]))
    assert r.score == pytest.approx(3.75) and (r.level, r.level_name) == (1, "L1 探索起步")
    assert "「安全与治理」为L1 探索起步，总体等级不高于它，故为L1 探索起步。" in r.trace
    (cap,) = [b for b in r.blockers if b.kind == "cap"]
    assert (cap.level, cap.code, cap.current, cap.target, cap.gap) == (2, "F6", 0.25, 0.5, 0.25)
    assert cap.message == "「安全与治理」当前为L1 探索起步（1），总体等级不高于它：需 ≥ 2，差 1。"
    # Below the score's band and the cap at once, the cap is named first.
    both = score(spec, answers(spec, 1, [1, 1, 1, 1, 1, 1]))
    assert both.level == 1 and [b.kind for b in both.blockers][:2] == ["cap", "score"]
    # Governance at the score's own level lifts the cap entirely.
    assert score(spec, answers(spec, 4, [4, 4, 4, 4, 4, 3])).level == 3


def test_missing_answers_count_zero_and_an_unanswered_governance_caps_at_l0(spec):
    nothing = score(spec, {})
    assert (nothing.score, nothing.level) == (0.0, 0)
    assert "有 29 个计分条目未作答，按 0 分计。" in nothing.trace
    # Every scene 4 and F1–F5 4, F6 unanswered: F = 20 / 24; total 4 × (1 + 5/6) / 2 = 3.667 → L3 by score, L0 capped.
    r = score(spec, answers(spec, 4, [4, 4, 4, 4, 4]))
    assert r.score == pytest.approx(11 / 3) and r.level == 0
    assert r.items["F6"].state == "missing"
    # Unanswered scenes count 0 in their link: A3 with only A3.1 at 4 of six scenes scores 4 / 24.
    ans = {c: v for c, v in answers(spec, NA, [0] * 6).items() if not c.startswith("A3.")} | {"A3.1": 4}
    r = score(spec, ans)
    assert r.nodes["A3"].score == pytest.approx(1 / 6)


def test_score_many_agrees_with_score_on_the_model(spec):
    rng = np.random.default_rng(22)
    codes = [r.item.code for r in spec.iter_items()]
    rows = []
    for _ in range(200):
        row = {}
        for code in codes:
            roll = rng.integers(0, 7)
            if code.startswith("A"):
                row[code] = None if roll == 5 else NA if roll == 6 else int(roll % 5)
            else:
                row[code] = None if roll >= 5 else str(int(roll))
        rows.append({c: v for c, v in row.items() if v is not None})
    batch = score_many(spec, rows)
    for i, row in enumerate(rows):
        r = score(spec, row)
        assert batch.levels[i] == r.level and batch.scores[i] == pytest.approx(r.score, abs=1e-9)


def test_the_roadmap_raises_governance_first_when_it_holds_the_level(spec):
    # Every other answer at 1 and F6 at 0: total 4 × (0.25 + 5/24) / 2 = 0.9167 → L0. L1 needs total ≥ 1 and F6 ≥ 1;
    # F6 0 → 1 (one unit of effort) adds 4 × 0.5 × 1/6 × 1/4 = 0.0833, exactly enough.
    ans = answers(spec, 1, [1, 1, 1, 1, 1, 0])
    assert score(spec, ans).score == pytest.approx(11 / 12)
    plan = roadmap(spec, ans, target_level=1)
    assert [(s.code, s.to_value, s.effort) for s in plan.steps] == [("F6", "1", 1.0)]
    assert plan.reached and plan.result.score == pytest.approx(1.0) and plan.result.level == 1
    # Capped at L1 with a 3.75 total: to L2 only governance must move, 1 → 2 (the second rung, cost 2).
    capped = answers(spec, 4, [4, 4, 4, 4, 4, 1])
    plan = roadmap(spec, capped, target_level=2)
    assert [(s.code, s.from_value, s.to_value, s.effort) for s in plan.steps] == [("F6", "1", "2", 2.0)]
    assert plan.result.level == 2
    top = roadmap(spec, capped, target_level=4)
    assert [(s.code, s.to_value, s.effort) for s in top.steps] == [("F6", "4", 9.0)] and top.result.level == 4


def test_capped_bands_rejects_a_cap_that_is_not_a_scored_item():
    with pytest.raises(SpecLoadError, match="caps"):
        load_yaml(CAPPED_YAML.replace("caps: [gov]", "caps: [F]"))
    with pytest.raises(SpecLoadError, match="封顶条目重复"):
        load_yaml(CAPPED_YAML.replace("caps: [gov]", "caps: [gov, gov]"))


# --- the AI-scene share ---------------------------------------------------------------------------------------------


def share_of(spec, ans):
    return scene_share(spec, score(spec, ans).to_dict()["items"])


def test_the_share_counts_scenes_graded_above_none_among_the_scenes_the_enterprise_has(spec):
    ans = answers(spec, NA, [2] * 6, **{"A1.1": 2, "A1.2": 0, "A4.1": 3, "A4.3": 1})
    share = share_of(spec, ans)
    assert (share.scenes, share.ai_scenes, share.unanswered, share.not_applicable) == (4, 3, 0, 19)
    assert share.share == 0.75 and tier_facts(share) == {"scene_count": 4, "ai_scene_count": 3}


def test_unanswered_scenes_count_as_scenes_without_ai_and_no_scene_leaves_the_share_unknown(spec):
    share = share_of(spec, {"A3.1": 1})
    assert (share.scenes, share.ai_scenes, share.unanswered) == (23, 1, 22)
    assert share.share == pytest.approx(1 / 23)
    none = share_of(spec, dict.fromkeys(scenes(spec), NA))
    assert (none.scenes, none.share, tier_facts(none)) == (0, None, {})


def test_the_share_against_the_smart_factory_thresholds():
    model = load_tiers("smart-factory-2025")
    rows = [(t.tier, t.tier_name, t.op, t.value, t.provisional, t.met) for t in share_thresholds(model, 0.2)]
    # Exactly 20 % meets 卓越级 (≥); 领航级 needs 60 %. Both thresholds are provisional ([P]) in the tier file.
    assert rows == [("excellent", "卓越级", "ge", 0.2, True, True), ("leading", "领航级", "ge", 0.6, True, False)]
    assert [t.met for t in share_thresholds(model, 0.19)] == [False, False]
    assert [t.met for t in share_thresholds(model, 0.6)] == [True, True]
    assert [t.met for t in share_thresholds(model, None, "320500")] == [None, None]


def test_one_in_five_ai_scenes_is_exactly_the_excellent_share(spec):
    ans = dict.fromkeys(scenes(spec), NA) | {"A3.1": 2, "A3.2": 0, "A3.3": 0, "A3.4": 0, "A3.5": 0}
    share = share_of(spec, ans)
    assert (share.ai_scenes, share.scenes, share.share) == (1, 5, 0.2)
    assert [t.met for t in share_thresholds(load_tiers("smart-factory-2025"), share.share)] == [True, False]
