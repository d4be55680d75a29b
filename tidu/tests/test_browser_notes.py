"""In a real browser: an officer writes an internal and a shared work record and finding on an enterprise; the
enterprise's own user, logged in, sees only the shared ones. Screenshots in var/screenshots/."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTERNAL_NOTE = "企业负责人改造意愿不强，建议暂缓推荐资金"
SHARED_NOTE = "请于本月底前完成智能制造能力成熟度自评估"
INTERNAL_FINDING = "财务数据与申报材料口径不一致，待核实"
SHARED_FINDING = "建议优先完成关键设备联网和数据采集"


def test_officer_writes_internal_and_shared_notes_and_the_enterprise_sees_only_the_shared_ones(world, open_session):
    home = world["home"]
    officer = open_session()
    page = officer.page
    officer.login("county")
    page.goto(f"/enterprises/{home.pk}/")
    choice = page.get_by_test_id("note-visibility")
    expect(choice.get_by_label("内部", exact=True)).to_be_checked()  # internal is the default for officers
    page.fill("textarea[name=text]", INTERNAL_NOTE)
    with page.expect_navigation():
        page.get_by_role("button", name="添加记录").click()
    page.fill("textarea[name=text]", SHARED_NOTE)
    page.get_by_test_id("note-visibility").get_by_label("与企业共享").check()
    with page.expect_navigation():
        page.get_by_role("button", name="添加记录").click()
    timeline = page.get_by_test_id("timeline")
    internal_entry = timeline.get_by_test_id("timeline-entry").filter(has_text=INTERNAL_NOTE)
    shared_entry = timeline.get_by_test_id("timeline-entry").filter(has_text=SHARED_NOTE)
    expect(internal_entry.get_by_test_id("internal-badge")).to_have_text("内部")
    expect(shared_entry.get_by_test_id("internal-badge")).to_have_count(0)
    officer.shot("notes-officer-timeline")

    page.get_by_test_id("reports-link").click()
    form = page.get_by_test_id("finding-form")
    form.get_by_role("textbox").fill(INTERNAL_FINDING)
    form.get_by_role("button", name="添加意见").click()
    expect(page.get_by_test_id("finding").filter(has_text=INTERNAL_FINDING)).to_be_visible()
    form = page.get_by_test_id("finding-form")
    form.get_by_role("textbox").fill(SHARED_FINDING)
    form.get_by_label("与企业共享").check()
    form.get_by_role("button", name="添加意见").click()
    expect(page.get_by_test_id("finding").filter(has_text=SHARED_FINDING)).to_be_visible()
    internal_finding = page.get_by_test_id("finding").filter(has_text=INTERNAL_FINDING)
    expect(internal_finding.get_by_test_id("internal-badge")).to_be_visible()
    officer.shot("notes-officer-findings")
    officer.assert_clean()

    enterprise = open_session()
    epage = enterprise.page
    enterprise.login("enterprise")
    epage.goto(f"/enterprises/{home.pk}/")
    timeline = epage.get_by_test_id("timeline")
    expect(timeline).to_contain_text(SHARED_NOTE)
    expect(timeline).to_contain_text(SHARED_FINDING)
    expect(epage.locator("body")).not_to_contain_text(INTERNAL_NOTE)
    expect(epage.locator("body")).not_to_contain_text(INTERNAL_FINDING)
    expect(epage.get_by_test_id("internal-badge")).to_have_count(0)
    expect(epage.get_by_test_id("note-visibility")).to_have_count(0)  # an enterprise's own notes are always shared
    enterprise.shot("notes-enterprise-timeline")
    epage.get_by_test_id("reports-link").click()
    expect(epage.get_by_test_id("findings")).to_contain_text(SHARED_FINDING)
    expect(epage.get_by_test_id("findings")).not_to_contain_text(INTERNAL_FINDING)
    enterprise.shot("notes-enterprise-findings")
    epage.goto("/")
    expect(epage.locator("body")).not_to_contain_text(INTERNAL_NOTE)
    enterprise.shot("notes-enterprise-home")
    enterprise.assert_clean()
