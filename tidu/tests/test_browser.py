"""End-to-end checks in a real browser: each persona logs in through the login form, browses, filters, opens a
detail page, imports a file with an error and then the fixed file, and exports.

Playwright's sync API drives Debian's Chromium (never a downloaded browser). Screenshots land in var/screenshots/
for a human to look at; the assertions do not depend on them."""

import csv
import io
import re
import time
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from tidu.tests.conftest import TABLET, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME, NEIGHBOUR, OTHER = "东湖精密机械有限公司", "青山湖电子科技有限公司", "九江濂溪化工有限公司"
IMPORT_HEADERS = ["统一社会信用代码", "企业名称", "所在区县", "行业代码"]


def result_names(page) -> list[str]:
    return page.locator("#results table tbody td.name a").all_inner_texts()


def detail_pk(url: str) -> int:
    match = re.search(r"/enterprises/(\d+)/$", url)
    assert match, url
    return int(match.group(1))


def make_csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(IMPORT_HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(session: Session, filename: str, content: bytes) -> None:
    page = session.page
    page.goto("/enterprises/import/")
    page.set_input_files("input[name=file]", files=[{"name": filename, "mimeType": "text/csv", "buffer": content}])
    with page.expect_navigation(url=re.compile(r"/enterprises/import/[0-9a-f-]{36}/$")):
        page.get_by_role("button", name="上传并校验").click()


# 1. Every persona logs in and lands somewhere useful ------------------------------------------------------------


OFFICER_SCOPES = {
    "province": {HOME, NEIGHBOUR, OTHER},
    "city": {HOME, NEIGHBOUR},
    "county": {HOME},
    "commissioner": {NEIGHBOUR},
}


@pytest.mark.parametrize("persona", ["province", "city", "county", "commissioner"])
def test_officer_lands_on_workbench_and_sees_only_their_scope(world, session, persona):
    page = session.page
    session.login(persona)
    expect(page).to_have_url(f"{session.base_url}/")
    expect(page.locator("h1")).to_have_text("工作台")
    if persona == "commissioner":  # a commissioner's home lists the enterprises assigned to it
        expect(page.get_by_test_id("commissioner-workbench")).to_contain_text(NEIGHBOUR)
    else:
        expect(page.get_by_test_id("total")).to_have_text(str(len(OFFICER_SCOPES[persona])))
    expect(page.get_by_test_id("user-menu")).to_contain_text(persona)
    session.shot(f"home-{persona}")

    page.get_by_role("link", name="企业档案", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/enterprises/$"))
    expect(page.get_by_test_id("result-count")).to_have_text(f"共 {len(OFFICER_SCOPES[persona])} 家企业")
    assert set(result_names(page)) == OFFICER_SCOPES[persona]
    session.shot(f"list-{persona}")
    session.assert_clean()


def test_enterprise_user_lands_on_its_own_workbench_and_opens_its_enterprise(world, session):
    page = session.page
    session.login("enterprise")
    expect(page).to_have_url(f"{session.base_url}/")
    expect(page.get_by_test_id("enterprise-workbench")).to_contain_text(HOME)
    page.get_by_role("link", name="本企业档案").click()
    expect(page).to_have_url(f"{session.base_url}/enterprises/{world['home'].pk}/")
    expect(page.locator("h1")).to_have_text(HOME)
    expect(page.get_by_test_id("timeline")).to_be_visible()
    session.shot("home-enterprise")
    session.assert_clean()


# 2. Browse, filter with htmx, open a detail page, add a note ----------------------------------------------------


def test_city_officer_filters_opens_detail_and_adds_a_note(world, session):
    page = session.page
    session.login("city")
    page.goto("/enterprises/")
    assert set(result_names(page)) == {HOME, NEIGHBOUR}
    session.assert_clean()  # the full list page: no CSP violations, no failed assets

    with page.expect_response(lambda r: "region=360102" in r.url and r.request.headers.get("hx-request") == "true"):
        page.select_option("select[name=region]", "360102")
    expect(page.get_by_test_id("result-count")).to_have_text("共 1 家企业")
    assert result_names(page) == [HOME]
    expect(page).to_have_url(re.compile(r"region=360102"))  # hx-push-url keeps the filter in the address bar

    with page.expect_response(lambda r: "industry=39" in r.url):
        page.select_option("select[name=industry]", "39")
    expect(page.locator("#results .empty-state h2")).to_have_text("没有符合条件的企业")

    with page.expect_response(lambda r: "industry=39" in r.url and "region=&" in r.url + "&"):
        page.select_option("select[name=region]", "")
    expect(page.get_by_test_id("result-count")).to_have_text("共 1 家企业")
    assert result_names(page) == [NEIGHBOUR]
    session.shot("list-city-filtered")

    page.get_by_role("link", name=NEIGHBOUR).click()
    expect(page).to_have_url(f"{session.base_url}/enterprises/{world['neighbour'].pk}/")
    expect(page.locator("h1")).to_have_text(NEIGHBOUR)
    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator("> li")).not_to_have_count(0)

    note = "走访企业，了解数字化改造需求（浏览器测试）"
    page.fill("textarea[name=text]", note)
    with page.expect_navigation():
        page.get_by_role("button", name="添加记录").click()
    expect(page.locator(".alert-success")).to_contain_text("工作记录已添加")
    expect(timeline.locator("> li").first).to_contain_text(note)
    session.shot("detail-city-note")
    session.assert_clean()


# 3. Import: an error report, then the fixed file, then confirm ---------------------------------------------------


def _codes(serial: str) -> tuple[str, str]:
    from enterprises.creditcode import ALPHABET, make, org_code

    good = make("91360102" + org_code(serial[-8:]))
    wrong = next(c for c in ALPHABET if c != good[-1])
    return good, good[:-1] + wrong


def test_county_officer_imports_after_fixing_the_reported_error(world, session):
    page = session.page
    first, _ = _codes("735000101")
    second, broken = _codes("735000102")
    names = ["东湖新材料科技有限公司", "东湖智能装备制造有限公司"]
    session.login("county")

    upload(session, "企业名单.csv", make_csv([[first, names[0], "360102", "34"], [broken, names[1], "360102", "35"]]))
    expect(page.get_by_test_id("status")).to_have_text("校验未通过")
    report = page.get_by_test_id("error-report")
    expect(report.locator("tbody tr")).to_have_count(1)
    cells = report.locator("tbody tr").first.locator("td").all_inner_texts()
    assert cells[0] == "3"
    assert cells[1] == "统一社会信用代码"
    assert cells[2] == broken
    assert "校验码" in cells[3]
    session.shot("import-error-report")

    fixed = make_csv([[first, names[0], "360102", "34"], [second, names[1], "360102", "35"]])
    upload(session, "企业名单-修正.csv", fixed)
    expect(page.get_by_test_id("status")).to_have_text("待确认导入")
    expect(page.get_by_test_id("created")).to_have_text("2")
    expect(page.get_by_test_id("updated")).to_have_text("0")
    session.shot("import-ready")
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("status")).to_have_text("已导入")
    expect(page.get_by_test_id("created")).to_have_text("2")
    session.shot("import-done")

    page.get_by_role("link", name="查看企业档案").click()
    expect(page).to_have_url(re.compile(r"/enterprises/$"))
    assert set(result_names(page)) == {HOME, *names}
    session.assert_clean()


