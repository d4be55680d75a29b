"""In a real browser: an enterprise answers the provisional AI-level questionnaire (two quality scenes graded by
click), submits it and reads its level; the county officer previews the diagnosis report and finds its AI
section with the AI-scene share, the roadmap's steps and the AI solution matched to a step's scene. Screenshots in
var/screenshots/ai-level-*."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services as assessment_services
from assessments.models import ModelVersion
from catalog import services as catalog_services
from catalog.models import Provider, Scenario, Solution
from conftest import make_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enterprise_answers_the_ai_level_questionnaire_and_the_report_shows_its_ai_section(world, open_session):
    vision = catalog_services.provider_create(
        actor=None,
        provider=Provider(
            name="视觉智能公司", credit_code=make_code("360100"), region_id="360100", status="published", types=["ai"]
        ),
    )
    catalog_services.solution_save(
        actor=None,
        solution=Solution(
            provider=vision, title="AI 视觉缺陷检测", description="产线视觉检测", status="published", ai_capability=True
        ),
        scenario_codes=[Scenario.objects.get(name=n).code for n in ("在线智能检测", "质量精准追溯")],
    )
    version = ModelVersion.objects.get(code="ai-level", is_current=True)
    draft = assessment_services.start(actor=world["enterprise"], enterprise=world["home"], version=version, kind="self")
    # Everything but two quality scenes answered beforehand: other scenes N/A, foundations at 2, governance at 1.
    answers = {r.item.code: "n/a" for r in version.parsed().iter_items() if r.item.kind == "scene"}
    answers = {c: v for c, v in answers.items() if c not in ("A4.1", "A4.2")} | {f"F{i}": "2" for i in range(1, 6)}
    assessment_services.save_answers(actor=world["enterprise"], assessment=draft, updates=answers | {"F6": "1"})

    ent = open_session()
    page = ent.page
    page.on("dialog", lambda d: d.accept())
    ent.login("enterprise")
    page.goto(f"/assessments/{draft.pk}/fill/?group=A")
    expect(page.locator("main")).to_contain_text("暂定")
    inspection = page.get_by_test_id("item-A4.1")
    inspection.get_by_text("3 级：模型驱动：模型结果自动进入业务闭环并由人监督").click()
    expect(page.get_by_test_id("saved")).to_be_visible()
    page.get_by_test_id("item-A4.2").get_by_text("0 级：未应用人工智能").click()
    expect(page.get_by_test_id("saved")).to_be_visible()
    ent.shot("ai-level-questionnaire")
    page.goto(f"/assessments/{draft.pk}/review/")
    page.get_by_test_id("submit-assessment").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{draft.pk}/$"))
    # A4: (3 + 0) / 2 / 4 = 0.375; F = 11 / 24. Total 4 × (0.375 + 0.4583) / 2 = 1.67 → L1, and 安全与治理 is L1 too.
    expect(page.locator("main")).to_contain_text("L1 探索起步")
    ent.shot("ai-level-result")
    ent.assert_clean()

    officer = open_session()
    opage = officer.page
    officer.login("county")
    opage.goto(f"/reports/enterprise/{world['home'].pk}/")
    opage.get_by_test_id("preview").click()
    section = opage.get_by_test_id("report-ai")
    expect(section).to_contain_text("人工智能水平诊断")
    expect(section).to_contain_text("应用人工智能的场景 1 个，占企业场景 2 个的 50.0%")
    expect(section).to_contain_text("卓越级")
    expect(section.get_by_test_id("ai-solutions")).to_contain_text("AI 视觉缺陷检测")
    # To L2: 安全与治理 1 → 2 and 质量精准追溯 0 → 1 (the cheapest 0.25 left); the solution covers that scene.
    expect(section.get_by_test_id("ai-steps")).to_contain_text("安全与治理")
    expect(section.get_by_test_id("ai-steps")).to_contain_text("质量精准追溯")
    section.scroll_into_view_if_needed()
    officer.shot("ai-level-report")
    officer.assert_clean()
