"""In a real browser: an officer writes a finding, previews the diagnosis report for a chosen tier, issues it,
downloads the PDF; a stranger holding the PDF verifies it on the public page, and an altered copy is rejected.
Screenshots in var/screenshots/."""

import datetime
import re
import zipfile

import pytest
from playwright.sync_api import expect

from catalog.models import MatchMeeting, MeetingParticipant
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
    form.get_by_label("与企业共享").check()  # internal findings never enter a report
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


def test_officer_issues_reports_for_a_campaigns_invitees_and_downloads_the_zip(world, open_session, tmp_path):
    """From a matching event to a ZIP: the city officer's batch covers the invitees in the city only (九江's
    invitee is another officer's), one is reported, one without an assessment is skipped with its reason."""
    submit_cmmm(world, world["home"], level_one_only)
    meeting = MatchMeeting.objects.create(
        title="南昌数字化诊断对接会（合成）", region_id="360100", held_on=datetime.date(2026, 12, 20)
    )
    for enterprise in (world["home"], world["neighbour"], world["other"]):
        MeetingParticipant.objects.create(meeting=meeting, enterprise=enterprise)
    officer = open_session()
    page = officer.page
    officer.login("city")
    page.goto(f"/catalog/meetings/{meeting.pk}/")
    page.get_by_test_id("batch-reports").click()
    expect(page.get_by_label("活动（对接会）受邀企业")).to_have_value(str(meeting.pk))
    expect(page.get_by_test_id("count")).to_contain_text("共 2 家企业")
    officer.shot("report-batch-new")
    page.get_by_test_id("create").click()
    expect(page.get_by_test_id("status")).to_have_text("已完成", timeout=60_000)
    expect(page.get_by_test_id("done")).to_have_text("1")
    expect(page.get_by_test_id("skips")).to_contain_text(world["neighbour"].name)
    expect(page.locator("main")).to_contain_text(f"活动：{meeting.title} 的受邀企业")
    officer.shot("report-batch-done")
    with page.expect_download() as download:
        page.get_by_test_id("archive").click()
    archive = tmp_path / "batch.zip"
    download.value.save_as(archive)
    with zipfile.ZipFile(archive) as zipped:
        pdfs = [name for name in zipped.namelist() if name.endswith(".pdf")]
        assert len(pdfs) == 1 and zipped.read(pdfs[0]) == DiagnosisReport.objects.get().pdf.read()
    officer.assert_clean()
