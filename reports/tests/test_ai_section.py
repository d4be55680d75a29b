"""The diagnosis report's AI section: present only when the enterprise has an AI-level result; it states the level
(and the cap by 安全与治理), the AI-scene share against the smart-factory tiers, the roadmap's steps and the AI-capable
solutions and providers of the resource pool (synthetic enterprises, providers and solutions)."""

import pytest

import maturity
from assessments import services as assessment_services
from assessments.models import ModelVersion
from catalog import services as catalog_services
from catalog.models import Provider, Scenario, Solution
from conftest import make_code
from reports.compose import compose
from reports.render import html_body

from .test_reports import level_one_only, submit_cmmm

pytestmark = pytest.mark.django_db


def submit_ai(world, answers):
    version = ModelVersion.objects.get(code="ai-level", is_current=True)
    a = assessment_services.start(actor=world["enterprise"], enterprise=world["home"], version=version, kind="self")
    full = {r.item.code: "n/a" for r in version.parsed().iter_items() if r.item.kind == "scene"} | answers
    assessment_services.save_answers(actor=world["enterprise"], assessment=a, updates=full)
    assessment_services.submit(actor=world["enterprise"], assessment=a)
    return a


def provider(name, types, regions=()):
    return catalog_services.provider_create(
        actor=None,
        provider=Provider(
            name=name,
            credit_code=make_code("360100"),
            region_id="360100",
            status="published",
            types=list(types),
            regions_served=list(regions),
        ),
    )


def solution(owner, title, scenario, ai):
    return catalog_services.solution_save(
        actor=None,
        solution=Solution(provider=owner, title=title, description="测试方案", status="published", ai_capability=ai),
        scenario_codes=[scenario.code],
    )


def test_no_ai_result_means_no_ai_section(world):
    submit_cmmm(world, world["home"], level_one_only)
    content = compose(world["home"], world["county"])
    assert content["ai"] is None and 'id="ai"' not in html_body(content)


def test_the_ai_section_states_level_cap_share_steps_and_ai_solutions(world):
    inspection = Scenario.objects.get(name="在线智能检测")
    vision = provider("视觉智能公司", ["ai"])
    ai_solution = solution(vision, "AI 视觉缺陷检测", inspection, ai=True)
    solution(provider("传统检测公司", ["hardware"]), "人工目检工作台", inspection, ai=False)
    provider("外省模型公司", ["ai"], regions=["440000"])  # does not serve Jiangxi
    # 在线智能检测 1, 质量精准追溯 0, the other scenes N/A: A = (0.25 + 0) / 2 = 0.125; F1–F5 at 2, 安全与治理 at 0:
    # F = 10 / 24. Total 4 × (0.125 + 0.41667) / 2 = 1.0833 → L1 by score, capped to L0 by 安全与治理.
    answers = {"A4.1": 1, "A4.2": 0} | {f"F{i}": "2" for i in range(1, 6)} | {"F6": "0"}
    a = submit_ai(world, answers)
    content = compose(world["home"], world["county"])
    (model,) = content["models"]
    ai = content["ai"]
    assert model["code"] == ai["code"] == "ai-level" and ai["assessment_id"] == a.pk and ai["provisional"]
    assert (ai["level"], ai["level_name"], ai["level_by_score_name"]) == (0, "L0 未起步", "L1 探索起步")
    assert ai["score"] == pytest.approx(1.08, abs=0.005)
    assert ai["caps"] == [{"code": "F6", "name": "安全与治理", "level_name": "L0 未起步", "holds": True}]
    assert [x["score"] for x in ai["axes"]] == [12.5, pytest.approx(41.7)]
    assert {link["name"]: link["score"] for link in ai["links"]}["质量检测"] == 12.5
    # Two scenes, one with AI: 50 % ≥ 20 % (卓越级) but < 60 % (领航级); both thresholds provisional.
    scenes = ai["scenes"]
    assert (scenes["scenes"], scenes["ai_scenes"], scenes["share"], scenes["not_applicable"]) == (2, 1, 50.0, 21)
    assert [(t["tier"], t["percent"], t["met"], t["provisional"]) for t in scenes["thresholds"]] == [
        ("卓越级", "20", True, True),
        ("领航级", "60", False, True),
    ]
    assert scenes["in_tier_check"]
    # The next level needs only 安全与治理 to rise (0 → 1): the roadmap's one step, as the optimiser plans it.
    version = ModelVersion.objects.get(code="ai-level", is_current=True)
    plan = maturity.roadmap(version.parsed(), a.answers, a.context, target_level=1)
    assert [s["code"] for s in ai["steps"]] == [s.code for s in plan.steps] == ["F6"]
    assert not ai["steps"][0]["scene"]
    assert ai["steps"][0]["to_value"] == "有基本的使用规定（如敏感数据不得上传外部模型）"
    assert any("安全与治理" in b["message"] for b in ai["gap"]["blockers"])
    # No scene step, so the scenes with most headroom (质量精准追溯 0, 在线智能检测 1) are matched: AI solutions only.
    assert [(s["id"], s["provider"], s["scenarios"]) for s in ai["solutions"]] == [
        (ai_solution.pk, "视觉智能公司", ["在线智能检测"])
    ]
    assert [p["name"] for p in ai["providers"]] == ["视觉智能公司"]
    html = html_body(content)
    assert 'data-testid="report-ai"' in html and "人工智能水平诊断" in html
    assert "但「安全与治理」为L0 未起步：总体等级不高于它" in html
    assert "应用人工智能的场景 1 个，占企业场景 2 个的 50.0%" in html
    assert "AI 视觉缺陷检测" in html and "人工目检工作台" not in html and "外省模型公司" not in html
    assert "见下文“人工智能水平诊断”一节" in html  # the model's own section points here instead of repeating the plan


