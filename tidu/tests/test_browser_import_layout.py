"""Browser: a county list with a title, a units row, a total and signatures is previewed with what was skipped, the
figures' year is asked and changed on the page, then imported. Synthetic names and codes."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from conftest import make_code
from enterprises.models import Enterprise
from enterprises.tests.lists import SheetSpec, county_list, workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_real_county_list_is_previewed_with_its_layout_and_the_asked_year(world, session):
    code = make_code("360102")
    records = [["东湖样例制造有限公司", code, "360102", "C34", 80, 2500]]
    content = workbook(SheetSpec("名单", county_list(records), merges=["A1:G1"]))
    session.login(world["county"].username)
    page = session.page
    page.goto("/enterprises/import/")
    page.set_input_files("input[name=file]", files=[{"name": "东湖区名单.xlsx", "mimeType": XLSX, "buffer": content}])
    with page.expect_navigation(url=re.compile(r"/enterprises/import/[0-9a-f-]{36}/$")):
        page.get_by_role("button", name="上传并校验").click()
    expect(page.get_by_test_id("status")).to_have_text("待确认导入")
    notes = page.get_by_test_id("layout-notes")
    expect(notes).to_contain_text("第 1–2 行为标题，已跳过")
    expect(notes).to_contain_text("第 6 行为合计或小计，已跳过")
    year = page.locator("#id_year")
    expect(year).to_have_value(str(dt.date.today().year - 1))
    session.shot("import-layout-preview")
    year.fill("2023")
    page.get_by_test_id("answer").click()
    expect(page.get_by_test_id("status")).to_have_text("待确认导入")
    expect(page.locator("#id_year")).to_have_value("2023")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("status")).to_have_text("已导入")
    assert Enterprise.objects.get(credit_code=code).figures.get().year == 2023
    session.assert_clean()
