"""In a real browser: an enterprise posts a need, the provider finds it in its inbox and responds, the enterprise
shortlists it; and the scenario graph draws. Screenshots in var/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import Need, NeedResponse, Scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scenarios(reference_data):
    Scenario.objects.get_or_create(
        code="T-PM-01",
        defaults={"name": "测试车间排产", "link_code": "TPM", "link_name": "测试生产管理", "closes": {"cmmm": ["X.1"]}},
    )
    Scenario.objects.get_or_create(
        code="T-RD-01", defaults={"name": "测试协同设计", "link_code": "TRD", "link_name": "测试研发设计"}
    )


def test_enterprise_posts_a_need_provider_responds_and_enterprise_shortlists(world, scenarios, open_session):
    ent = open_session()
    page = ent.page
    ent.login("enterprise")
    page.get_by_role("link", name="资源池").click()
    page.get_by_test_id("post-need").first.click()
    expect(page).to_have_url(re.compile(r"/catalog/needs/new/$"))
    page.get_by_label("需求描述").fill("排")
    page.get_by_role("button", name="发布").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("请具体描述需求")
    page.get_by_label("需求标题").fill("多品种小批量排产")
    page.get_by_label("需求描述").fill("车间 30 台设备，需要排产与报工系统，<b>尽快</b>")
    page.get_by_label("相关场景").select_option(value="T-PM-01")
    page.get_by_label("可见范围").select_option(value="public")
    ent.shot("catalog-need-form")
    page.get_by_role("button", name="发布").click()
    expect(page).to_have_url(re.compile(r"/catalog/needs/\d+/$"))
    expect(page.get_by_test_id("need-text")).to_contain_text("<b>尽快</b>")  # shown as text, inert
    need = Need.objects.get()

    prov = open_session()
    prov.login("provider")
    ppage = prov.page
    ppage.goto("/catalog/inbox/")
    row = ppage.get_by_test_id("inbox-row").filter(has_text="多品种小批量排产")
    expect(row.get_by_test_id("not-responded")).to_be_visible()
    row.click()
    ppage.get_by_label("响应说明").fill("我们有成熟的排产系统，三周上线")
    ppage.get_by_role("button", name="提交响应").click()
    expect(ppage.locator(".alert-success")).to_contain_text("已响应")
    expect(ppage.get_by_test_id("already-responded")).to_be_visible()
    ppage.goto("/catalog/inbox/")
    expect(ppage.get_by_test_id("responded")).to_be_visible()
    prov.shot("catalog-provider-inbox")

    page.goto(f"/catalog/needs/{need.pk}/")
    response = page.get_by_test_id("response").filter(has_text="测试服务商有限公司")
    response.get_by_label("处理").select_option(value="shortlisted")
    response.get_by_label("评价").select_option(value="4")
    response.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("response-status")).to_have_text("入围")
    expect(page.get_by_test_id("need-status")).to_have_text("已初选")
    ent.shot("catalog-need-shortlisted")
    r = NeedResponse.objects.get()
    assert (r.status, r.rating) == ("shortlisted", 4)
    ent.assert_clean()
    prov.assert_clean()


def test_the_scenario_graph_draws(world, scenarios, session):
    session.login("city")
    page = session.page
    page.goto("/catalog/scenarios/graph/")
    graph = page.get_by_test_id("scenario-graph")
    expect(graph.locator("svg")).to_be_visible()
    expect(graph.locator("svg text").first).to_be_visible()  # labels drawn (overlapping ones are hidden)
    assert "scenario:T-PM-01" in page.locator("#scenario-graph-data").text_content()
    session.shot("catalog-scenario-graph")
    page.goto("/catalog/scenarios/")
    expect(page.get_by_test_id("scenario-link").first).to_be_visible()
    session.shot("catalog-scenario-list")
    org = world["provider"].memberships.get().provider  # world["provider"] is the provider user
    org.status, org.description, org.types = "pending", "工业软件与排产咨询", ["software"]
    org.save()
    page.goto("/catalog/review/")
    card = page.get_by_test_id("pending-provider").filter(has_text=org.name)
    card.get_by_label("操作").select_option(value="warn")
    session.shot("catalog-review")
    card.get_by_role("button", name="提交处理").click()
    expect(page.locator(".alert-danger")).to_contain_text("请填写处理理由")  # nothing changes without a reason
    card = page.get_by_test_id("pending-provider").filter(has_text=org.name)
    card.get_by_label("操作").select_option(value="warn")
    card.get_by_label("理由").fill("响应不及时")
    card.get_by_role("button", name="提交处理").click()
    expect(page.locator(".alert-success")).to_contain_text("已警示")
    page.goto(f"/catalog/providers/{org.pk}/")
    expect(page.get_by_test_id("warning-banner")).to_contain_text("响应不及时")
    session.shot("catalog-provider-warned")
    session.assert_clean()
