"""The dashboard's figures by hand-computed cases, their tables and exports, and their scope (synthetic data)."""

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from enterprises.models import EnterpriseLabel
from monitoring import cube, figures
from monitoring.figures import View
from monitoring.tests.conftest import at
from regions.models import Region

pytestmark = pytest.mark.django_db


def rows_by_label(figure):
    return {row[0]: row[1:] for row in figure.rows}


def test_levels_per_city_count_unassessed_below_level_one_and_each_level(world, make_enterprise, give_result):
    nanchang = [make_enterprise("360102", is_above_scale=True) for _ in range(4)]
    jiujiang = make_enterprise("360402", is_above_scale=True)
    give_result(nanchang[0], 2)
    give_result(nanchang[1], 3, when=at(2025))
    give_result(nanchang[1], 1, when=at(2026))  # the latest counts
    result = give_result(nanchang[2], 1)
    result.results.update(level=None)  # scored below the first level
    give_result(jiujiang, 5, kind="verified")
    cube.rebuild()
    figure = figures.level_distribution(View(region=Region.objects.get(code="360000"), year=2026))
    assert figure.headers[:3] == ["地区", "未评估", "一级以下"] and len(figure.headers) == 8
    rows = rows_by_label(figure)
    assert rows["南昌市"] == [1, 1, 1, 1, 0, 0, 0]  # unassessed, below 1, level 1, level 2, 3, 4, 5
    assert rows["九江市"] == [0, 0, 0, 0, 0, 0, 1]
    assert figure.covers == 5  # above-scale only: the world's three enterprises have no size set
    verified = rows_by_label(
        figures.level_distribution(View(region=Region.objects.get(code="360000"), basis="verified"))
    )
    assert verified["南昌市"] == [4, 0, 0, 0, 0, 0, 0]


def test_tiers_count_the_highest_recognition_and_hide_small_shares(world, make_enterprise):
    firms = [make_enterprise("360102", is_above_scale=True) for _ in range(10)]
    EnterpriseLabel.objects.create(enterprise=firms[0], label_id="tier-basic", year=2024)
    EnterpriseLabel.objects.create(enterprise=firms[1], label_id="tier-advanced", year=2025)
    EnterpriseLabel.objects.create(enterprise=firms[1], label_id="tier-basic", year=2023)  # since risen
    province = Region.objects.get(code="360000")
    cube.rebuild()
    rows = rows_by_label(figures.tier_distribution(View(region=province, min_group=10)))
    assert rows["南昌市"] == [1, 1, 0, 0, D("20.00")]  # 2 of 10 at 基础级 or above
    small = rows_by_label(figures.tier_distribution(View(region=province, min_group=11)))
    assert small["南昌市"][-1] is None


def test_coverage_counts_this_years_assessments_by_kind(world, make_enterprise, give_result):
    firms = [make_enterprise("360111", is_above_scale=True) for _ in range(3)]
    give_result(firms[0], 2)
    give_result(firms[0], 2, kind="diagnosis")
    give_result(firms[1], 2, when=at(2025))
    city = Region.objects.get(code="360100")
    cube.rebuild()
    rows = rows_by_label(figures.coverage(View(region=city, year=2026, min_group=3)))
    assert rows["青山湖区"] == [3, 1, 1, 0, D("33.33"), D("33.33"), D("0.00")]
    assert rows["东湖区"] == [0, 0, 0, 0, None, None, None]


def test_a_county_is_broken_down_by_industry(world, make_enterprise, give_result):
    give_result(make_enterprise("360102", industry="34", is_above_scale=True), 2)
    make_enterprise("360102", industry="39", is_above_scale=True)
    cube.rebuild()
    rows = rows_by_label(figures.level_distribution(View(region=Region.objects.get(code="360102"), year=2026)))
    assert rows == {"通用设备制造业": [0, 0, 0, 1, 0, 0, 0], "计算机、通信和其他电子设备制造业": [1, 0, 0, 0, 0, 0, 0]}


