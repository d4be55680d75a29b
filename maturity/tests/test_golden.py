"""Golden results for every shipped model: answers whose figures were worked out by hand (arithmetic in comments).

These pin the behaviour users see (scores, levels, which levels count), so a change to a model file or to the
engine that moves any of them must be deliberate. Expected numbers are literals, never recomputed here.
"""

import pytest

from maturity import NA, ItemDoesNotApplyError, score
from maturity.library import load
from maturity.spec import ModelSpec

DISCRETE = {"production_type": "discrete"}
PROCESS = {"production_type": "process"}

# ---------------------------------------------------------------------------------------------------------------
# CMMM 2020. Under cmmm_cumulative a level score is the equal-weight mean over the sub-domains that have items at
# that level of each sub-domain's item mean. Sub-domains per level: 18 at level 1 (集成 T2.1 and 产品服务 M5.2 start
# at level 2), 20 at levels 2–5. The total S adds level scores up to and including the first level below 0.8.


@pytest.fixture(scope="module")
def cmmm() -> ModelSpec:
    return load("cmmm-2020")


def applies(item, context: dict | None) -> bool:
    types = item.applies_to.production_types
    return not (context and types and context["production_type"] not in types)


def cmmm_answers(spec: ModelSpec, context: dict | None, value: object = "full", **sub_levels: object) -> dict:
    """`value` for every item that applies; `M2_4_L2="none"` sets every applicable item of M2.4 at level 2."""
    out = {r.item.code: value for r in spec.iter_items() if applies(r.item, context)}
    for key, v in sub_levels.items():
        sub, lv = key.rsplit("_L", 1)
        sub = sub.replace("_", ".")
        for r in spec.iter_items():
            if r.path[-1].code == sub and r.item.level == int(lv) and applies(r.item, context):
                out[r.item.code] = v
    return out


def level_scores(result) -> list[float | None]:
    return [lv.score for lv in result.levels]


@pytest.mark.parametrize("context", [None, DISCRETE, PROCESS], ids=["no-context", "discrete", "process"])
def test_cmmm_all_full_is_5_and_level_5(cmmm, context):
    r = score(cmmm, cmmm_answers(cmmm, context), context)
    assert level_scores(r) == pytest.approx([1.0] * 5)
    assert r.score == pytest.approx(5.0) and r.level == 5 and r.level_name == "五级（引领级）"
    assert r.provisional


def test_cmmm_all_none_is_0_and_below_level_1(cmmm):
    r = score(cmmm, cmmm_answers(cmmm, DISCRETE, "none"), DISCRETE)
    # L1 = 0 fails; it still counts (the first failed level is included), nothing above it does: S = 0.
    assert r.levels[0].score == 0.0 and not r.levels[0].passed and r.levels[0].counted
    assert [lv.counted for lv in r.levels] == [True, False, False, False, False]
    assert r.score == 0.0 and r.level == 0 and r.level_name == "一级以下"


def test_cmmm_all_mostly_met_passes_every_level_exactly_at_0_8(cmmm):
    # Every item 大部分满足 = 0.8 → every sub-domain 0.8 → every level 0.8, which passes (≥ 0.8).
    # S = 5 × 0.8 = 4.0 → 四级 (3.8 ≤ S < 4.8).
    r = score(cmmm, cmmm_answers(cmmm, DISCRETE, "most"), DISCRETE)
    assert level_scores(r) == pytest.approx([0.8] * 5)
    assert all(lv.passed and lv.counted for lv in r.levels)
    assert r.score == pytest.approx(4.0) and r.level == 4 and r.level_name == "四级（优化级）"


def test_cmmm_level_exactly_at_threshold_passes(cmmm):
    # Level 2: four of the 20 sub-domains score 0 → (20 − 4) / 20 = 0.8 → passes.
    # S = 1 + 0.8 + 1 + 1 + 1 = 4.8 → 五级 (4.8 ≤ S ≤ 5).
    answers = cmmm_answers(cmmm, DISCRETE, P1_1_L2="none", T1_1_L2="none", R1_1_L2="none", M2_4_L2="none")
    r = score(cmmm, answers, DISCRETE)
    assert r.levels[1].score == pytest.approx(0.8) and r.levels[1].passed
    assert r.score == pytest.approx(4.8) and r.level == 5


