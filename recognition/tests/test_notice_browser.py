"""In a real browser (Debian's Chromium): a visitor without an account reads the public notice, is told what is
missing from an empty objection, lodges one; the city officer resolves it (dismissed, with a reason); the visitor then
opens the published list, follows a certificate's code to the verification page and checks the genuine certificate
(yes) and an altered copy (no). Screenshots in var/screenshots/."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from recognition import prerequisites, services
from recognition.models import Application, Objection, Recognition
from tidu.tests.conftest import chromium, open_session, reference_data  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 1000}
SHORT_CHAIN = [
    {"code": "county_check", "name": "区县审核", "action": "check", "level": "county", "deadline_days": 10},
    {"code": "city_decision", "name": "市级认定", "action": "decision", "level": "city"},
    {"code": "notice", "name": "公示", "action": "notice", "level": "city", "notice_days": 5},
    {"code": "publish", "name": "公布名单", "action": "publish", "level": "city"},
]


def to_notice(world, programme, enterprise, user, county):
    application = services.application_start(actor=user, programme=programme, enterprise=enterprise)
    for evidence in programme.rules.evidence:
        if evidence.required:
            from django.core.files.base import ContentFile

            from recognition.models import ApplicationEvidence

            ApplicationEvidence.objects.create(application=application, code=evidence.code, size=18, sha256="0" * 64,
                                               file=ContentFile(b"%PDF-1.4 synthetic", name=f"{evidence.code}.pdf"),
                                               name=f"{evidence.code}.pdf")  # fmt: skip
    check = prerequisites.check(programme.rules, enterprise, {})
    services.application_submit(actor=user, application=application, check=check)
    services.application_decide(actor=county, application=application, decision="pass", reason="同意")
    services.application_decide(actor=world["city"], application=application, decision="pass", reason="同意")
    return application


def test_a_visitor_objects_the_officer_resolves_and_a_certificate_verifies(
    world,
    load_programme,
    make_user,
    open_session,  # noqa: F811
):
    programme = load_programme(prerequisites={}, chain=SHORT_CHAIN)
    on_notice = to_notice(world, programme, world["home"], world["enterprise"], world["county"])
    neighbour_user = make_user("qsh", Role.ENTERPRISE, enterprise=world["neighbour"])
    neighbour_county = make_user("qshcounty", Role.COUNTY_OFFICER, region="360111")
    done = to_notice(world, programme, world["neighbour"], neighbour_user, neighbour_county)
    Application.objects.filter(pk=done.pk).update(step_due_on=timezone.localdate() - dt.timedelta(days=1))
    for _ in range(2):
        services.application_decide(actor=world["city"], application=done, decision="pass", reason="公示期满")
    recognition = Recognition.objects.get(application=done)

    visitor = open_session(WIDE)
    page = visitor.page
    page.goto("/recognition/public/notices/")
    row = page.get_by_test_id("notice-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("东湖精密机械有限公司")
    expect(row).to_contain_text("5 个工作日")
    with page.expect_navigation():
        row.get_by_role("link", name="提出异议").click()
    with page.expect_navigation():
        page.get_by_role("button", name="提交异议").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    page.get_by_label("署名（单位或个人）").fill("张三")
    page.get_by_label("联系方式").fill("13800000000")
    page.get_by_label("异议内容").fill("该企业申报的智能化产线尚未投产，与申报材料不符。")
    with page.expect_navigation():
        page.get_by_role("button", name="提交异议").click()
    expect(page.locator(".alert-success")).to_contain_text("异议已收到")
    visitor.shot("recognition-objection-lodged")
    assert Objection.objects.get().application_id == on_notice.pk

    officer = open_session(WIDE)
    officer.login("city")
    officer.page.goto("/recognition/objections/")
    with officer.page.expect_navigation():
        officer.page.get_by_test_id("objection-row").get_by_role("link", name="处理").click()
    officer.page.get_by_label("异议不成立，继续公示").check()
    officer.page.get_by_label("处理意见").fill("经现场核实，产线已于 2025 年投产。")
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="提交处理结果").click()
    expect(officer.page.get_by_test_id("objection-status")).to_contain_text("异议不成立")
    officer.shot("recognition-objection-resolved")
    officer.assert_clean()

    page.goto("/recognition/public/recognised/")
    expect(page.get_by_test_id("recognised-row")).to_contain_text("青山湖电子科技有限公司")
    with page.expect_navigation():
        page.get_by_role("link", name=recognition.certificate_code).click()
    expect(page.get_by_test_id("verify-document")).to_contain_text("南昌市工业和信息化主管部门")
    original = recognition.certificate_pdf.read()
    altered = bytearray(original)
    altered[len(altered) // 2] ^= 0x01
    for data, outcome in ((bytes(altered), "verify-failed"), (original, "verify-ok")):
        page.locator("input[type=file]").set_input_files({"name": "c.pdf", "mimeType": "application/pdf",
                                                          "buffer": data})  # fmt: skip
        with page.expect_navigation():
            page.get_by_role("button", name="核验").click()
        expect(page.get_by_test_id(outcome)).to_be_visible()
    visitor.shot("recognition-certificate-verified")
    # The empty objection came back as a 400 with the form's errors, as intended; nothing else went wrong.
    errors = [e for e in visitor.console_errors if "status of 400" not in e]
    assert not errors, errors
