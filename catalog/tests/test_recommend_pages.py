"""Recommendation pages and the engine's database side (issue 18): relevance and abstention, near misses on
request, the province's own scenario list, region names in reasons. Pools here are SYNTHETIC."""

import pytest
from django.urls import reverse

from catalog import recommend, services
from catalog.models import Need, Provider, Scenario, Solution
from conftest import make_code

pytestmark = pytest.mark.django_db


def provider_with(title, text, *, regions=(), scenario=None, price_min=None):
    p = services.provider_create(
        actor=None,
        provider=Provider(
            name=f"{title}公司", credit_code=make_code("360100"), region_id="360100", status="published",
            regions_served=list(regions),
        ),
    )  # fmt: skip
    solution = Solution(provider=p, title=title, description=text, status="published", price_min=price_min)
    scenario = scenario or Scenario.objects.get(name="车间智能排产").code
    return services.solution_save(actor=None, solution=solution, scenario_codes=[scenario])


def post_need(world, text, **fields):
    return services.need_create(actor=world["enterprise"], need=Need(enterprise=world["home"], text=text, **fields))


def test_a_need_nothing_in_the_pool_serves_gets_no_match_with_reasons_and_next_steps(world, login):
    provider_with("车间智能排产APS", "多品种小批量插单排程")
    need = post_need(world, "想做跨境电商独立站，还要找团队代运营海外社交媒体投放")
    ranking = recommend.for_need_ranking(need)
    assert ranking.recommendations == []
    assert ranking.abstention.message == "资源池中暂无匹配的方案"
    page = login(world["enterprise"]).get(reverse("catalog:recommend_need", args=[need.pk])).content.decode()
    assert "资源池中暂无匹配的方案" in page and "将需求发布到平台，由服务商主动响应" in page
    assert "资源池的方案中没有出现" in page


def test_the_need_page_shows_relevance_and_near_misses_only_on_request(world, login):
    near = provider_with("九江排产云", "车间智能排产 插单排程 交期", regions=["360400"])  # serves 九江 only
    here = provider_with("南昌排产系统", "车间智能排产 插单排程", regions=["360100"])
    need = post_need(world, "订单多品种小批量，经常插单，想上车间排产系统")
    client = login(world["enterprise"])
    url = reverse("catalog:recommend_need", args=[need.pk])
    page = client.get(url).content.decode()
    assert here.title in page and "相关度" in page and near.title not in page
    page = client.get(url + "?near=1").content.decode()
    assert near.title in page and "不服务您所在地区（服务区域：九江市）" in page


def test_a_price_floor_just_above_the_budget_lowers_with_a_reason_instead_of_excluding(world):
    solution = provider_with("车间智能排产APS", "多品种小批量插单排程", price_min=55)
    need = post_need(world, "订单多品种小批量，经常插单，想上排产系统", budget_max=50)
    top = recommend.for_need(need)[0]
    assert top.solution_id == str(solution.pk)
    assert "报价下限略高于预算（55 万元起，预算 50 万元）" in top.explanation


def test_scenario_guessing_uses_the_scenarios_loaded_in_the_database(world):
    Scenario.objects.create(
        code="S-ZZ-01", name="轮胎翻新质量管控", link_code="ZZ", link_name="本省特色", keywords=["轮胎翻新", "胎面"]
    )
    solution = provider_with("翻新车间管控平台", "工序记录与质检", scenario="S-ZZ-01")
    need = post_need(world, "我们做轮胎翻新，想把胎面工序管起来")
    ranked = recommend.for_need(need)
    assert ranked and ranked[0].solution_id == str(solution.pk)
    assert "覆盖您描述中涉及的场景：轮胎翻新质量管控（按描述推断）" in ranked[0].explanation