def test_cmmm_level_just_below_threshold_fails_and_higher_levels_do_not_count(cmmm):
    # As above, plus 仓储配送 M2.5 at level 2 = (0.8 + 1) / 2 = 0.9:
    # level 2 = (15 + 0.9) / 20 = 0.795 < 0.8 → fails. Levels 3–5 are all met but not counted.
    # S = 1 + 0.795 = 1.795 → 一级 (0.8 ≤ S < 1.8).
    answers = cmmm_answers(cmmm, DISCRETE, P1_1_L2="none", T1_1_L2="none", R1_1_L2="none", M2_4_L2="none")
    answers["M2.5-L2-1"] = "most"
    r = score(cmmm, answers, DISCRETE)
    assert r.levels[1].score == pytest.approx(0.795) and not r.levels[1].passed
    assert [lv.passed for lv in r.levels] == [True, False, True, True, True]
    assert [lv.counted for lv in r.levels] == [True, True, False, False, False]
    assert r.score == pytest.approx(1.795) and r.level == 1 and r.level_name == "一级（规划级）"


def test_cmmm_full_level_3_is_blocked_by_a_failed_level_2(cmmm):
    # Level 2: five sub-domains 0 → 15 / 20 = 0.75, fails. Levels 3–5 are fully met (1.0) but blocked.
    # S = 1 + 0.75 = 1.75 → 一级.
    answers = cmmm_answers(
        cmmm, PROCESS, P1_1_L2="none", P2_1_L2="none", T1_1_L2="none", T2_1_L2="none", T3_1_L2="none"
    )
    r = score(cmmm, answers, PROCESS)
    assert level_scores(r) == pytest.approx([1.0, 0.75, 1.0, 1.0, 1.0])
    assert r.levels[2].passed and not r.levels[2].counted
    assert r.score == pytest.approx(1.75) and r.level == 1


def test_cmmm_level_1_has_18_subdomains(cmmm):
    # Four level-1 sub-domains at 0: 14 / 18 = 0.777… < 0.8, whereas four of 20 at level 2 gave exactly 0.8.
    # S = 7/9 ≈ 0.7778 < 0.8 → 一级以下.
    answers = cmmm_answers(cmmm, DISCRETE, P1_1_L1="none", T1_1_L1="none", R1_1_L1="none", M2_4_L1="none")
    r = score(cmmm, answers, DISCRETE)
    assert r.levels[0].score == pytest.approx(14 / 18) and not r.levels[0].passed
    assert r.score == pytest.approx(0.7777777777777778) and r.level == 0


def test_cmmm_not_applicable_item_is_left_out_of_its_subdomain_mean(cmmm):
    # 产品设计 M1.1 at level 2 has two items: N/A and 部分满足 0.5 → sub-domain 0.5 (not (0 + 0.5) / 2 = 0.25).
    # Level 2 = (19 + 0.5) / 20 = 0.975; S = 1 + 0.975 + 1 + 1 + 1 = 4.975 → 五级.
    answers = {**cmmm_answers(cmmm, DISCRETE), "M1.1-L2-1": NA, "M1.1-L2-2": "partial"}
    r = score(cmmm, answers, DISCRETE)
    assert r.items["M1.1-L2-1"].state == "not_applicable"
    assert r.levels[1].score == pytest.approx(0.975)
    assert r.score == pytest.approx(4.975) and r.level == 5


def test_cmmm_not_applicable_subdomain_leaves_the_level_mean(cmmm):
    # Level 3: P1.1, T1.1, R1.1 score 0; 能源管理 M2.7 = (0.5 + 1) / 2 = 0.75; the rest 1.
    base = cmmm_answers(cmmm, DISCRETE, P1_1_L3="none", T1_1_L3="none", R1_1_L3="none")
    base["M2.7-L3-1"] = "partial"
    # 产品服务 M5.2 answered 不满足: level 3 = (15 + 0.75 + 0) / 20 = 0.7875 → fails;
    # S = 1 + 1 + 0.7875 = 2.7875 → 二级.
    answered_none = score(cmmm, {**base, "M5.2-L3-1": "none", "M5.2-L3-2": "none"}, DISCRETE)
    assert answered_none.levels[2].score == pytest.approx(0.7875) and not answered_none.levels[2].passed
    assert answered_none.score == pytest.approx(2.7875) and answered_none.level == 2
    # M5.2 marked N/A at level 3: it leaves the mean, 19 sub-domains: (15 + 0.75) / 19 = 0.828947… → passes.
    # S = 1 + 1 + 15.75/19 + 1 + 1 = 4.828947… → 五级.
    not_applicable = score(cmmm, {**base, "M5.2-L3-1": NA, "M5.2-L3-2": NA}, DISCRETE)
    assert not_applicable.levels[2].score == pytest.approx(0.8289473684210527) and not_applicable.levels[2].passed
    assert not_applicable.score == pytest.approx(4.828947368421053) and not_applicable.level == 5


