"""In a real browser: an officer writes a finding, previews the diagnosis report for a chosen tier, issues it,
downloads the PDF; a stranger holding the PDF verifies it on the public page, and an altered copy is rejected.
Screenshots in var/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from reports.models import DiagnosisReport
from reports.tests.test_reports import level_one_only, submit_cmmm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_previews_issues_and_a_stranger_verifies_the_pdf(world, open_session, tmp_path):
    submit_cmmm(world, world["home"], level_one_only)
    officer = open_session()
    page = officer.page
    officer.login("county")
    page.goto(f"/enterprises/{world['home'].pk}/")
    page.get_by_test_id("reports-link").click()
    expect(page).to_have_url(re.compile(r"/reports/enterprise/\d+/$"))
    form = page.get_by_test_id("finding-form")
    form.get_by_role("textbox").fill("设备联网率低，生产数据仍靠人工抄录。")
    form.get_by_role("button", name="添加意见").click()
    expect(page.get_by_test_id("finding")).to_contain_text("设备联网率低")
    expect(page.get_by_test_id("finding")).to_contain_text("county")
    page.get_by_label("或以梯度为目标").select_option(value="excellent")
    page.get_by_test_id("preview").click()
    body = page.get_by_test_id("report-body")
    expect(body).to_contain_text("提升路线图")
    expect(body).to_contain_text("卓越级")
    expect(body).to_contain_text("设备联网率低")
    expect(body.locator("svg").first).to_be_visible()
    officer.shot("report-preview")
    page.get_by_test_id("issue").click()
    expect(page).to_have_url(re.compile(r"/reports/\d+/$"))
    report = DiagnosisReport.objects.get()
    expect(page.locator(".page-title")).to_contain_text(report.code)
    assert report.content["models"][0]["gap"]["target_level"] == 3
    officer.shot("report-issued")
    with page.expect_download() as download:
        page.get_by_test_id("download-pdf").click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes() == report.pdf.read()
    officer.assert_clean()

    stranger = open_session()
    spage = stranger.page
    spage.goto(f"/r/{report.code}/")
    spage.set_input_files("input[type=file]", str(pdf))
    spage.get_by_role("button", name="核验").click()
    expect(spage.get_by_test_id("verify-ok")).to_contain_text("真实有效")
    expect(spage.locator("main")).not_to_contain_text(world["home"].name)
    stranger.shot("report-verified")
    altered = tmp_path / "altered.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 3] ^= 0x20
    altered.write_bytes(bytes(data))
    spage.set_input_files("input[type=file]", str(altered))
    spage.get_by_role("button", name="核验").click()
    expect(spage.get_by_test_id("verify-failed")).to_be_visible()
    stranger.shot("report-verify-altered")
