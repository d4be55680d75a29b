"""Scheduling pages: upload the template, see the report or the plan with Gantt data, export, re-plan; only the
enterprise's own users see its jobs."""

import io

import openpyxl
import pytest

from scheduling.models import PlanJob
from scheduling.tests.test_xlsx_import import VALID, workbook


def upload(client, tmp_path, data, django_capture_on_commit_callbacks, name="周计划"):
    path = workbook(tmp_path / "t.xlsx", data)
    handle = io.BytesIO(path.read_bytes())
    handle.name = "排产模板.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/scheduling/", {"name": name, "start_date": "2026-12-07", "time_limit": 10,
                                            "file": handle})  # fmt: skip


def test_upload_to_plan_export_and_replan(world, login, tmp_path, django_capture_on_commit_callbacks):
    client = login(world["enterprise"])
    assert client.get("/scheduling/").status_code == 200
    template = client.get("/scheduling/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    assert book.sheetnames == ["订单", "工艺路线", "设备", "日历", "停机", "换型", "冻结"]

    response = upload(client, tmp_path, VALID, django_capture_on_commit_callbacks)
    job = PlanJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/scheduling/{job.pk}/"
    page = client.get(f"/scheduling/{job.pk}/")
    assert job.status == "done"
    assert page.context["chart"]["machines"] == ["C1", "C2", "M1"]
    bars = page.context["chart"]["bars"]
    assert len(bars) == 3  # O1 has two operations, O2 one
    midnight_ms = 1796601600000  # 2026-12-07 00:00 read as UTC: the plant's wall clock in every browser
    assert {b[4]: ((b[2] - midnight_ms) // 60000, (b[3] - midnight_ms) // 60000) for b in bars} == {
        op: (start, end) for op, (_m, start, end) in job.plan.items()
    }
    assert 'data-testid="gantt-machines"' in page.content.decode()

    export = client.get(f"/scheduling/{job.pk}/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content))["排产计划"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("设备", "订单号", "工序", "开始", "结束", "加工（分钟）")
    assert sorted(r[2] for r in rows[1:]) == ["O1/10", "O1/20", "O2/10"]

    # M1 breaks down all of 2026-12-07 afternoon: O1/20 (on M1 only) must not run then
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/scheduling/{job.pk}/replan/", {
            "type": "breakdown", "now": "2026-12-07T00:00", "machine": "M1",
            "start": "2026-12-07T08:00", "end": "2026-12-07T16:00"})  # fmt: skip
    child = PlanJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == f"/scheduling/{child.pk}/"
    assert child.status == "done" and child.parent == job
    machine, start, end = child.plan["O1/20"]
    assert machine == "M1" and start >= 1440  # the next day's shift


def test_invalid_template_shows_the_report(world, login, tmp_path, django_capture_on_commit_callbacks):
    client = login(world["enterprise"])
    bad = dict(VALID, 停机=[["C9", "2026-12-07 08:00", "2026-12-07 09:00", None]])
    upload(client, tmp_path, bad, django_capture_on_commit_callbacks)
    job = PlanJob.objects.get()
    page = client.get(f"/scheduling/{job.pk}/").content.decode()
    assert job.status == "invalid" and "未知设备“C9”" in page and 'data-testid="issue-row"' in page


@pytest.mark.parametrize("persona", ["province", "city", "provider", "nobody"])
def test_others_get_404(world, login, tmp_path, django_capture_on_commit_callbacks, persona):
    upload(login(world["enterprise"]), tmp_path, VALID, django_capture_on_commit_callbacks)
    job = PlanJob.objects.get()
    client = login(world[persona])
    assert client.get(f"/scheduling/{job.pk}/").status_code == 404
    assert client.get(f"/scheduling/{job.pk}/export.xlsx").status_code == 404
    assert client.post(f"/scheduling/{job.pk}/replan/", {"type": "remove", "now": "2026-12-07T00:00",
                                                          "job": "O1"}).status_code == 404  # fmt: skip
    assert client.get("/scheduling/").status_code == 404
    assert PlanJob.objects.count() == 1
