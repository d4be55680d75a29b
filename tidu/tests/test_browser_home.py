"""In a real browser: each role's workbench, and the enterprise reading the notification of a provider's response
from the badge in the navigation bar. Screenshots in var/screenshots/ (workbench-<role>.png, notifications-*.png)."""

import re

import pytest
from playwright.sync_api import expect

from .workday import INTERNAL_NOTE, SHARED_NOTE, populate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKBENCH = {
    "county": "queues",
    "commissioner": "commissioner-workbench",
    "enterprise": "enterprise-workbench",
    "provider": "provider-workbench",
    "expert": "expert-workbench",
    "admin": "queues",
}


def test_each_role_sees_its_own_workbench(world, open_session):
    populate(world)
    for persona, section in WORKBENCH.items():
        session = open_session()
        session.login(persona)
        page = session.page
        page.goto("/")
        expect(page.get_by_test_id(section)).to_be_visible()
        if persona == "enterprise":
            expect(page.locator("main")).to_contain_text(SHARED_NOTE)
            expect(page.locator("main")).not_to_contain_text(INTERNAL_NOTE)
        session.shot(f"workbench-{persona}")
        session.assert_clean()


def test_the_enterprise_follows_the_badge_to_the_response_and_marks_everything_read(world, open_session):
    from notifications.services import notify

    populate(world)  # the provider's response notified the enterprise
    notify(recipients=[world["enterprise"]], kind="report_issued", title="您收到一份诊断报告（第 1 版）",
           body="东湖区工业和信息化主管部门为贵企业出具了诊断报告，可在线查看并下载 PDF。")
    session = open_session()
    session.login("enterprise")
    page = session.page
    expect(page.get_by_test_id("unread-badge")).to_have_text(re.compile(r"^2"))
    page.get_by_test_id("nav-notifications").click()
    expect(page.get_by_test_id("notification")).to_have_count(2)
    session.shot("notifications-unread")
    page.get_by_test_id("notification").filter(has_text="响应了您的需求").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/catalog/needs/\d+/$"))
    expect(page.get_by_test_id("unread-badge")).to_have_text(re.compile(r"^1"))
    page.get_by_test_id("nav-notifications").click()
    page.get_by_test_id("read-all").click()
    expect(page.get_by_test_id("unread-badge")).to_have_count(0)
    page.get_by_test_id("tab-all").click()
    expect(page.get_by_test_id("notification")).to_have_count(2)
    session.shot("notifications-all")
    session.assert_clean()
