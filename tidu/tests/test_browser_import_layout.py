"""Browser: a county list with a title, a units row, a total and signatures is previewed with what was skipped, the
figures' year is asked and changed on the page, then imported. Synthetic names and codes."""

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import make_code
from enterprises.models import Chain, Cluster, Enterprise
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


def test_new_cluster_and_chain_names_are_listed_and_confirmed_on_the_page_before_import(world, session):
    lists = Path(__file__).resolve().parents[2] / "enterprises" / "tests" / "realistic_lists"
    content = (lists / "20_cluster_and_chain_columns.xlsx").read_bytes()
    session.login(world["county"].username)
    page = session.page
    page.goto("/enterprises/import/")
    page.set_input_files("input[name=file]", files=[{"name": "集群名单.xlsx", "mimeType": XLSX, "buffer": content}])
    with page.expect_navigation(url=re.compile(r"/enterprises/import/[0-9a-f-]{36}/$")):
        page.get_by_role("button", name="上传并校验").click()
    new = page.get_by_test_id("new-groupings")
    expect(new).to_contain_text("东湖区电子信息产业集群")
    expect(new).to_contain_text("南昌市汽车及零部件产业链")
    expect(page.get_by_test_id("status")).to_have_text("待回答")  # nothing is wrong, an answer is awaited
    expect(page.get_by_test_id("confirm")).to_have_count(0)  # not importable until the names are confirmed
    session.shot("import-new-groupings")
    page.get_by_label("新建以上产业集群/产业链").check()
    page.get_by_test_id("answer").click()
    expect(page.get_by_test_id("status")).to_have_text("待确认导入")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("status")).to_have_text("已导入")
    assert Cluster.objects.filter(name="东湖区电子信息产业集群").exists()
    assert Chain.objects.filter(name="南昌市汽车及零部件产业链").exists()
    session.assert_clean()