def test_the_page_shows_every_figure_with_its_table_and_exports_it(world, make_enterprise, give_result, login):
    give_result(make_enterprise("360102", is_above_scale=True), 2)
    client = login(world["city"])
    assert "统计数据尚未生成" in client.get("/monitoring/r/360100/figures/").content.decode()
    client.post("/monitoring/r/360100/recompute/", {"next": "figures"})  # the tasks run at once in tests
    page = client.get("/monitoring/r/360100/figures/?year=2026").content.decode()
    assert "统计数据更新于" in page
    for key in ["levels", "tiers", "coverage", "heat", "trend", "pools"]:
        assert f'data-testid="figure-{key}"' in page and f'data-testid="export-{key}"' in page
    response = client.get("/monitoring/r/360100/figures/?year=2026&export=levels")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "江西省 南昌市 · 成熟度等级分布（cmmm · 含企业自评估 · 规模以上企业 · 2026）" and values[1][
        :2
    ] == ("地区", "未评估")
    assert ("东湖区", 0, 0, 0, 1, 0, 0, 0) in values


def test_figures_of_a_region_not_governed_are_not_found(world, login):
    assert login(world["county"]).get("/monitoring/r/360100/figures/").status_code == 404
    assert login(world["county"]).get("/monitoring/r/360100/figures/?export=levels").status_code == 404
    assert login(world["other_city"]).get("/monitoring/r/360102/figures/?export=tiers").status_code == 404
    assert login(world["enterprise"]).get("/monitoring/r/360102/figures/").status_code == 403


def test_the_trend_counts_each_years_standing_from_what_was_submitted_by_its_end(world, make_enterprise, give_result):
    firms = [make_enterprise("360102", is_above_scale=True) for _ in range(3)]
    give_result(firms[0], 1, when=at(2024))
    give_result(firms[0], 3, when=at(2026))  # 1 at the end of 2024 and 2025, 3 since
    give_result(firms[1], 2, when=at(2025))
    cube.rebuild()
    figure = figures.level_trend(View(region=Region.objects.get(code="360000"), year=2026), years=3)
    assert figure.rows == [
        # year, unassessed, below 1, levels 1–5
        ["2024", 2, 0, 1, 0, 0, 0, 0],
        ["2025", 1, 0, 1, 1, 0, 0, 0],
        ["2026", 1, 0, 0, 1, 1, 0, 0],
    ]


def test_figures_are_as_fresh_as_the_last_rebuild(world, make_enterprise, give_result):
    firm = make_enterprise("360102", is_above_scale=True)
    cube.rebuild()
    give_result(firm, 2)
    view = View(region=Region.objects.get(code="360100"), year=2026)
    assert rows_by_label(figures.level_distribution(view))["东湖区"] == [1, 0, 0, 0, 0, 0, 0]
    cube.rebuild()
    assert rows_by_label(figures.level_distribution(view))["东湖区"] == [0, 0, 0, 1, 0, 0, 0]


def test_needs_count_per_region_of_the_enterprise_and_stay_in_the_view(world, make_enterprise):
    """The pools figure counts each need where its enterprise sits, and a region's view counts only its own."""
    from catalog.models import Need

    def need(firm, status="open"):
        Need.objects.create(enterprise=firm, title="排产优化", text="希望上线排产系统", status=status)

    east, qingshan = make_enterprise("360102"), make_enterprise("360111")
    need(east)
    need(east, status="contracted")
    need(qingshan, status="shortlisted")
    need(world["other"])  # 九江: another city
    province, city = Region.objects.get(code="360000"), Region.objects.get(code="360100")
    rows = rows_by_label(figures.pools(View(region=province, year=2026)))
    assert rows["南昌市"][2:4] == [3, 2] and rows["九江市"][2:4] == [1, 0]  # needs, answered (shortlisted/contracted)
    rows = rows_by_label(figures.pools(View(region=city, year=2026)))
    assert rows["东湖区"][2:4] == [2, 1] and rows["青山湖区"][2:4] == [1, 1]
    assert sum(row[2] for row in rows.values()) == 3  # 九江's need is not counted in 南昌's view
