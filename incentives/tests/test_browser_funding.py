"""In a real browser (Debian's Chromium), a service voucher from the diagnosis report to the re-assessment: the
enterprise follows its report's link to 我能申请吗 for a programme that funds its roadmap, applies with a listed
provider's published solution, uploads the contract and submits; the county, the city and the province pass it (the
province's approval commits the budget and issues the voucher code); the enterprise confirms the contract, the
provider redeems the code, the enterprise accepts; the province releases both tranches; after a new assessment the
enterprise requests the re-assessment and the grant shows the level delta. Data the users do not type (programme,
budget, the assessments, the report) is made through the services. Screenshots in var/screenshots/funding-*.png."""

import pytest
from playwright.sync_api import expect

from incentives.models import FundingApplication, LedgerEntry
from tidu.tests.conftest import chromium, open_session, reference_data  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 1000}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _result(enterprise, level: int, when):
    from assessments.models import Assessment, AssessmentResult, ModelVersion

    version = ModelVersion.objects.get(code="cmmm", is_current=True)
    assessment = Assessment.objects.create(enterprise=enterprise, model_version=version, model_code="cmmm",
                                           kind="self", status="submitted", submitted_at=when)  # fmt: skip
    AssessmentResult.objects.create(assessment=assessment, model_version=version, score=float(level), scale_max=5.0,
                                    level=level, level_name=f"{level}级", snapshot={})  # fmt: skip


@pytest.fixture
def voucher(world):
    """The shipped service voucher (its window lifted, re-assessed on CMMM), opened with the province's budget."""
    from decimal import Decimal

    from catalog.models import Provider, Solution
    from incentives import services
    from incentives.tests.conftest import voucher_data
    from regions.models import Region

    org = Provider.objects.get(name="测试服务商有限公司")
    Provider.objects.filter(pk=org.pk).update(status="published")
    Solution.objects.create(provider=org, title="设备联网改造方案", description="合成", status="published")
    province = Region.objects.get(code="360000")
    programme = services.programme_load(actor=world["province"], region=province,
                                        data=voucher_data(reassessment_model="cmmm"))  # fmt: skip
    services.programme_set_status(actor=world["province"], programme=programme, status="open")
    services.budget_set(actor=world["province"], programme=programme, region=province, year=2026,
                        amount=Decimal("1000000"))  # fmt: skip
    world["home"].size_class = "small"
    world["home"].save(update_fields=["size_class"])
    return programme


