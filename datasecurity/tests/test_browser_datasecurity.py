"""In a real browser (Debian's Chromium): a catalogue filing returned with reasons and resubmitted — the enterprise
submits, the province returns it, the enterprise reads the reason, corrects its asset and resubmits, the province
accepts version 2 — and an incident whose report clock runs out and escalates: recorded 75 minutes after discovery
through the service (the past is set there, not waited for), the sweep escalates the MIIT hour, both sides see the
two clocks side by side, the officers' overdue list and notification carry it, and the enterprise reports late —
and a drill planned, run and recorded: injects with their deadlines, decisions logged, findings, the score and an
after-action item, then the city's count on the overview.
Screenshots at 1366 px and tablet width in var/screenshots/datasecurity-*.png."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

from datasecurity import services
from datasecurity.models import DataAsset, Drill, Filing, Incident
from tidu.tests.conftest import DESKTOP, TABLET, chromium, open_session, reference_data  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPLETE = {"source": "生产线传感器采集", "records": 1_000_000, "storage_gb": 200.0, "carrier": "车间服务器",
            "purpose": "工艺优化，批处理分析", "scope_of_use": "本企业工艺部门", "responsible": "数据安全负责人",
            "sharing": "无", "cross_border": "无", "protection": "加密存储"}  # fmt: skip


def _signed_in(open_session, user, viewport=DESKTOP):  # noqa: F811
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = open_session(viewport)
    session.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": session.base_url,
                                  "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])  # fmt: skip
    return session


def test_a_filing_returned_and_resubmitted(world, open_session):  # noqa: F811
    asset = DataAsset(enterprise=world["home"], name="工艺参数库", category="production", level="important",
                      **COMPLETE)  # fmt: skip
    services.asset_save(actor=world["enterprise"], asset=asset)
    firm = _signed_in(open_session, world["enterprise"])
    page = firm.page
    page.goto("/data-security/", timeout=60_000)  # the first page of the module also loads the static files
    expect(page.get_by_test_id("asset-row")).to_contain_text("重要数据")
    with page.expect_navigation():
        page.get_by_test_id("filing-submit").click()
    expect(page.get_by_test_id("standing-text")).to_contain_text("审核中")
    filing = Filing.objects.get()

    officer = _signed_in(open_session, world["province"])
    op = officer.page
    op.goto("/data-security/")
    expect(op.get_by_test_id("queue-row")).to_contain_text("东湖精密机械有限公司")
    officer.shot("datasecurity-officer-home")
    with op.expect_navigation():
        op.get_by_test_id("queue-row").get_by_role("link").click()
    form = op.get_by_test_id("review-form")
    form.get_by_label("退回补正", exact=True).check()
    form.locator("textarea").fill("安全保护措施未写明加密方式和备份频次")
    with op.expect_navigation():
        form.get_by_test_id("review-submit").click()
    expect(op.get_by_test_id("filing-status")).to_have_text("退回补正")

    page.goto(f"/data-security/filings/{filing.pk}/")
    expect(page.get_by_test_id("return-reason")).to_have_text("安全保护措施未写明加密方式和备份频次")
    firm.shot("datasecurity-filing-returned")
    page.goto(f"/data-security/assets/{asset.pk}/")
    page.get_by_label("安全保护措施").fill("AES-256 加密存储、每日异地备份")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    page.goto(f"/data-security/filings/{filing.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("filing-submit").click()
    expect(page.get_by_test_id("version-2")).to_contain_text("AES-256")
    expect(page.get_by_test_id("event-resubmit")).to_be_visible()

    op.goto(f"/data-security/filings/{filing.pk}/")
    op.get_by_test_id("review-form").get_by_label("准予备案", exact=True).check()
    with op.expect_navigation():
        op.get_by_test_id("review-submit").click()
    expect(op.get_by_test_id("filing-status")).to_have_text("已备案")
    officer.shot("datasecurity-filing-accepted")
    tablet = _signed_in(open_session, world["enterprise"], TABLET)
    tablet.page.goto(f"/data-security/filings/{filing.pk}/")
    expect(tablet.page.get_by_test_id("version-1")).to_contain_text("退回补正")
    tablet.shot("datasecurity-filing-tablet")
    for s in (firm, officer, tablet):
        s.assert_clean()


def test_an_incident_whose_clock_runs_out_escalates(world, open_session):  # noqa: F811
    now = timezone.now()
    incident = services.incident_record(actor=world["enterprise"], enterprise=world["home"], title="MES 数据库遭勒索",
                                        kind="ransomware", level="major", cii=False,
                                        discovered_at=now - dt.timedelta(minutes=75),
                                        now=now - dt.timedelta(minutes=70))  # fmt: skip
    assert incident.escalations == 0
    assert services.incidents_escalate() == 1  # the MIIT hour has run out; the CAC four hours have not

    officer = _signed_in(open_session, world["city"])
    op = officer.page
    op.goto("/data-security/")
    expect(op.get_by_test_id("overdue-incident")).to_contain_text("MES 数据库遭勒索")
    with op.expect_navigation():
        op.get_by_test_id("overdue-incident").get_by_role("link").click()
    expect(op.get_by_test_id("clock-state-miit")).to_contain_text("已超时")
    expect(op.get_by_test_id("clock-state-cac")).to_contain_text("剩余")
    expect(op.get_by_test_id("escalated")).to_contain_text("1 次")
    expect(op.get_by_test_id("event-escalate")).to_contain_text("工信部应急预案 1 小时上报时限")
    officer.shot("datasecurity-incident-escalated")
    op.goto("/notifications/")
    expect(op.locator("body")).to_contain_text("MES 数据库遭勒索")

    firm = _signed_in(open_session, world["enterprise"], TABLET)
    page = firm.page
    page.goto(f"/data-security/incidents/{incident.pk}/")
    expect(page.get_by_test_id("clock-state-miit")).to_contain_text("已超时")
    firm.shot("datasecurity-incident-tablet")
    with page.expect_navigation():
        page.get_by_test_id("report").click()
    expect(page.get_by_test_id("clock-state-miit")).to_contain_text("逾期上报")
    expect(page.get_by_test_id("clock-state-cac")).to_contain_text("按时上报")
    assert Incident.objects.get().status == "reported"
    op.goto("/data-security/")
    expect(op.get_by_test_id("overdue-empty")).to_be_visible()
    for s in (firm, officer):
        s.assert_clean()


def test_a_drill_planned_run_and_recorded(world, open_session):  # noqa: F811
    firm = _signed_in(open_session, world["enterprise"])
    page = firm.page
    page.goto("/data-security/drills/", timeout=60_000)
    with page.expect_navigation():
        page.get_by_test_id("drill-new").click()
    form = page.get_by_test_id("drill-form")
    form.get_by_label("演练名称").fill("勒索攻击应急演练")
    form.get_by_label("演练场景").select_option("ransomware")
    form.get_by_label("计划日期").fill(timezone.localdate().isoformat())
    form.get_by_label("参演单位和人员").fill("信息部 张三 指挥\n生产部 李四")
    rows = form.get_by_test_id("inject-row")
    for i, (text, expected, minutes) in enumerate([("MES 数据库被加密", "切断网络、启动预案", "30"),
                                                   ("攻击者索要赎金", "上报主管部门", "60")]):  # fmt: skip
        rows.nth(i).get_by_label("情景注入").fill(text)
        rows.nth(i).get_by_label("预期处置").fill(expected)
        rows.nth(i).get_by_label("处置时限（分钟）").fill(minutes)
    firm.shot("datasecurity-drill-plan")
    with page.expect_navigation():
        form.get_by_test_id("save").click()
    expect(page.get_by_test_id("drill-status")).to_have_text("已计划")
    with page.expect_navigation():
        page.get_by_test_id("drill-start").click()
    expect(page.get_by_test_id("drill-status")).to_have_text("演练中")
    first = page.get_by_test_id("decide-1")
    first.get_by_label("处置决策").fill("09:10 断开 MES 网络，启用离线备份")
    first.get_by_label("达到预期").check()
    with page.expect_navigation():
        first.get_by_role("button").click()
    expect(page.get_by_test_id("inject-1").get_by_test_id("met")).to_be_visible()
    second = page.get_by_test_id("decide-2")
    second.get_by_label("处置决策").fill("未能确定上报对象")
    with page.expect_navigation():
        second.get_by_role("button").click()
    expect(page.get_by_test_id("inject-2").get_by_test_id("not-met")).to_be_visible()
    page.get_by_test_id("finish-form").get_by_label("发现的问题").fill("上报流程不清楚，联系人名单过期")
    with page.expect_navigation():
        page.get_by_test_id("drill-finish").click()
    expect(page.get_by_test_id("drill-score")).to_have_text("50%")
    actions = page.get_by_test_id("action-form")
    actions.get_by_label("整改事项").fill("更新主管部门联系人名单")
    actions.get_by_label("责任人").fill("信息部 张三")
    actions.get_by_label("完成期限").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    with page.expect_navigation():
        actions.get_by_role("button").click()
    expect(page.get_by_test_id("action-row")).to_contain_text("更新主管部门联系人名单")
    firm.shot("datasecurity-drill-recorded")
    assert Drill.objects.get().score == 0.5

    officer = _signed_in(open_session, world["province"])
    op = officer.page
    op.goto("/data-security/overview/")
    expect(op.get_by_test_id("drills-3601")).to_have_text("1")
    op.goto("/data-security/drills/")
    expect(op.get_by_test_id("city-drills")).to_contain_text("南昌市")
    officer.shot("datasecurity-drills-officer")
    for s in (firm, officer):
        s.assert_clean()


WIDE = {"width": 1440, "height": 900}


def _wide_shot(session, name: str) -> None:
    session.shot(f"datasecurity-1440-{name}")


def test_the_published_key_list_risks_an_import_error_report_and_a_regrade(world, make_user, open_session):  # noqa: F811
    """What the lead checks at 1440 px (var/screenshots/datasecurity-1440-*.png): the province sees 第 1 期
    published with its date and the 待公布 differences since; the enterprise sees only its own entry as published;
    the risk list; the asset import's error report; an incident re-graded by the regulator."""
    from accounts.models import Role
    from datasecurity import keylist, risk

    world["other_enterprise"] = make_user("other_enterprise", Role.ENTERPRISE, enterprise=world["other"])
    now = timezone.now()
    p = world["province"]
    home = keylist.key_list(actor=p, enterprise=world["home"], protection_level="2", reason="联网设备多")
    other = keylist.key_list(actor=p, enterprise=world["other"], protection_level="1", reason="持有重要数据")
    publication = keylist.key_publish(actor=p, note="2026 年清单", now=now - dt.timedelta(days=3))
    keylist.key_set_level(actor=p, entry=home, protection_level="3", reason="新增核心数据")
    keylist.key_remove(actor=p, entry=other, reason="企业停产")
    keylist.key_list(actor=p, enterprise=world["neighbour"], protection_level="1", reason="联网设备多")
    date = timezone.localtime(publication.published_at).strftime("%Y-%m-%d")

    officer = _signed_in(open_session, p, WIDE)
    op = officer.page
    op.goto("/data-security/key-list/", timeout=60_000)
    expect(op.get_by_test_id("key-published").get_by_test_id("publication-number")).to_have_text("第 1 期")
    expect(op.get_by_test_id("publication-date")).to_have_text(date)
    expect(op.get_by_test_id("pending-added")).to_contain_text("青山湖电子科技有限公司")
    expect(op.get_by_test_id("pending-removed")).to_contain_text("九江濂溪化工有限公司")
    expect(op.get_by_test_id("pending-changed")).to_contain_text("三级防护")
    _wide_shot(officer, "keylist-province-pending")

    firm = _signed_in(open_session, world["enterprise"], WIDE)
    page = firm.page
    page.goto("/data-security/key-list/")
    expect(page.get_by_test_id("published-row")).to_have_count(1)
    expect(page.get_by_test_id("published-row")).to_contain_text("二级防护")  # as published, not the 三级 since
    expect(page.get_by_test_id("key-pending")).to_have_count(0)
    _wide_shot(firm, "keylist-enterprise")

    risk.risk_record(actor=world["enterprise"], enterprise=world["home"], kind="data",
                     period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31), assessor="某测评机构（合成）",
                     findings="访问控制策略过宽", completed_at=now - dt.timedelta(days=40))  # fmt: skip
    risk.risk_record(actor=world["enterprise"], enterprise=world["home"], kind="ai", system_name="质检视觉模型",
                     period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 6, 30), assessor="本企业",
                     findings="训练数据来源记录不全", risk_types=list(risk.ai_risk_types())[:2],
                     completed_at=now - dt.timedelta(days=2))  # fmt: skip
    page.goto("/data-security/risk/")
    expect(page.locator("body")).to_contain_text("某测评机构（合成）")
    _wide_shot(firm, "risk-list")

    book = Workbook()
    sheet = book.active
    sheet.title = "数据资产"
    sheet.append(["数据名称", "数据类别", "数据级别", "规模（条）"])
    sheet.append(["工艺参数库", "生产数据", "重要数据", -5])
    sheet.append(["", "研发数据", "一般数据", 10])
    buffer = io.BytesIO()
    book.save(buffer)
    page.goto("/data-security/assets/import/")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "资产.xlsx", "mimeType": "application/octet-stream", "buffer": buffer.getvalue()}]
    )
    with page.expect_navigation():
        page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-issue").first).to_be_visible()
    _wide_shot(firm, "asset-import-errors")

    incident = services.incident_record(actor=world["enterprise"], enterprise=world["home"], title="工艺数据外泄",
                                        kind="leak", level="minor", cii=False,
                                        discovered_at=now - dt.timedelta(minutes=30),
                                        now=now - dt.timedelta(minutes=25))  # fmt: skip
    services.incident_regrade(actor=p, incident=incident, level="major", reason="涉及重要数据，影响范围扩大")
    op.goto(f"/data-security/incidents/{incident.pk}/")
    expect(op.locator("body")).to_contain_text("涉及重要数据，影响范围扩大")
    _wide_shot(officer, "incident-regraded")
    for s in (officer, firm):
        s.assert_clean()
