"""The provisional AI-level model through the normal pages: it is in the library, offered (marked 暂定) on the start
page without displacing CMMM as the default, filled in and submitted like any model, and its scene counts feed the
smart-factory tier check unless the enterprise declared them."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import maturity
from assessments import tiers
from assessments.models import AssessmentResult, ModelVersion
from assessments.tier_services import tier_fact_declare

from .test_flow import page_post, start

pytestmark = pytest.mark.django_db

# Two links answered, the rest of the scenes N/A: A1 (2, 0) = 0.25, A4 (3, N/A, 1) = 0.5 → application 0.375;
# foundations 3 2 2 1 1 3 = 12 / 24 = 0.5. Total 4 × (0.375 + 0.5) / 2 = 1.75 → L1 (安全与治理 at 3 allows L3).
SCENES = {"A1.1": "2", "A1.2": "0", "A4.1": "3", "A4.3": "1"}
FOUNDATIONS = {"F1": "3", "F2": "2", "F3": "2", "F4": "1", "F5": "1", "F6": "3"}


@pytest.fixture
def ai(db):
    return ModelVersion.objects.get(code="ai-level", is_current=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fill_and_submit(client, enterprise, ai):
    a = start(client, enterprise, ai)
    spec = ai.parsed()
    na = {f"na:{r.item.code}": "1" for r in spec.iter_items() if r.item.kind == "scene" and r.item.code not in SCENES}
    response = client.post(reverse("assessments:fill", args=[a.pk]), page_post(ai, "A", SCENES, {**na, "go": "F"}))
    assert response.status_code == 302, response.content.decode()[:1000]
    response = client.post(reverse("assessments:fill", args=[a.pk]), page_post(ai, "F", FOUNDATIONS))
    assert response.status_code == 302
    assert client.post(reverse("assessments:review", args=[a.pk])).status_code == 302
    return a


def test_the_model_is_in_the_library_and_offered_as_provisional_with_cmmm_still_the_default(world, login, ai):
    assert ai.status == "provisional" and ai.item_count == 29 and ai.origin == "library"
    page = login(world["enterprise"]).get(reverse("assessments:start", args=[world["home"].pk])).content.decode()
    label = "制造业企业人工智能应用水平诊断模型（暂行）（2026-provisional-1） · 暂定"
    assert f'<option value="{ai.pk}">{label}</option>' in page
    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    assert re.search(rf'<option value="{cmmm.pk}" selected>', page)


def test_an_enterprise_fills_in_and_submits_the_ai_level_questionnaire(world, login, ai):
    client = login(world["enterprise"])
    a = start(client, world["home"], ai)
    html = client.get(reverse("assessments:fill", args=[a.pk])).content.decode()
    assert "暂定" in html and "研发设计" in html and "产品数字化设计" in html
    assert "0 级：未应用人工智能" in html and "4 级：智能体协同：多智能体协同或上下游链级协同" in html
    foundations = client.get(reverse("assessments:fill", args=[a.pk]) + "?group=F").content.decode()
    assert "安全与治理" in foundations and "没有人工智能使用规则" in foundations
    a = fill_and_submit(client, world["home"], ai)
    a.refresh_from_db()
    assert a.status == "submitted" and a.answers["A1.2"] == 0 and a.answers["A2.1"] == "n/a"
    result = AssessmentResult.objects.get(assessment=a, is_current=True)
    assert result.score == pytest.approx(1.75) and (result.level, result.level_name) == (1, "L1 探索起步")
    assert result.provisional and result.scale_max == 4
    detail = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "L1 探索起步" in detail and "暂定" in detail


def test_a_cap_by_governance_shows_on_the_result_page(world, login, ai):
    client = login(world["enterprise"])
    a = start(client, world["home"], ai)
    spec = ai.parsed()
    every = {r.item.code: "4" for r in spec.iter_items() if r.path[0].code == "A"}
    client.post(reverse("assessments:fill", args=[a.pk]), page_post(ai, "A", every))
    client.post(reverse("assessments:fill", args=[a.pk]), page_post(ai, "F", {**FOUNDATIONS, **dict.fromkeys(
        ["F1", "F2", "F3", "F4", "F5"], "4"), "F6": "1"}))  # fmt: skip
    client.post(reverse("assessments:review", args=[a.pk]))
    result = AssessmentResult.objects.get(assessment__pk=a.pk, is_current=True)
    assert result.score == pytest.approx(3.75) and result.level == 1  # L3 by score, capped by 安全与治理 at L1
    detail = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "总体等级不高于它" in detail


def test_the_ai_scene_counts_feed_the_tier_check_until_the_enterprise_declares_them(world, login, ai):
    fill_and_submit(login(world["enterprise"]), world["home"], ai)
    ai_scenes = tiers.ai_scenes(world["home"])
    assert ai_scenes.facts == {"scene_count": 4, "ai_scene_count": 3} and ai_scenes.used
    evaluation, _cmmm = tiers.check(world["home"])
    excellent = next(t for t in evaluation.tiers if t.code == "excellent")
    share = next(c for c in excellent.conditions if c.code == "ai_scene_share")
    assert share.outcome == "met" and share.actual.startswith("75%")  # 3 of 4 scenes ≥ 20 %
    leading = next(t for t in evaluation.tiers if t.code == "leading")
    assert next(c for c in leading.conditions if c.code == "ai_scene_share").outcome == "met"  # ≥ 60 % too
    html = login(world["enterprise"]).get(reverse("assessments:tiers", args=[world["home"].pk])).content.decode()
    assert "人工智能应用场景 3 个 / 场景 4 个" in html and "取自人工智能水平诊断" in html
    # Once the enterprise declares a scene count, its declaration (reviewed by an officer) is what the check reads.
    pdf = SimpleUploadedFile("场景清单.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    tier_fact_declare(actor=world["enterprise"], enterprise=world["home"], key="scene_count", value=10, files=[pdf])
    assert not tiers.ai_scenes(world["home"]).used
    evaluation, _cmmm = tiers.check(world["home"])
    excellent = next(t for t in evaluation.tiers if t.code == "excellent")
    share = next(c for c in excellent.conditions if c.code == "ai_scene_share")
    assert share.outcome == "undeclared" and "ai_scene_count" in share.missing_facts


def test_an_officer_loads_a_corrected_version_from_excel_and_rescores_the_ai_results(world, login, ai):
    a = fill_and_submit(login(world["enterprise"]), world["home"], ai)
    # A province's correction: 模型与智能体应用 (F5) caps the level too, beside 安全与治理 — the caps are data.
    data = ai.parsed().model_dump(mode="json")
    data["version"] = "2026-provisional-2"
    data["rule"]["caps"] = ["F5", "F6"]
    spec = maturity.parse_spec(data)
    client = login(world["admin"])
    workbook = SimpleUploadedFile("ai-level.xlsx", maturity.export_xlsx(spec))
    response = client.post(reverse("assessments:model_upload"), {"file": workbook, "change_note": "省级修订"})
    assert response.status_code == 302
    new = ModelVersion.objects.get(code="ai-level", is_current=True)
    assert new.version == "2026-provisional-2" and new.parsed() == spec
    page = client.get(reverse("assessments:model_detail", args=[new.pk])).content.decode()
    assert "capped_bands" in page and "安全与治理" in page
    assert client.post(reverse("assessments:model_rescore", args=[new.pk])).status_code == 302
    result = AssessmentResult.objects.get(assessment=a, is_current=True)
    # Same answers: 1.75 → L1 by score; F5 at 1 now caps at L1 too, so the level stays L1, scored with the new version.
    assert result.model_version == new and result.score == pytest.approx(1.75) and result.level == 1


def test_the_demo_seeds_synthetic_ai_assessments_on_request_without_changing_the_others(settings):
    from assessments.demo import seed_demo_assessments
    from assessments.models import Assessment
    from enterprises.demo import seed_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_demo(province="36", enterprises=40, seed=3, password="Demo-pass-2026!")

    def answers():
        rows = Assessment.objects.exclude(model_code="ai-level").order_by("enterprise_id", "model_code", "submitted_at")
        return list(rows.values_list("answers", flat=True))

    counts = seed_demo_assessments(seed=1)
    assert counts["ai"] == 0 and not Assessment.objects.filter(model_code="ai-level").exists()
    before = answers()
    counts = seed_demo_assessments(seed=1, replace=True, ai_share=0.5)
    assert answers() == before  # the AI draws come from their own stream
    ai = list(Assessment.objects.filter(model_code="ai-level").select_related("model_version"))
    assert counts["ai"] == len(ai) > 5 and all(a.context["synthetic"] and a.enterprise.is_synthetic for a in ai)
    for a in ai:
        expected = maturity.score(a.model_version.parsed(), a.answers, a.context)
        assert a.results.get(is_current=True).level == expected.level
    assert min(a.results.get(is_current=True).level for a in ai) <= 1  # skewed low