def _signed_in(open_session, user):  # noqa: F811
    """A browser session already signed in (the sign-in page is the enterprise's to show): saves a page round."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = open_session(WIDE)
    session.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": session.base_url,
                                  "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])  # fmt: skip
    return session


def _decide(session, application, expected: str):
    page = session.page
    page.goto("/funding/queue/")
    with page.expect_navigation():
        page.get_by_test_id("queue-row").get_by_role("link").click()
    form = page.get_by_test_id("decide-form")
    form.get_by_label("通过", exact=True).check()
    with page.expect_navigation():
        form.get_by_test_id("decide-submit").click()
    expect(page.locator(".alert-success")).to_contain_text(expected)


def test_from_the_diagnosis_report_to_a_redeemed_voucher_and_the_reassessment(world, voucher, open_session):  # noqa: F811
    from django.urls import reverse
    from django.utils import timezone

    from reports.services import issue_report
    from reports.tests.test_reports import level_one_only, submit_cmmm

    # The diagnosis: CMMM level 1 (the baseline at approval), a roadmap to level 2 whose steps the open voucher
    # (any scenario) may fund; the county issues the report.
    submit_cmmm(world, world["home"], level_one_only)
    report = issue_report(actor=world["county"], enterprise=world["home"])

    ent = open_session(WIDE)
    page = ent.page
    ent.login("enterprise")
    page.goto(reverse("reports:detail", args=[report.pk]))
    with page.expect_navigation():
        page.get_by_role("link", name="我能申请吗").first.click()
    expect(page.get_by_test_id("eligibility-verdict")).to_contain_text("条件均已满足")
    ent.shot("funding-eligibility")
    with page.expect_navigation():
        page.get_by_test_id("apply").click()
    page.get_by_label("项目名称").fill("设备联网改造")
    page.get_by_label("合同编号").fill("HT-2026-001")
    page.get_by_label("发票号码").fill("FP0001")
    page.get_by_label("服务商（资源池）").select_option(label="测试服务商有限公司")
    page.get_by_label("解决方案").select_option(label="测试服务商有限公司 · 设备联网改造方案")
    page.get_by_label("合同金额（元）").fill("100000")
    page.get_by_label("承诺企业与服务商之间不存在关联关系").check()
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    expect(page.get_by_test_id("quote-value")).to_contain_text("30,000.00")
    form = page.get_by_test_id("upload-contract")
    form.locator("input[type=file]").set_input_files({"name": "合同.pdf", "mimeType": "application/pdf", "buffer": PDF})
    with page.expect_navigation():
        form.get_by_role("button", name="上传").click()
    expect(page.get_by_test_id("problems")).to_have_count(0)
    ent.shot("funding-application-draft")
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交")
    application = FundingApplication.objects.get()

    chain = (("county", "区县审核 · 通过"), ("city", "市级复核 · 通过"), ("province", "省级审批 · 通过"))
    for username, expected in chain:
        officer = _signed_in(open_session, world[username])
        _decide(officer, application, expected)
    officer.shot("funding-approved-province")
    application.refresh_from_db()
    assert application.status == "approved" and application.amount == 30000

    page.goto(f"/funding/applications/{application.pk}/")
    code = page.get_by_test_id("voucher-code").inner_text()
    assert code == application.voucher_code
    with page.expect_navigation():
        page.get_by_test_id("contract").click()

    provider = _signed_in(open_session, world["provider"])
    provider.page.goto("/funding/vouchers/")
    provider.page.get_by_label("券码").fill(code.lower())
    with provider.page.expect_navigation():
        provider.page.get_by_test_id("redeem").click()
    expect(provider.page.locator(".alert-success")).to_contain_text("已确认交付")
    expect(provider.page.get_by_test_id("voucher-row")).to_contain_text("设备联网改造")
    provider.shot("funding-provider-vouchers")

    page.reload()
    with page.expect_navigation():
        page.get_by_test_id("accept").click()
    expect(page.locator(".alert-success")).to_contain_text("已验收")

    officer.page.goto(f"/funding/applications/{application.pk}/")
    for number in (1, 2):
        with officer.page.expect_navigation():
            officer.page.get_by_test_id(f"release-{number}").click()
        expect(officer.page.locator(".alert-success")).to_contain_text("已拨付")
    expect(officer.page.get_by_test_id("ledger-row")).to_have_count(3)
    officer.shot("funding-released-province")
    assert sorted(LedgerEntry.objects.values_list("kind", flat=True)) == ["commit", "release", "release"]

    _result(world["home"], 3, timezone.now())  # the new assessment, after acceptance
    page.reload()
    with page.expect_navigation():
        page.get_by_test_id("reassess").click()
    expect(page.get_by_test_id("level-delta")).to_contain_text("2")
    expect(page.get_by_test_id("standing-text")).to_contain_text("已拨付完毕")
    ent.shot("funding-reassessed-enterprise")
    application.refresh_from_db()
    assert application.level_delta == 2 and application.status == "completed"
    officer.page.goto(f"/funding/programmes/{voucher.pk}/")
    expect(officer.page.get_by_test_id("budget-row")).to_contain_text("970,000.00")
    officer.shot("funding-programme-province")
    officer.page.goto("/funding/reports/")
    expect(officer.page.get_by_test_id("outcome-row")).to_contain_text("1")
    officer.shot("funding-report-province")
    for session in (ent, provider, officer):
        assert not session.console_errors, session.console_errors