def test_only_the_enterprise_and_authorities_see_a_needs_recommendations(world, login):
    provider_with("车间智能排产APS", "多品种小批量插单排程")
    need = post_need(world, "订单多品种小批量，经常插单，想上排产系统")
    url = reverse("catalog:recommend_need", args=[need.pk])
    before = Need.objects.get(pk=need.pk).updated_at
    assert login(world["enterprise"]).get(url).status_code == 200
    assert login(world["province"]).get(url).status_code == 200
    assert login(world["provider"]).get(url).status_code == 403
    assert login(world["other_city"]).get(url).status_code == 404
    assert Need.objects.get(pk=need.pk).updated_at == before


def test_the_api_gives_relevance_the_abstention_and_near_misses_on_request(client, world):
    from catalog.tests.test_api import Api

    near = provider_with("九江排产云", "车间智能排产 插单排程 交期", regions=["360400"])
    need = post_need(world, "订单多品种小批量，经常插单，想上车间排产系统")
    api = Api(client, world["enterprise"])
    body = api.get(f"/needs/{need.pk}/recommendations/details").json()
    assert body["recommendations"] == [] and body["abstention"]["message"] == "资源池中暂无匹配的方案"
    assert "有 1 个相关方案不服务您所在地区" in body["abstention"]["reasons"]
    assert body["near_misses"] == []  # only on request
    body = api.get(f"/needs/{need.pk}/recommendations/details", near_misses="true").json()
    assert [(m["solution_id"], m["reasons"]) for m in body["near_misses"]] == [
        (near.pk, ["不服务您所在地区（服务区域：九江市）"])
    ]
    here = provider_with("南昌排产系统", "车间智能排产 插单排程", regions=["360100"])
    rows = api.get(f"/needs/{need.pk}/recommendations").json()
    assert rows[0]["solution_id"] == here.pk and 0 < rows[0]["relevance"] <= 1 and rows[0]["confidence"] in "高中低"
    assert Api(client, world["provider"]).get(f"/needs/{need.pk}/recommendations/details").status_code == 403


def test_gaps_map_to_the_scenarios_loaded_in_the_database(world):
    from assessments import services as assessment_services
    from assessments.models import ModelVersion
    from assessments.tests.conftest import all_answers

    # The province's own scenario for 计划与调度 (M2.2), with its own code; the shipped file does not know it.
    Scenario.objects.create(
        code="S-ZZ-02", name="本省排产示范", link_code="ZZ", link_name="本省特色", closes={"cmmm": ["M2.2"]}
    )
    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    a = assessment_services.start(actor=world["enterprise"], enterprise=world["home"], version=cmmm, kind="self")
    answers = all_answers(cmmm, a.context, lambda item: "none" if item.code.startswith("M2.2") else "full")
    assessment_services.save_answers(actor=world["enterprise"], assessment=a, updates=answers)
    stored = assessment_services.submit(actor=world["enterprise"], assessment=a)
    found = recommend.for_assessment(a, stored.snapshot)
    assert "S-ZZ-02" in [code for code, _ in found.scenarios]


@pytest.mark.parametrize("code", ["3", "000000", "329999", ""])
def test_a_served_region_that_is_not_a_known_division_is_refused_with_a_message(code):
    with pytest.raises(services.CatalogError) as refused:
        services.provider_create(
            actor=None,
            provider=Provider(
                name="某服务商", credit_code=make_code("360100"), region_id="360100", regions_served=[code]
            ),
        )
    assert "未知的行政区划代码" in refused.value.problems["regions_served"]
    assert not Provider.objects.filter(name="某服务商").exists()


def test_the_api_refuses_an_unknown_served_region(client, world):
    from catalog.tests.test_api import Api

    provider = Provider.objects.get(name="测试服务商有限公司")  # the provider persona's own
    before = list(Provider.objects.get(pk=provider.pk).regions_served)
    api = Api(client, world["provider"])
    response = api.patch(f"/providers/{provider.pk}", {"regions_served": ["000000"]})
    assert response.status_code in (400, 422) and "未知的行政区划代码" in response.content.decode()
    assert Provider.objects.get(pk=provider.pk).regions_served == before
