"""In a real browser (Debian's Chromium): an enterprise opens the 基础级 programme, reads its prerequisites before
applying, starts an application, uploads the required evidence (one refused file first), submits; the county
officer finds it in the queue and passes the county check with a reason; the enterprise's status page then shows
the city's expert review as the step it is at, with the history. Screenshots at 1440 px in var/screenshots/."""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from recognition.models import Application
from tidu.tests.conftest import chromium, open_session, reference_data  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 1000}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(page, code: str, name: str, data: bytes = PDF) -> None:
    form = page.get_by_test_id(f"upload-{code}")
    form.locator("input[type=file]").set_input_files({"name": name, "mimeType": "application/pdf", "buffer": data})
    with page.expect_navigation():
        form.get_by_role("button", name="上传").click()


def test_an_enterprise_applies_and_the_county_passes_it(world, load_programme, open_session):  # noqa: F811
    programme = load_programme()  # 南昌's 基础级 programme with the tier conditions of the maturity library

    ent = open_session(WIDE)
    page = ent.page
    ent.login("enterprise")
    page.get_by_test_id("nav-recognition").click()
    page.get_by_role("link", name=programme.name).click()
    expect(page.get_by_test_id("provisional-note")).to_be_visible()
    check = page.get_by_test_id("prereq-check")
    expect(check).to_contain_text("东湖精密机械有限公司")
    expect(check.get_by_test_id("prereq-item").first).to_be_visible()
    expect(check.get_by_test_id("tier-check-link")).to_have_attribute(
        "href", f"/assessments/enterprise/{world['home'].pk}/tiers/"
    )
    expect(page.get_by_test_id("chain-step-county_check")).to_contain_text("区县级主管部门")
    ent.shot("recognition-programme-enterprise")

    with page.expect_navigation():
        page.get_by_test_id("apply").click()
    expect(page).to_have_url(re.compile(r"/applications/\d+/edit/$"))
    page.get_by_label("申报说明").fill("2025 年建成数字化车间，MES 覆盖全部产线。")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存申报表")

    upload(page, "report", "建设情况.pdf", b"<html><script>alert(1)</script></html>")
    expect(page.locator(".alert-danger")).to_contain_text("文件未上传")
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect(page.locator(".alert-danger")).to_contain_text("缺少申报材料")
    ent.shot("recognition-submit-refused")
    for code, name in (("report", "智能工厂建设情况报告.pdf"), ("self_check", "自评估结果.pdf"),
                       ("commitment", "真实性承诺书.pdf")):  # fmt: skip
        upload(page, code, name)
        expect(page.get_by_test_id(f"evidence-{code}")).to_contain_text(name)
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交")
    expect(page.get_by_test_id("standing-text")).to_contain_text("正在“区县真实性审核”环节，由区县级主管部门办理")
    expect(page.get_by_test_id("calendar-note")).to_be_visible()
    ent.shot("recognition-submitted")

    off = open_session(WIDE)
    opage = off.page
    off.login("county")
    opage.get_by_test_id("nav-recognition").click()
    opage.get_by_test_id(f"waiting-{programme.code}").click()
    expect(opage.get_by_test_id("queue-row")).to_have_count(1)
    off.shot("recognition-queue-county")
    opage.get_by_role("link", name="东湖精密机械有限公司").click()
    form = opage.get_by_test_id("decide-form")
    expect(form.get_by_label("纳入培育库")).to_have_count(0)
    off.shot("recognition-decide-form-county")
    form.get_by_label("通过", exact=True).check()
    form.get_by_label("理由").fill("营业执照、产值数据与统计口径一致，材料属实")
    with opage.expect_navigation():
        form.get_by_test_id("decide-submit").click()
    expect(opage.locator(".alert-success")).to_contain_text("区县真实性审核 · 通过")
    off.shot("recognition-county-passed")
    opage.goto(f"{off.base_url}/recognition/programmes/{programme.pk}/queue/")
    expect(opage.get_by_test_id("others")).to_contain_text("东湖精密机械有限公司")
    off.shot("recognition-queue-export")
    with opage.expect_download() as download:
        opage.get_by_test_id("applications-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["企业名称", "统一社会信用代码", "所在地区", "行业代码", "状态"]
    assert [r[0] for r in rows[1:]] == ["东湖精密机械有限公司"] and rows[1][5] == "市级专家评审（含现场核查）"
    off.assert_clean()

    page.reload()
    expect(page.get_by_test_id("standing-text")).to_contain_text("市级专家评审（含现场核查）")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("营业执照、产值数据与统计口径一致，材料属实")
    expect(history).to_contain_text("区县级主管部门")
    expect(history).not_to_contain_text("county")
    ent.shot("recognition-status-after-county")
    application = Application.objects.get()
    assert (application.status, application.step) == ("in_review", 1)
    assert not ent.console_errors
    # The refused upload and the refused submission answer with a redirect and a message, never an error status.
    assert not ent.bad_responses


def test_the_province_compares_the_cities_and_the_city_follows_its_cultivation_pool(
    world,
    load_programme,
    attach,
    make_enterprise,
    make_user,
    open_session,  # noqa: F811
):
    from accounts.models import Role
    from enterprises.models import EnterpriseLabel
    from recognition import prerequisites, services

    programme = load_programme(code="sf-advanced-2026", region="360000", actor="province", prerequisites={},
                               quota={"default": 1})  # fmt: skip
    county2 = make_user("county2", Role.COUNTY_OFFICER, region="360402")
    firms = [(world["home"], world["enterprise"], world["county"])]
    for county, officer, name in (("360102", world["county"], "东湖智能装备有限公司"),
                                  ("360402", county2, "濂溪新材料有限公司")):  # fmt: skip
        firm = make_enterprise(county, name=name)
        firms.append((firm, make_user(f"u{firm.pk}", Role.ENTERPRISE, enterprise=firm), officer))
    applications = []
    for firm, user, officer in firms:
        EnterpriseLabel.objects.create(enterprise=firm, label_id="tier-basic", year=2025)
        application = services.application_start(actor=user, programme=programme, enterprise=firm)
        attach(application)
        services.application_submit(actor=user, application=application,
                                    check=prerequisites.check(programme.rules, firm, {}))  # fmt: skip
        services.application_decide(actor=officer, application=application, decision="pass", reason="材料属实")
        applications.append(application)
    services.application_decide(actor=world["city"], application=applications[0], decision="pass", reason="推荐")

    city = open_session(WIDE)
    cpage = city.page
    city.login("city")
    cpage.goto(f"/recognition/applications/{applications[1].pk}/")
    expect(cpage.get_by_test_id("quota")).to_contain_text("名额 1 个，剩余 0 个")
    form = cpage.get_by_test_id("decide-form")
    form.get_by_label("通过", exact=True).check()
    form.get_by_label("理由").fill("推荐上报")
    with cpage.expect_navigation():
        form.get_by_test_id("decide-submit").click()
    expect(cpage.locator(".alert-danger")).to_contain_text("推荐名额已用完（1 个）")
    form = cpage.get_by_test_id("decide-form")
    form.get_by_label("纳入培育库").check()
    form.get_by_label("理由").fill("名额有限，纳入培育库，明年优先推荐")
    with cpage.expect_navigation():
        form.get_by_test_id("decide-submit").click()
    expect(cpage.get_by_test_id("standing-text")).to_contain_text("纳入培育库")
    cpage.get_by_test_id("nav-recognition").click()
    cpage.get_by_test_id("cultivation-link").click()
    expect(cpage.get_by_test_id("pool-row")).to_have_count(1)
    expect(cpage.get_by_test_id("pool")).to_contain_text("名额有限，纳入培育库，明年优先推荐")
    expect(cpage.get_by_test_id("roadmap-link")).to_be_visible()
    city.shot("recognition-cultivation-pool")
    city.assert_clean()

    province = open_session(WIDE)
    ppage = province.page
    province.login("province")
    ppage.goto(f"/recognition/programmes/{programme.pk}/")
    ppage.get_by_test_id("board-link").click()
    expect(ppage.get_by_test_id("quota-360100")).to_contain_text("已推荐 1 / 名额 1（剩余 0）")
    expect(ppage.get_by_test_id("quota-360400")).to_contain_text("已推荐 0 / 名额 1（剩余 1）")
    expect(ppage.get_by_test_id("board-360400")).to_contain_text("濂溪新材料有限公司")
    expect(ppage.get_by_test_id("board-360100").get_by_test_id("declined")).to_contain_text("未推荐，纳入培育库")
    province.shot("recognition-recommend-board-province")
    province.assert_clean()


def test_the_declared_criteria_form_follows_the_programme(world, load_programme, open_session):  # noqa: F811
    programme = load_programme(code="sd-industry-model-2025", region="360000", actor="province")
    ent = open_session(WIDE)
    page = ent.page
    ent.login("enterprise")
    page.goto(f"/recognition/programmes/{programme.pk}/")
    expect(page.get_by_test_id("prereq-item")).to_have_count(len(programme.rules.criteria))
    with page.expect_navigation():
        page.get_by_test_id("apply").click()
    page.get_by_label("模型参数量").fill("13")
    page.get_by_label("通用场景模型数").fill("1")
    page.get_by_label("特定场景模型数").fill("4")
    for label in ("拥有自主知识产权", "通过第三方评测", "已投入使用并取得成效"):
        page.get_by_test_id("application-form").locator("div.mb-3", has_text=label).get_by_label("是").check()
    ent.shot("recognition-criteria-form")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    items = page.get_by_test_id("prerequisites").get_by_test_id("prereq-item")
    expect(items.filter(has_text="通用场景模型数")).to_have_attribute("data-outcome", "not_met")
    expect(items.filter(has_text="模型参数量")).to_have_attribute("data-outcome", "pending")
    expect(page.get_by_test_id("declared")).to_contain_text("模型参数量：13 十亿")
    ent.shot("recognition-criteria-declared")
    ent.assert_clean()
    page.goto("/recognition/")
    expect(page.get_by_test_id("my-applications")).to_contain_text(programme.name)
    ent.shot("recognition-home-enterprise")