def test_cmmm_production_type_decides_which_items_count(cmmm):
    # 安全环保 M2.6 at level 3: 集中监控 (all firms) + 连续过程安全联锁 (process only).
    # Discrete: only M2.6-L3-1 = 0 → sub-domain 0 → level 3 = 19 / 20 = 0.95.
    discrete = score(cmmm, {**cmmm_answers(cmmm, DISCRETE), "M2.6-L3-1": "none"}, DISCRETE)
    assert discrete.items["M2.6-L3-2"].state == "excluded"
    assert discrete.levels[2].score == pytest.approx(0.95) and discrete.score == pytest.approx(4.95)
    # Process: (0 + 1) / 2 = 0.5 → level 3 = 19.5 / 20 = 0.975.
    process = score(cmmm, {**cmmm_answers(cmmm, PROCESS), "M2.6-L3-1": "none"}, PROCESS)
    assert process.levels[2].score == pytest.approx(0.975) and process.score == pytest.approx(4.975)
    # 6 items are discrete-only and 8 process-only.
    assert sum(i.state == "excluded" for i in discrete.items.values()) == 8
    assert sum(i.state == "excluded" for i in process.items.values()) == 6
    with pytest.raises(ItemDoesNotApplyError):
        score(cmmm, {"M2.6-L3-2": "full"}, DISCRETE)


def test_cmmm_without_production_type_unanswered_variant_items_count_as_zero(cmmm):
    # The same discrete firm's answers (process-only items left blank), scored without a production type:
    # every item applies and the 8 blank process items count 0.
    #   L2: M1.2, M2.2, M2.3, M2.6 each 2/3 → (16 + 4 × 2/3) / 20 = 14/15
    #   L3: M2.3 3/4, M2.6 1/2 → (18 + 0.75 + 0.5) / 20 = 0.9625
    #   L4: M2.3 2/3, M2.6 1/2 → (18 + 2/3 + 1/2) / 20 = 23/24
    #   S = 1 + 14/15 + 0.9625 + 23/24 + 1 = 1165/240 = 4.8541666… → 五级
    answers = cmmm_answers(cmmm, DISCRETE)
    assert score(cmmm, answers, DISCRETE).score == pytest.approx(5.0)
    r = score(cmmm, answers)
    assert level_scores(r) == pytest.approx([1.0, 0.9333333333333333, 0.9625, 0.9583333333333334, 1.0])
    assert r.score == pytest.approx(4.854166666666667) and r.level == 5


# ---------------------------------------------------------------------------------------------------------------
# SME 2022 (official bands over the provisional tree). Points: 基础 25, 经营 40 (16 scenes × 2.5, 0.625 a grade),
# 管理 15, 成效 20.


@pytest.fixture(scope="module")
def sme22() -> ModelSpec:
    return load("sme-2022")


def zero_answers(spec: ModelSpec) -> dict[str, object]:
    """The lowest answer to every scored item (0 points each)."""
    out: dict[str, object] = {}
    for ref in spec.iter_items():
        it = ref.item
        if it.kind == "multi_select":
            out[it.code] = []
        elif it.kind == "single_choice":
            out[it.code] = min(it.options, key=lambda o: o.points).code
        elif it.kind == "numeric_bands":
            out[it.code] = 0
        elif it.kind == "scene":
            out[it.code] = it.min_grade
    return out


COLLECTION_ALL = [  # 数据采集: 13 环节 + 人力资源
    "product-design",
    "process-design",
    "marketing",
    "after-sales",
    "scheduling",
    "production-control",
    "quality",
    "equipment",
    "safety",
    "energy",
    "procurement",
    "warehousing",
    "finance",
    "hr",
]
SCENES = [f"O1.{i}" for i in range(1, 5)] + [f"O2.{i}" for i in range(1, 7)] + ["O3.1", "O3.2"]
SCENES += [f"O4.{i}" for i in range(1, 5)]
RESULTS_FULL = {"E1.1": "down", "E2.1": "up", "E3.1": "up", "E3.2": "down"}  # 7 + 7 + 3 + 3 = 20
MANAGEMENT_FULL_2022 = {  # 3.75 + 4 × 0.9375 + 5 × 0.75 + 3.75 = 15
    "M1.1": "benchmarking",
    "M1.2": ["process", "systems", "data", "incentives"],
    "M2.1": ["staff", "unit", "training", "pay", "pipeline"],
    "M2.2": "60-100",
}


