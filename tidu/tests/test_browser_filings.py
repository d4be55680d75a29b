"""In a real browser: a province officer defines a report template with industry rows (first with a mistake the
form explains), opens a round from it, and reads a county's return by industry. Screenshots in var/screenshots/
(filings-*.png). Synthetic enterprises and results."""

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def populate(make_enterprise):
    from assessments.models import Assessment, AssessmentResult, ModelVersion

    version = ModelVersion.objects.get(code="cmmm", is_current=True)
    when = dt.datetime(dt.date.today().year, 3, 1, tzinfo=dt.UTC)
    for i in range(9):
        firm = make_enterprise("360102", is_above_scale=True, industry=["34", "39", "26"][i % 3])
        if i % 2:
            a = Assessment.objects.create(enterprise=firm, model_version=version, model_code="cmmm", kind="self",
                                          status="submitted", submitted_at=when)  # fmt: skip
            AssessmentResult.objects.create(assessment=a, model_version=version, score=2.0, scale_max=5.0,
                                            level=1 + i % 3, level_name="", snapshot={})  # fmt: skip


def test_an_officer_defines_an_industry_template_and_reads_a_return_by_industry(world, make_enterprise, session):
    populate(make_enterprise)
    page = session.page
    session.login("province")
    page.goto("/monitoring/r/360000/rounds/")
    page.click("[data-testid=templates-link]")
    page.click("[data-testid=template-new]")
    page.fill("input[name=name]", "分行业等级统计表")
    page.check("input[name=rows][value=industries]")
    page.fill("input[name=col-0-title]", "规上企业数")
    page.select_option("select[name=col-0-metric]", "population")
    page.select_option("select[name=col-0-above_scale]", "true")
    page.fill("input[name=col-1-title]", "二级及以上占比（%）")
    page.select_option("select[name=col-1-metric]", "level")
    page.select_option("select[name=col-1-unit]", "share")
    page.select_option("select[name=col-1-above_scale]", "true")
    page.fill("input[name=col-2-title]", "服务商")
    page.select_option("select[name=col-2-metric]", "providers")
    page.click("main form button[type=submit]")
    errors = page.locator("[data-testid=column-errors]")
    expect(errors).to_contain_text("第 2 列：按成熟度等级统计须选择评估模型")
    expect(errors).to_contain_text("第 3 列：按行业分行的报表不能包含服务商、专员或对接活动")
    session.shot("filings-template-errors")

    page.select_option("select[name=col-1-model_code]", "cmmm")
    page.fill("input[name=col-1-level]", "2")
    page.check("input[name=col-2-DELETE]")
    page.click("main form button[type=submit]")
    expect(page.locator("[data-testid=templates]")).to_contain_text("分行业等级统计表")
    session.shot("filings-templates")

    page.goto("/monitoring/r/360000/rounds/new/")
    page.fill("input[name=name]", "分行业等级统计")
    page.select_option("select[name=template]", label="分行业等级统计表")
    page.fill("input[name=period]", "本年度")
    page.fill("input[name=year]", str(dt.date.today().year))
    page.fill("input[name=due_on]", (dt.date.today() + dt.timedelta(days=7)).isoformat())
    page.click("main form button[type=submit]")
    expect(page.locator("[data-testid=round-template]")).to_contain_text("分行业等级统计表")
    page.click("text=东湖区")
    table = page.locator("[data-testid=filing-figures]")
    expect(table).to_contain_text("34 通用设备制造业")
    expect(table.locator("tr", has_text="合计")).to_contain_text("9")
    session.shot("filings-industry-return")
    session.assert_clean()
