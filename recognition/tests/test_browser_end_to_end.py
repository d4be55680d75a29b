"""In a real browser (Debian's Chromium), every step by the person who takes it: the enterprise applies and submits,
the county checks, the city decides, the notice runs its course (the clock moved in the database), the city closes
the notice and publishes; the enterprise then downloads its certificate and anyone finds it on the published list.
Screenshots at 1440 px and on a tablet in var/screenshots/."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from recognition.models import Application, Recognition
from tidu.tests.conftest import chromium, open_session, reference_data  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE, TABLET = {"width": 1440, "height": 1000}, {"width": 820, "height": 1180}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SHORT_CHAIN = [
    {"code": "county_check", "name": "区县真实性审核", "action": "check", "level": "county", "deadline_days": 10},
    {"code": "city_decision", "name": "市级认定", "action": "decision", "level": "city", "deadline_days": 10},
    {"code": "notice", "name": "公示", "action": "notice", "level": "city", "notice_days": 5},
    {"code": "publish", "name": "公布名单", "action": "publish", "level": "city", "deadline_days": 5},
]


def decide(session, application, reason: str, expected: str):
    page = session.page
    page.goto(f"/recognition/applications/{application.pk}/")
    form = page.get_by_test_id("decide-form")
    form.get_by_label("通过", exact=True).check()
    form.get_by_label("理由").fill(reason)
    with page.expect_navigation():
        form.get_by_test_id("decide-submit").click()
    expect(page.locator(".alert-success")).to_contain_text(expected)


def test_from_application_to_certificate_and_the_published_list(world, load_programme, open_session):  # noqa: F811
    programme = load_programme(prerequisites={}, chain=SHORT_CHAIN)

    ent = open_session(WIDE)
    page = ent.page
    ent.login("enterprise")
    page.goto(f"/recognition/programmes/{programme.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("apply").click()
    page.goto(f"/recognition/applications/{Application.objects.get().pk}/")
    for code in ("report", "self_check", "commitment"):
        form = page.get_by_test_id(f"upload-{code}")
        form.locator("input[type=file]").set_input_files({"name": f"{code}.pdf", "mimeType": "application/pdf",
                                                          "buffer": PDF})  # fmt: skip
        with page.expect_navigation():
            form.get_by_role("button", name="上传").click()
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交")
    application = Application.objects.get()

    county = open_session(WIDE)
    county.login("county")
    decide(county, application, "材料齐全，情况属实", "区县真实性审核 · 通过")
    city = open_session(WIDE)
    city.login("city")
    decide(city, application, "建设成效明显，同意认定", "市级认定 · 通过")
    application.refresh_from_db()
    assert application.current_step.action == "notice"
    page.goto("/recognition/public/notices/")
    expect(page.get_by_test_id("notice-row")).to_contain_text("东湖精密机械有限公司")

    # The notice runs five working days: move its end into the past rather than wait.
    Application.objects.filter(pk=application.pk).update(step_due_on=timezone.localdate() - dt.timedelta(days=1))
    decide(city, application, "公示期满，无异议", "公示 · 通过")
    decide(city, application, "公布认定名单", "公布名单 · 通过")
    city.shot("recognition-e2e-published-city")
    city.assert_clean()

    recognition = Recognition.objects.get(application=application)
    page.goto(f"/recognition/applications/{application.pk}/")
    expect(page.get_by_test_id("standing-text")).to_contain_text("已认定")
    link = page.get_by_role("link", name="下载证书")
    with page.expect_download() as download:
        link.click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    ent.shot("recognition-e2e-recognised-enterprise")
    assert world["home"].label_links.filter(label_id="tier-basic").exists()

    tablet = open_session(TABLET)
    tablet.login("enterprise")
    tablet.page.goto(f"/recognition/applications/{application.pk}/")
    expect(tablet.page.get_by_test_id("standing-text")).to_contain_text("已认定")
    tablet.shot("recognition-e2e-recognised-tablet")

    visitor = open_session(WIDE)
    visitor.page.goto("/")
    visitor.page.get_by_test_id("footer-recognised").click()
    row = visitor.page.get_by_test_id("recognised-row")
    expect(row).to_contain_text("东湖精密机械有限公司")
    expect(row).to_contain_text(recognition.certificate_code)
    visitor.shot("recognition-e2e-public-list")
    assert not ent.console_errors and not visitor.console_errors
