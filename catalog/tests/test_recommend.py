"""Recommendations from the pools: an assessment's gaps and an enterprise's need, ranked by the matching engine."""

import pytest

from assessments import services as assessment_services
from assessments.models import ModelVersion
from assessments.tests.conftest import all_answers
from catalog import recommend, services
from catalog.models import Need, Provider, Scenario, Solution
from conftest import make_code

pytestmark = pytest.mark.django_db


def scenario_code(name):
    return Scenario.objects.get(name=name).code


def pool(world):
    """Three providers: scheduling (published), energy (published), and a suspended one that also does scheduling."""
    made = {}
    for key, name, status, title, text, scen in [
        ("aps", "排程软件公司", "published", "离散制造智能排产APS", "多品种小批量插单排程，交期预测", "车间智能排产"),
        ("energy", "能源管理公司", "published", "工厂能耗在线监测平台", "电、水、气能耗采集与节能分析", "能源智能管控"),
        ("bad", "被暂停的公司", "suspended", "排产排程一体化", "排产排程插单", "车间智能排产"),
    ]:
        p = services.provider_create(
            actor=None,
            provider=Provider(name=name, credit_code=make_code("360100"), region_id="360100", status=status),
        )
        made[key] = services.solution_save(
            actor=None,
            solution=Solution(provider=p, title=title, description=text, status="published"),
            scenario_codes=[scenario_code(scen)],
        )
    draft = Solution(provider=made["aps"].provider, title="排产草稿方案", description="排产", status="draft")
    made["draft"] = services.solution_save(actor=None, solution=draft, scenario_codes=[scenario_code("车间智能排产")])
    return made


def test_the_shipped_taxonomy_is_in_the_database():
    assert Scenario.objects.count() == 40
    assert Scenario.objects.get(name="车间智能排产").closes["cmmm"]


def test_a_scheduling_gap_finds_the_scheduling_solution_and_never_a_suspended_or_draft_one(world):
    made = pool(world)
    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    a = assessment_services.start(actor=world["enterprise"], enterprise=world["home"], version=cmmm, kind="self")
    # Everything fully satisfied except 计划与调度 (M2.2), which is not satisfied at all.
    answers = all_answers(cmmm, a.context, lambda item: "none" if item.code.startswith("M2.2") else "full")
    assessment_services.save_answers(actor=world["enterprise"], assessment=a, updates=answers)
    stored = assessment_services.submit(actor=world["enterprise"], assessment=a)
    found = recommend.for_assessment(a, stored.snapshot)
    assert found.scenarios[0][1] == 1.0
    assert scenario_code("车间智能排产") in [code for code, _ in found.scenarios]
    ids = [r.solution_id for r in found.recommendations]
    assert ids[0] == str(made["aps"].pk)
    assert str(made["bad"].pk) not in ids and str(made["draft"].pk) not in ids
    assert "车间智能排产" in found.recommendations[0].explanation


def test_a_need_in_the_enterprises_words_finds_the_matching_solution(world):
    made = pool(world)
    need = services.need_create(
        actor=world["enterprise"],
        need=Need(enterprise=world["home"], text="我们电费太高，想把水电气的能耗都监测起来，找找节能空间"),
    )
    ranked = recommend.for_need(need)
    assert ranked and ranked[0].solution_id == str(made["energy"].pk)


def test_the_engine_catalog_is_rebuilt_when_the_pool_changes(world):
    made = pool(world)
    before = recommend.engine_catalog()
    assert recommend.engine_catalog() is before
    provider = made["energy"].provider
    provider.status = "suspended"
    provider.save()
    after = recommend.engine_catalog()
    assert after is not before and str(made["energy"].pk) not in {s.id for s in after.solutions}


def test_the_result_page_links_to_solutions_for_its_gaps_within_the_users_scope(world, login):
    from django.urls import reverse

    made = pool(world)
    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    a = assessment_services.start(actor=world["enterprise"], enterprise=world["home"], version=cmmm, kind="self")
    answers = all_answers(cmmm, a.context, lambda item: "none" if item.code.startswith("M2.2") else "full")
    assessment_services.save_answers(actor=world["enterprise"], assessment=a, updates=answers)
    assessment_services.submit(actor=world["enterprise"], assessment=a)
    client = login(world["enterprise"])
    url = reverse("catalog:recommend_assessment", args=[a.pk])
    assert url in client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    page = client.get(url).content.decode()
    assert made["aps"].title in page and "车间智能排产" in page and "为什么推荐" in page
    assert made["bad"].title not in page
    assert login(world["other_city"]).get(url).status_code == 404