def scenes_at(grade: int) -> dict[str, str]:
    return {code: str(grade) for code in SCENES}


def sme22_case(sme22, **overrides):
    return score(sme22, {**zero_answers(sme22), **overrides})


def check(r, total: float, level: int, name: str) -> None:
    assert r.score == pytest.approx(total, abs=1e-9)
    assert (r.level, r.level_name) == (level, name)


def test_sme_2022_all_zero_and_all_best(sme22):
    check(sme22_case(sme22), 0.0, 0, "未达一级")
    best = {
        **scenes_at(4),
        **RESULTS_FULL,
        **MANAGEMENT_FULL_2022,
        "B1.1": ["ot-net", "it-net", "5g", "coverage"],
        "B1.2": 100,
        "B1.3": 100,
        "B2.1": COLLECTION_ALL,
        "B3.1": "all",
        "B4.1": ["policy", "products", "risk", "access"],
        "B4.2": ["policy", "protection", "risk", "inventory"],
    }
    r = sme22_case(sme22, **best)
    check(r, 100.0, 4, "四级")  # 25 + 40 + 15 + 20
    assert r.provisional  # official bands, provisional tree


def test_sme_2022_band_edge_20(sme22):
    check(sme22_case(sme22, **scenes_at(2)), 20.0, 1, "一级")  # 16 scenes × 2 grades × 0.625 = 20
    check(sme22_case(sme22, **{**scenes_at(2), "O4.4": "1"}), 19.375, 0, "未达一级")  # 20 − 0.625


def test_sme_2022_band_edge_40(sme22):
    check(sme22_case(sme22, **scenes_at(4)), 40.0, 2, "二级")  # 16 × 2.5 = 40
    check(sme22_case(sme22, **{**scenes_at(4), "O2.2": "3"}), 39.375, 1, "一级")  # 40 − 0.625


def test_sme_2022_band_edge_60(sme22):
    check(sme22_case(sme22, **scenes_at(4), **RESULTS_FULL), 60.0, 3, "三级")  # 40 + 20
    # 市场表现 持平 instead of 增加: 60 − 1.5 = 58.5
    check(sme22_case(sme22, **scenes_at(4), **{**RESULTS_FULL, "E3.1": "flat"}), 58.5, 2, "二级")


def test_sme_2022_band_edge_80(sme22):
    at_80 = {**scenes_at(4), **RESULTS_FULL, **MANAGEMENT_FULL_2022, "B3.1": "all"}
    check(sme22_case(sme22, **at_80), 80.0, 4, "四级")  # 40 + 20 + 15 + 信息系统 5
    check(sme22_case(sme22, **{**at_80, "B3.1": "most"}), 78.75, 3, "三级")  # 80 − 5 + 3.75


def test_sme_2022_mixed_answers(sme22):
    answers = {
        # 基础: 2 × 1 + 35% → 1.5 + 15% → 0.75 + (0.35 + 0.35 + 0.45) + 2.5 + 0.625 + 0 = 8.525
        "B1.1": ["ot-net", "it-net"],
        "B1.2": 35,
        "B1.3": 15,
        "B2.1": ["finance", "quality", "hr"],
        "B3.1": "several",
        "B4.1": ["policy"],
        # 经营: grades 2+1+3+0 + 2+2+2+1+1+0 + 2+2 + 3+1+1+0 = 23 × 0.625 = 14.375
        **dict(zip(SCENES, "2130" + "222110" + "22" + "3110", strict=True)),
        # 管理: 1.5 + 2 × 0.9375 + 2 × 0.75 + 0.9375 = 5.8125
        "M1.1": "planned",
        "M1.2": ["process", "data"],
        "M2.1": ["staff", "training"],
        "M2.2": "10-20",
        # 成效: 3.5 + 7 + 3 + 1.5 = 15
        "E1.1": "flat",
        "E2.1": "up",
        "E3.1": "up",
        "E3.2": "flat",
    }
    # 8.525 + 14.375 + 5.8125 + 15 = 43.7125 → 二级
    check(sme22_case(sme22, **answers), 43.7125, 2, "二级")


