"""In a real browser: the enterprise generates its own report, the county officer issues the authority's, the
enterprise's report page lists them apart, and a stranger holding the self-generated report's code is told on the
public page that the enterprise made it. Screenshots in var/screenshots/report-series-*.png."""

import re

import pytest
from playwright.sync_api import expect

import maturity
from assessments import services as assessment_services
from reports.models import DiagnosisReport
from reports.tests.test_peers import TOY, answer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_enterprises_own_report_and_the_authoritys_are_told_apart_everywhere(world, open_session):
    answer(world["home"], assessment_services.publish_version(maturity.load_yaml(TOY)), 6, 7)  # a short report
    reports_url = f"/reports/enterprise/{world['home'].pk}/"

    enterprise = open_session()
    enterprise.login("enterprise")
    page = enterprise.page
    page.goto(reports_url)
    expect(page.get_by_test_id("issue")).to_have_text("生成企业自评估报告（PDF）")
    page.get_by_test_id("issue").click(timeout=60_000)  # renders the PDF
    expect(page).to_have_url(re.compile(r"/reports/\d+/$"))
    expect(page.get_by_test_id("series-self")).to_be_visible()
    expect(page.get_by_test_id("report-title")).to_contain_text("数字化转型自评估报告")
    own = DiagnosisReport.objects.get(series="self")
    enterprise.shot("report-series-self-detail")

    officer = open_session()
    officer.login("county")
    officer.page.goto(reports_url)
    expect(officer.page.get_by_test_id("issue")).to_have_text("按默认目标出具正式诊断报告（PDF）")
    officer.page.get_by_test_id("issue").click(timeout=60_000)  # renders the PDF
    expect(officer.page.get_by_test_id("series-official")).to_be_visible()
    official = DiagnosisReport.objects.get(series="official")
    assert (own.version, official.version) == (1, 1)
    officer.assert_clean()

    page.goto(reports_url)
    expect(page.get_by_test_id("reports-official")).to_contain_text(official.code)
    expect(page.get_by_test_id("reports-official")).not_to_contain_text(own.code)
    expect(page.get_by_test_id("reports-self")).to_contain_text(own.code)
    expect(page.get_by_test_id("reports-self")).to_contain_text("数字化转型自评估报告 · 第 1 版")
    enterprise.shot("report-series-list")
    enterprise.assert_clean()

    stranger = open_session()
    stranger.page.goto(f"/r/{own.code}/")
    expect(stranger.page.get_by_test_id("kind-self")).to_have_text("自评估报告（企业自行生成）")
    expect(stranger.page.get_by_test_id("verify-kind")).to_contain_text("梯度平台（企业自助生成）")
    stranger.shot("report-series-verify-self")
    stranger.page.goto(f"/r/{official.code}/")
    expect(stranger.page.get_by_test_id("kind-official")).to_have_text("诊断报告（主管部门出具）")
    expect(stranger.page.get_by_test_id("verify-kind")).to_contain_text("东湖区工业和信息化主管部门")
    stranger.assert_clean()