def test_gbk_encoded_csv_imports_with_readable_names(world, session):
    page = session.page
    code, _ = _codes("735000201")
    name = "东湖绿色纺织有限公司"
    session.login("county")
    upload(session, "gbk.csv", make_csv([[code, name, "东湖区", "C17"]], encoding="gbk"))
    expect(page.get_by_test_id("status")).to_have_text("待确认导入")
    expect(page.get_by_test_id("created")).to_have_text("1")
    expect(page.locator("#import-status table")).to_contain_text(name)  # the preview, decoded correctly
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("status")).to_have_text("已导入")
    page.goto("/enterprises/?q=" + name)
    assert result_names(page) == [name]
    session.assert_clean()


# 4. Export what the filter shows --------------------------------------------------------------------------------


def _download(page, testid: str):
    with page.expect_download() as info:
        page.get_by_test_id(testid).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_city_officer_exports_the_filtered_list(world, session):
    page = session.page
    session.login("city")
    page.goto("/enterprises/?region=360102")
    assert result_names(page) == [HOME]

    filename, content = _download(page, "export-csv")
    assert filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["统一社会信用代码", "企业名称", "曾用名", "所在区县"]
    assert [row[1] for row in rows[1:]] == [HOME]
    assert rows[1][0] == world["home"].credit_code

    filename, content = _download(page, "export-xlsx")
    assert filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "统一社会信用代码"
    assert [row[1] for row in values[1:]] == [HOME]
    session.assert_clean()


def test_export_links_follow_a_filter_applied_with_htmx(world, session):
    """Filtering swaps only #results; the export links live inside it, so they export what is shown."""
    page = session.page
    session.login("city")
    page.goto("/enterprises/")
    with page.expect_response(lambda r: "region=360102" in r.url):
        page.select_option("select[name=region]", "360102")
    expect(page.get_by_test_id("result-count")).to_have_text("共 1 家企业")
    _, content = _download(page, "export-csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == [HOME]


# 5. Tablet size --------------------------------------------------------------------------------------------------


def test_tablet_list_and_detail(world, open_session):
    session = open_session(TABLET)
    page = session.page
    session.login("city")
    page.goto("/enterprises/")
    expect(page.get_by_test_id("result-count")).to_have_text("共 2 家企业")
    # The navbar collapses behind its toggler at this width.
    expect(page.locator(".navbar-toggler")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the list page scrolls sideways by {overflow}px"
    session.shot("tablet-list")
    page.get_by_role("link", name=HOME).click()
    expect(page.locator("h1")).to_have_text(HOME)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the detail page scrolls sideways by {overflow}px"
    session.shot("tablet-detail")
    session.assert_clean()


# 6. Timing guard: the whole file should stay quick enough to run before every push -------------------------------


def test_pages_render_quickly(world, session):
    page = session.page
    session.login("province")
    for url in ("/enterprises/", f"/enterprises/{world['other'].pk}/"):
        started = time.monotonic()
        page.goto(url)
        elapsed = time.monotonic() - started
        assert elapsed < 3, f"{url} took {elapsed:.1f}s"
    session.assert_clean()