# ---------------------------------------------------------------------------------------------------------------
# SME 2024: 基础 50, 管理 30, 成效 20; scenes graded apart and not in the score; provisional 2022 bands.


@pytest.fixture(scope="module")
def sme24() -> ModelSpec:
    return load("sme-2024")


BASIS_FULL_2024 = {  # 8 + 6 + 6 + 10 + 10 + 5 + 5 = 50
    "B1.1": ["ot-net", "it-net", "5g", "coverage"],
    "B1.2": 100,
    "B1.3": 61,
    "B2.1": COLLECTION_ALL,
    "B3.1": "all",
    "B4.1": ["policy", "products", "risk", "access"],
    "B4.2": ["policy", "protection", "risk", "inventory"],
}
MANAGEMENT_FULL_2024 = {**MANAGEMENT_FULL_2022}  # same codes: 7.5 + 4 × 1.875 + 5 × 1.5 + 7.5 = 30


def sme24_case(sme24, **overrides):
    return score(sme24, {**zero_answers(sme24), **overrides})


def test_sme_2024_band_edge_20(sme24):
    check(sme24_case(sme24, **RESULTS_FULL), 20.0, 1, "一级")  # 7 + 7 + 3 + 3
    check(sme24_case(sme24, **{**RESULTS_FULL, "E3.1": "flat"}), 18.5, 0, "一级以下")  # 20 − 1.5


def test_sme_2024_band_edge_40(sme24):
    security = {"B3.1": "all", "B4.1": ["policy", "products", "risk", "access"]}
    security["B4.2"] = ["policy", "protection", "risk", "inventory"]
    check(sme24_case(sme24, **RESULTS_FULL, **security), 40.0, 2, "二级")  # 20 + 10 + 5 + 5
    fewer = {**security, "B4.1": ["policy", "products", "risk"]}
    check(sme24_case(sme24, **RESULTS_FULL, **fewer), 38.75, 1, "一级")  # 40 − 1.25


def test_sme_2024_band_edge_80_and_scenes_do_not_count(sme24):
    check(sme24_case(sme24, **BASIS_FULL_2024, **MANAGEMENT_FULL_2024), 80.0, 4, "四级")  # 50 + 30
    lower = {**MANAGEMENT_FULL_2024, "M1.1": "effective"}  # 规划实施 6 instead of 7.5
    check(sme24_case(sme24, **BASIS_FULL_2024, **lower), 78.5, 3, "三级")
    # Every scene at grade 4 changes nothing: scenes are graded apart from the 100 points.
    check(sme24_case(sme24, **BASIS_FULL_2024, **lower, **{c: 4 for c in SCENES}), 78.5, 3, "三级")


# ---------------------------------------------------------------------------------------------------------------
# DCMM 2018: overall = mean of the 8 area means (1–5); provisional floor bands.


@pytest.fixture(scope="module")
def dcmm() -> ModelSpec:
    return load("dcmm-2018")


def dcmm_case(dcmm, default: int, **areas: str):
    """Every item at `default`, except areas given as digit strings by node code (e.g. D5="555")."""
    answers: dict[str, object] = {}
    for node in dcmm.nodes:
        grades = areas.get(node.code, str(default) * len(node.items))
        answers.update({it.code: g for it, g in zip(node.items, grades, strict=True)})
    return score(dcmm, answers)


def test_dcmm_mixed_areas(dcmm):
    # Areas: six at 2, 数据安全 D5 = 5, 数据质量 D6 = (4 + 4 + 3 + 3) / 4 = 3.5
    # overall = (6 × 2 + 5 + 3.5) / 8 = 20.5 / 8 = 2.5625 → 受管理级
    check(dcmm_case(dcmm, 2, D5="555", D6="4433"), 2.5625, 2, "受管理级")


def test_dcmm_just_below_4(dcmm):
    # 数据战略 D1 = (4 + 4 + 3) / 3 = 11/3; overall = (7 × 4 + 11/3) / 8 = 95/24 = 3.9583… → 稳健级
    check(dcmm_case(dcmm, 4, D1="443"), 3.9583333333333335, 3, "稳健级")
    check(dcmm_case(dcmm, 4), 4.0, 4, "量化管理级")
