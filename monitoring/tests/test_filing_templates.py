"""Report templates: rows by industry filled from the records (a small fixture computed by hand), templates a
province defines through the page (validated, in Chinese, seen only in that province), and the definition a round
freezes when it opens (synthetic enterprises)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from monitoring import filing_templates, filings
from monitoring.models import Filing, ReportTemplate
from monitoring.tests.conftest import at
from regions.models import Region

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
JIANGXI = "360000"


def open_round(actor, template, code=JIANGXI):
    return filings.round_open(
        actor=actor,
        region=Region.objects.get(code=code),
        name="季度报表",
        template=template,
        period=f"{YEAR} 年度",
        year=YEAR,
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )


def figures(round_, code):
    return filings.figures_of(Filing.objects.get(round=round_, region_id=code))


@pytest.fixture
def firms(world, make_enterprise, give_result):
    """东湖区 360102: besides the world's own (34, scale not recorded), two above-scale firms in 34 (one
    self-assessed at level 2 this year), one in 26 (diagnosed at level 1) and one below scale in 39 (level 3)."""
    a = make_enterprise("360102", industry="34", is_above_scale=True)
    make_enterprise("360102", industry="34", is_above_scale=True)
    c = make_enterprise("360102", industry="26", is_above_scale=True)
    d = make_enterprise("360102", industry="39", is_above_scale=False)
    give_result(a, 2, when=at(YEAR, 2, 1))
    give_result(c, 1, kind="diagnosis", when=at(YEAR, 3, 1))
    give_result(d, 3, when=at(YEAR, 3, 1))


def test_industry_rows_are_the_divisions_present_with_a_total(world, firms):
    table = figures(open_round(world["province"], "progress_industry"), "360102")
    assert table["rows_kind"] == "industries"
    assert table["columns"][:5] == [
        "规上工业企业数",
        "本年完成自评估的规上企业",
        "自评估覆盖率（%）",
        "本年完成诊断的规上企业",
        "CMMM 二级及以上的规上企业",
    ]
    rows = {row[0]: row[1:6] for row in table["rows"]}
    assert list(rows) == [
        "26 化学原料和化学制品制造业",
        "34 通用设备制造业",
        "39 计算机、通信和其他电子设备制造业",
        "合计",
    ]
    assert rows["26 化学原料和化学制品制造业"] == [1, 0, 0.0, 1, 0]  # diagnosed, level 1: not at level 2
    assert rows["34 通用设备制造业"] == [2, 1, 50.0, 0, 1]  # the world's own firm has no scale recorded
    assert rows["39 计算机、通信和其他电子设备制造业"] == [0, 0, None, 0, 0]  # below scale: a share of nothing
    assert rows["合计"] == [3, 1, 33.33, 1, 1]


def test_industry_totals_agree_with_the_region_rows_and_the_dashboard_metric(world, firms, make_enterprise):
    make_enterprise("360111", industry="13", is_above_scale=True)
    by_region = figures(open_round(world["province"], "progress"), "360100")
    by_industry = figures(open_round(world["province"], "progress_industry"), "360100")
    region_total = dict(zip(by_region["columns"], by_region["rows"][-1][1:], strict=True))
    industry_total = dict(zip(by_industry["columns"], by_industry["rows"][-1][1:], strict=True))
    assert by_region["rows"][-1][0] == by_industry["rows"][-1][0] == "合计"
    assert industry_total == {c: region_total[c] for c in by_industry["columns"]}
    assert industry_total["规上工业企业数"] == 4
    population = [row[1] for row in by_industry["rows"][:-1]]
    assert sum(population) == 4  # the rows add up to the total


def columns_post(columns, prefix="col"):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(columns)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    for n, column in enumerate(columns):
        base = {"unit": "count", "basis": "self", "above_scale": "unknown"}
        data.update({f"{prefix}-{n}-{k}": v for k, v in {**base, **column}.items()})
    return data


GOOD = [
    {
        "title": "二级及以上企业占比",
        "metric": "level",
        "unit": "share",
        "model_code": "cmmm",
        "level": "2",
        "above_scale": "true",
        "ORDER": "2",
    },
    {"title": "规上企业数", "metric": "population", "above_scale": "true", "ORDER": "1"},
    {"title": "", "metric": ""},  # a blank row is not a column
]


def test_a_province_officer_defines_a_template_through_the_page(world, login):
    client = login(world["province"])
    assert client.get("/monitoring/r/360000/templates/new/").status_code == 200
    response = client.post(
        "/monitoring/r/360000/templates/new/", {"name": "规上企业等级表", "rows": "industries", **columns_post(GOOD)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    template = ReportTemplate.objects.get(region_id=JIANGXI, name="规上企业等级表")
    assert template.rows == "industries" and template.created_by == world["province"]
    assert [c["title"] for c in template.columns] == ["规上企业数", "二级及以上企业占比"]  # by 序号
    assert template.columns[1] == {
        "title": "二级及以上企业占比",
        "metric": "level",
        "unit": "share",
        "above_scale": True,
        "model_code": "cmmm",
        "level": 2,
        "tier": "",
        "basis": "self",
    }
    listing = client.get("/monitoring/r/360000/templates/").content.decode()
    assert "规上企业等级表" in listing
    choices = client.get("/monitoring/r/360000/rounds/new/").content.decode()
    assert f'value="t{template.pk}"' in choices


def test_the_template_form_explains_what_is_wrong_and_saves_nothing(world, login):
    client = login(world["province"])
    bad = [
        {"title": "二级企业", "metric": "level"},  # no model, no level
        {"title": "服务商占比", "metric": "providers", "unit": "share"},
        {"title": "规上企业数", "metric": "population", "unit": "share"},
        {"title": "规上企业数", "metric": "population"},
    ]
    page = client.post(
        "/monitoring/r/360000/templates/new/", {"name": "坏模板", "rows": "industries", **columns_post(bad)}
    ).content.decode()
    for message in [
        "第 1 列：按成熟度等级统计须选择评估模型",
        "第 1 列：按成熟度等级统计须填写等级",
        "第 2 列：只有关于企业的指标（不含企业数本身）可以按占比统计",
        "第 2 列：按行业分行的报表不能包含服务商、专员或对接活动：它们不属于某个行业",
        "第 3 列：只有关于企业的指标（不含企业数本身）可以按占比统计",
        "第 4 列：列标题“规上企业数”重复",
    ]:
        assert message in page
    empty = client.post(
        "/monitoring/r/360000/templates/new/", {"name": "空模板", "rows": "regions", **columns_post([{"title": ""}])}
    ).content.decode()
    assert "请至少设置一列" in empty
    assert not ReportTemplate.objects.exists()


def test_templates_stay_in_their_province(world, login, make_user):
    template = filing_templates.template_save(
        actor=world["province"],
        region=Region.objects.get(code=JIANGXI),
        name="江西季报",
        rows="regions",
        columns=[{"title": "入库服务商", "metric": "providers", "unit": "count"}],
    )
    guangdong = make_user("guangdong", Role.PROVINCE_OFFICER, region="440000")
    client = login(guangdong)
    assert "江西季报" not in client.get("/monitoring/r/440000/templates/").content.decode()
    assert client.get(f"/monitoring/r/440000/templates/{template.pk}/").status_code == 404
    assert client.get(f"/monitoring/r/360000/templates/{template.pk}/").status_code == 404
    assert f'value="t{template.pk}"' not in client.get("/monitoring/r/440000/rounds/new/").content.decode()
    with pytest.raises(ValidationError):
        open_round(guangdong, f"t{template.pk}", code="440000")
    with pytest.raises(PermissionDenied):
        filing_templates.template_save(
            actor=guangdong,
            region=Region.objects.get(code=JIANGXI),
            template=template,
            name="改名",
            rows="regions",
            columns=template.columns,
        )
    city = login(world["city"])  # a city does not define templates, not even its province's
    assert city.get("/monitoring/r/360000/templates/").status_code == 404
    assert city.get("/monitoring/r/360100/templates/new/").status_code == 404
    template.refresh_from_db()
    assert template.name == "江西季报"


def test_a_round_keeps_the_template_it_was_opened_with(world, login, make_enterprise):
    make_enterprise("360102", industry="34", is_above_scale=True)
    province = Region.objects.get(code=JIANGXI)
    template = filing_templates.template_save(
        actor=world["province"],
        region=province,
        name="企业数",
        rows="regions",
        columns=[{"title": "规上企业", "metric": "population", "unit": "count", "above_scale": True}],
    )
    round_ = open_round(world["province"], f"t{template.pk}")
    assert round_.definition == {"name": "企业数", "rows": "regions", "columns": template.columns}
    filing_templates.template_save(
        actor=world["province"],
        region=province,
        template=template,
        name="企业数",
        rows="industries",
        columns=[{"title": "全部企业", "metric": "population", "unit": "count", "above_scale": None}],
    )
    round_.refresh_from_db()
    table = figures(round_, "360100")
    assert table["columns"] == ["规上企业"] and table["rows_kind"] == "regions"
    assert dict((row[0], row[1]) for row in table["rows"])["东湖区"] == 1
    later = figures(open_round(world["province"], f"t{template.pk}"), "360100")
    assert later["columns"] == ["全部企业"] and later["rows_kind"] == "industries"


def test_a_round_opened_before_templates_were_frozen_reads_the_builtin(world):
    round_ = open_round(world["province"], "progress")
    round_.definition = {}
    round_.save()
    assert filings.columns_of(round_)[0].title == "规上工业企业数"


def test_an_industry_filing_shows_and_exports_by_industry(world, firms, login):
    import io

    from openpyxl import load_workbook

    round_ = open_round(world["province"], "progress_industry")
    east = Filing.objects.get(round=round_, region_id="360102")
    client = login(world["county"])
    assert "分行业智改数转进展统计表" in client.get(f"/monitoring/rounds/{round_.pk}/").content.decode()
    page = client.get(f"/monitoring/filings/{east.pk}/").content.decode()
    assert "<th>行业</th>" in page and "34 通用设备制造业" in page
    sheet = load_workbook(io.BytesIO(client.get(f"/monitoring/filings/{east.pk}/?format=xlsx").content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[1][:3] == ["行业", "规上工业企业数", "本年完成自评估的规上企业"]
    assert rows[3][:4] == ["34 通用设备制造业", 2, 1, 50]
    assert rows[5][:3] == ["合计", 3, 1]
