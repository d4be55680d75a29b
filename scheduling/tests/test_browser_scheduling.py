"""In a real browser (Debian's Chromium): an enterprise uploads its scheduling template, sees the machine and order
Gantt charts with KPIs, then re-plans after a machine breakdown and sees the new plan. Screenshots in
var/screenshots/scheduling-*.png."""

import pytest
from playwright.sync_api import expect

from scheduling.models import PlanJob
from scheduling.tests.test_xlsx_import import VALID, workbook
from tidu.tests.conftest import chromium, open_session, reference_data  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 1000}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_from_the_uploaded_template_to_gantt_charts_and_a_replan(world, open_session, tmp_path):  # noqa: F811
    data = workbook(tmp_path / "plan.xlsx", VALID).read_bytes()
    ent = open_session(WIDE)
    page = ent.page
    ent.login("enterprise")
    page.goto("/scheduling/")
    page.get_by_label("名称").fill("十二月第一周")
    page.get_by_label("计划起始日").fill("2026-12-07")
    page.get_by_label("求解时限（秒）").fill("10")
    page.get_by_label("排产模板（.xlsx）").set_input_files({"name": "排产模板.xlsx", "mimeType": XLSX, "buffer": data})
    with page.expect_navigation():
        page.get_by_test_id("upload-submit").click()
    page.reload()  # the solve ran in the request's on_commit (immediate task backend)
    expect(page.get_by_test_id("kpis")).to_contain_text("准时率")
    expect(page.get_by_test_id("gantt-machines").locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("gantt-orders").locator("canvas")).to_have_count(1)
    ent.shot("scheduling-plan")

    replan = page.get_by_test_id("replan")
    replan.get_by_label("事件").select_option("breakdown")
    replan.get_by_label("重排时刻（此前已开工的工序冻结）").fill("2026-12-07T00:00")
    replan.get_by_label("设备编号").fill("M1")
    replan.get_by_label("停机开始").fill("2026-12-07T08:00")
    replan.get_by_label("停机结束 / 物料到达").fill("2026-12-07T16:00")
    with page.expect_navigation():
        replan.get_by_test_id("replan-submit").click()
    page.reload()
    expect(page.get_by_role("link", name="原计划")).to_be_visible()
    expect(page.get_by_test_id("gantt-machines").locator("canvas")).to_have_count(1)
    ent.shot("scheduling-replan")
    child = PlanJob.objects.get(parent__isnull=False)
    assert child.status == "done" and child.plan["O1/20"][1] >= 1440  # M1 is down all of the first shift
    ent.assert_clean()


def test_the_progress_box_polls_until_the_plan_is_ready(world, open_session, monkeypatch):  # noqa: F811
    import datetime as dt

    from scheduling import services
    from scheduling.engine import serialize
    from scheduling.tests.test_engine_solver import flex

    monkeypatch.setattr(services, "_enqueue", lambda job: None)  # stays queued until the test runs it
    job = services.plan_job_create(user=world["enterprise"], name="轮询", start_date=dt.date(2026, 12, 7),
                                   problem=serialize.problem_to_dict(flex()), time_limit=5)  # fmt: skip
    ent = open_session(WIDE)
    page = ent.page
    ent.login("enterprise")
    page.goto(f"/scheduling/{job.pk}/")
    expect(page.get_by_test_id("progress")).to_have_attribute("data-status", "queued")
    services.plan_job_run(job.pk)  # the worker finishes: the next poll refreshes the page, no reload by the test
    expect(page.get_by_test_id("kpis")).to_contain_text("准时率", timeout=10000)
    expect(page.get_by_test_id("progress")).to_have_count(0)
    expect(page.get_by_test_id("gantt-machines").locator("canvas")).to_have_count(1)
    page.get_by_test_id("events").locator("summary").click()
    expect(page.get_by_test_id("event-row")).to_have_count(3)
    ent.assert_clean()