def test_scene_steps_name_their_scenarios(world):
    # 安全与治理 at 1 holds nothing at L1; to L2 the plan lifts governance and the quality scenes (hand-priced in
    # maturity/tests/test_ai_level.py's style: scene rungs in the only link are the cheapest gains).
    answers = {"A4.1": 1, "A4.2": 0} | {f"F{i}": "2" for i in range(1, 6)} | {"F6": "1"}
    submit_ai(world, answers)
    ai = compose(world["home"], world["county"])["ai"]
    assert ai["level"] == 1 and not ai["caps"][0]["holds"]
    scene_steps = {s["code"]: s["scenario"] for s in ai["steps"] if s["scene"]}
    codes = dict(Scenario.objects.filter(name__in=["在线智能检测", "质量精准追溯"]).values_list("name", "code"))
    assert scene_steps == {"A4.1": codes["在线智能检测"], "A4.2": codes["质量精准追溯"]}
    assert "F6" in {s["code"] for s in ai["steps"]}
    # Governance holds L2 whatever the total, so it leads the gaps (the report keeps the first six).
    assert ai["gap"]["blockers"][0]["kind"] == "cap" and ai["gap"]["blockers"][1]["kind"] == "score"


def test_steps_find_their_scenarios_through_closes_not_names(world):
    # A province renames the scenario and keeps its closes link: the step still points at it and its AI solution is
    # still matched (matching by name found nothing after a rename).
    inspection = Scenario.objects.get(code="S-PO-05")
    assert inspection.closes["ai-level"] == ["A4.1"]
    Scenario.objects.filter(pk=inspection.pk).update(name="视觉质检（本省名称）")
    vision = solution(provider("视觉智能公司", ["ai"]), "AI 视觉缺陷检测", inspection, ai=True)
    submit_ai(world, {"A4.1": 1, "A4.2": 0} | {f"F{i}": "2" for i in range(1, 6)} | {"F6": "1"})
    ai = compose(world["home"], world["county"])["ai"]
    assert {s["code"]: s["scenario"] for s in ai["steps"] if s["scene"]}["A4.1"] == "S-PO-05"
    assert [(s["id"], s["scenarios"]) for s in ai["solutions"]] == [(vision.pk, ["视觉质检（本省名称）"])]
    # Without the link the scene has no scenario, whatever the names say.
    Scenario.objects.filter(pk=inspection.pk).update(name="在线智能检测", closes={"cmmm": inspection.closes["cmmm"]})
    ai = compose(world["home"], world["county"])["ai"]
    assert {s["code"]: s["scenario"] for s in ai["steps"] if s["scene"]}["A4.1"] is None
    assert ai["solutions"] == []


def test_the_generic_gap_solutions_flow_finds_scenarios_for_the_ai_model(world):
    from assessments.import_results import full_snapshot
    from catalog import recommend

    a = submit_ai(world, {"A4.1": 0, "A3.5": 4} | {f"F{i}": "4" for i in range(1, 7)})
    found = recommend.for_assessment(a, full_snapshot(a.results.get()))
    # 在线智能检测 at grade 0 is the only gap among the answered scenes; 设备故障诊断与预测 at 4 has none.
    assert [code for code, _w in found.scenarios] == ["S-PO-05"]
