"""In a real browser: a province officer drills from the province to a county and back through the targets, opens
the statistics, reads a chart's table and exports it. Screenshots in var/screenshots/ (monitoring-*.png) at
1440 px and on a tablet. Synthetic enterprises and results."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from monitoring import cube, metrics, services
from regions.models import Region
from tidu.tests.conftest import TABLET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDE = {"width": 1440, "height": 900}


def populate(world, make_enterprise):
    from assessments.models import Assessment, AssessmentResult, ModelVersion

    version = ModelVersion.objects.get(code="cmmm", is_current=True)
    when = dt.datetime(dt.date.today().year, 3, 1, tzinfo=dt.UTC)
    for i in range(24):
        firm = make_enterprise(["360102", "360111", "360402"][i % 3], is_above_scale=True, industry=["34", "39"][i % 2])
        if i % 2:
            a = Assessment.objects.create(enterprise=firm, model_version=version, model_code="cmmm", kind="self",
                                          status="submitted", submitted_at=when)  # fmt: skip
            AssessmentResult.objects.create(assessment=a, model_version=version, score=2.0, scale_max=5.0,
                                            level=1 + i % 3, level_name="", snapshot={})  # fmt: skip
    province = Region.objects.get(code="360000")
    this_year = dt.date.today().year
    plan = services.plan_create(
        actor=world["province"], name="目标计划（测试）", region=province, start_year=this_year, end_year=this_year + 1
    )
    target = services.target_set(
        actor=world["province"], plan=plan, region=Region.objects.get(code="360000"), name="规上企业 CMMM 一级及以上",
        metric=metrics.LEVEL, unit="share", model_code="cmmm", level=1, year=dt.date.today().year + 1,
        value=D(60), above_scale=True,
    )  # fmt: skip
    for city in services.target_split(actor=world["province"], target=target, method="pro_rata"):
        if city.region_id == "360100":
            services.target_split(actor=world["province"], target=city, method="pro_rata")
    cube.rebuild()  # the statistics read the tallies (rebuilt nightly or on "重新计算")


def test_an_officer_drills_down_and_exports_a_table(world, make_enterprise, open_session):
    populate(world, make_enterprise)
    for name, viewport in [("wide", WIDE), ("tablet", TABLET)]:
        session = open_session(viewport)
        session.login("province")
        page = session.page
        if viewport is TABLET:  # the menu folds behind its button below 992 px
            page.locator(".navbar-toggler").click()
        page.get_by_test_id("nav-monitoring").click()
        expect(page).to_have_url(re.compile(r"/monitoring/r/360000/$"))
        expect(page.get_by_test_id("target-progress")).to_have_count(1)
        expect(page.get_by_test_id("target-actual")).to_have_text("50.00%")  # 12 of 24 assessed, all at 1 or above
        session.shot(f"monitoring-province-{name}")
        page.get_by_test_id("drill-360100").click()
        expect(page.get_by_test_id("region-crumbs")).to_contain_text("南昌市")
        page.get_by_test_id("drill-360102").click()
        expect(page).to_have_url(re.compile(r"/monitoring/r/360102/$"))
        expect(page.get_by_test_id("target-status")).to_be_visible()
        session.shot(f"monitoring-county-{name}")
        page.get_by_test_id("region-crumbs").get_by_role("link", name="江西省").click()
        expect(page).to_have_url(re.compile(r"/monitoring/r/360000/$"))
        page.get_by_test_id("tab-figures").click()
        for key in ["levels", "tiers", "coverage", "heat", "trend", "pools"]:
            expect(page.get_by_test_id(f"figure-{key}")).to_be_visible()
        expect(page.locator("#chart-levels svg")).to_have_count(1)  # ECharts drew it
        expect(page.locator("#chart-map")).to_have_attribute("data-drawn", "level")
        assert page.locator("#chart-map svg path").count() > 50  # the counties' shapes
        page.get_by_test_id("map-metric").select_option("assessed")
        expect(page.locator("#chart-map")).to_have_attribute("data-drawn", "assessed")  # recoloured
        page.get_by_test_id("table-levels").locator("summary").click()
        expect(page.get_by_test_id("table-levels").locator("tbody tr").first).to_be_visible()
        session.shot(f"monitoring-figures-{name}")
        with page.expect_download() as download:
            page.get_by_test_id("export-levels").click()
        with open(download.value.path(), "rb") as handle:  # the saved download has no .xlsx suffix
            rows = list(load_workbook(handle).active.values)
        assert rows[1][:2] == ("地区", "未评估") and any(row[0] == "南昌市" for row in rows[2:])
        if name == "wide":  # the province computes its development index and publishes it (once)
            page.get_by_test_id("tab-index").click()
            page.get_by_test_id("index-start").get_by_role("button").click()
            expect(page.get_by_test_id("index-status")).to_contain_text("已完成")
            expect(page.get_by_test_id("index-table").locator("tbody tr").first).to_be_visible()
            page.get_by_test_id("index-publish").click()
            page.get_by_test_id("index-public-link").click()
            expect(page.get_by_test_id("index-downloads")).to_be_visible()
            session.shot("monitoring-index-public")
        session.assert_clean()
