"""Batch generation of diagnosis reports: scope, progress, skips and failures, the ZIP, cancel, and resuming after a
worker dies. Synthetic enterprises and assessments (conftest `world`); PDFs are rendered for real (~1-2 s each), so
each test makes as few as it needs."""

import csv
import datetime
import hashlib
import io
import zipfile

import pytest
from asgiref.local import Local
from django.core.management import call_command
from django.tasks import task_backends
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from assessments import services as assessment_services
from assessments.models import ModelVersion
from assessments.tests.conftest import all_answers
from catalog.models import MatchMeeting, MeetingParticipant
from reports import batch as batches
from reports.models import DiagnosisReport, ReportBatch, ReportBatchItem
from reports.tasks import generate_batch_chunk
from tidu.tests.conftest import _reload_reference_data

pytestmark = pytest.mark.django_db

NO_ASSESSMENT = "该企业还没有已提交的评估，无法生成诊断报告。"


@pytest.fixture(autouse=True)
def reference_data(db):
    """The one transactional test ends with a flush that empties the reference tables the migrations loaded."""
    _reload_reference_data()


@pytest.fixture(scope="module", autouse=True)
def reference_data_after(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _reload_reference_data()


def _use_tasks(settings, backend: str) -> None:
    settings.TASKS = {"default": {"BACKEND": backend}}
    # Django builds task backends once from settings; make it read the new setting.
    task_backends.__dict__.pop("settings", None)
    task_backends._settings = None
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def queued_tasks(settings):
    """Tasks wait in the database queue (as in production) instead of running inside the request."""
    _use_tasks(settings, "django_tasks_db.DatabaseBackend")
    yield
    _use_tasks(settings, "django.tasks.backends.immediate.ImmediateBackend")


def submit_cmmm(enterprise, actor):
    """A submitted synthetic CMMM self-assessment: level-1 requirements met, nothing above."""
    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    a = assessment_services.start(actor=actor, enterprise=enterprise, version=cmmm, kind="self")
    answers = all_answers(cmmm, a.context, lambda item: "full" if item.level == 1 else "none")
    assessment_services.save_answers(actor=actor, assessment=a, updates=answers)
    assessment_services.submit(actor=actor, assessment=a)
    return a


def create(client, **fields):
    return client.post(reverse("reports:batch_new"), fields)


def latest_batch() -> ReportBatch:
    return ReportBatch.objects.latest("id")


def item_statuses(batch) -> dict[str, str]:
    return {i.enterprise.name: i.status for i in batch.items.select_related("enterprise")}


# --- who, and which enterprises ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["enterprise", "commissioner", "provider", "expert", "nobody"])
def test_only_officers_and_admins_may_batch(world, login, persona):
    client = login(world[persona])
    assert client.get(reverse("reports:batch_list")).status_code == 403
    assert client.get(reverse("reports:batch_new")).status_code == 403
    assert create(client).status_code == 403
    assert not ReportBatch.objects.exists() and not ReportBatchItem.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("reports:batch_new"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_batch_covers_only_the_enterprises_its_creator_sees(world, login):
    city = login(world["city"])
    page = city.get(reverse("reports:batch_new"), {"region": "360100"})
    assert page.status_code == 200 and "2</strong> 家企业" in page.content.decode()
    assert create(city).status_code == 302
    assert item_statuses(latest_batch()).keys() == {world["home"].name, world["neighbour"].name}

    other_city = login(world["other_city"])
    assert create(other_city).status_code == 302
    assert item_statuses(latest_batch()).keys() == {world["other"].name}
    # Asking for another city's region is a filter error, not an empty or a widened batch.
    response = create(other_city, region="360102")
    assert response.status_code == 400 and "筛选条件无效" in response.content.decode()
    assert ReportBatch.objects.count() == 2


def test_a_batch_over_the_limit_is_refused_with_a_clear_message(world, login, monkeypatch):
    monkeypatch.setattr(batches, "MAX_ITEMS", 2)
    province = login(world["province"])  # sees all three enterprises
    assert "超过单个批次" in province.get(reverse("reports:batch_new")).content.decode()
    response = create(province)
    assert response.status_code == 400
    assert "筛选结果超过单个批次 2 家企业的上限，请缩小筛选范围" in response.content.decode()
    assert not ReportBatch.objects.exists()
    assert create(province, region="360100").status_code == 302  # two fit
    assert latest_batch().total == 2


def test_an_empty_selection_is_refused(world, login):
    response = create(login(world["county"]), q="没有这家企业")
    assert response.status_code == 400 and "筛选结果中没有企业" in response.content.decode()
    assert not ReportBatch.objects.exists()


# --- progress, skips, failures, the archive ---------------------------------------------------------------------


def _meeting(region: str, *invited, title="2026 数字化诊断对接会（合成）"):
    meeting = MatchMeeting.objects.create(title=title, region_id=region, held_on=datetime.date(2026, 12, 20))
    for enterprise in invited:
        MeetingParticipant.objects.create(meeting=meeting, enterprise=enterprise)
    return meeting


def test_a_campaign_batch_covers_the_invited_enterprises_its_creator_sees(world, login, queued_tasks):
    meeting = _meeting("360100", world["home"], world["other"])
    provider = world["provider"].memberships.get().provider  # world["provider"] is the provider user
    MeetingParticipant.objects.create(meeting=meeting, provider=provider)  # providers get no report
    city = login(world["city"])
    detail = city.get(reverse("catalog:meeting_detail", args=[meeting.pk])).content.decode()
    assert f"{reverse('reports:batch_new')}?meeting={meeting.pk}" in detail
    page = city.get(reverse("reports:batch_new"), {"meeting": meeting.pk})
    assert "1</strong> 家企业" in page.content.decode()  # 九江's invitee is not the 南昌 officer's to report on
    assert create(city, meeting=meeting.pk).status_code == 302
    batch = latest_batch()
    assert item_statuses(batch).keys() == {world["home"].name}
    assert batch.scope == {"meeting": str(meeting.pk)}
    assert batch.description == f"活动：{meeting.title} 的受邀企业"

    province = login(world["province"])
    assert create(province, meeting=meeting.pk).status_code == 302
    assert item_statuses(latest_batch()).keys() == {world["home"].name, world["other"].name}
    # A campaign and a filter together: both apply.
    assert create(province, meeting=meeting.pk, region="360400").status_code == 302
    assert item_statuses(latest_batch()).keys() == {world["other"].name}


def test_a_campaign_outside_the_officers_region_is_refused_and_nothing_is_queued(world, login, queued_tasks):
    elsewhere = _meeting("360400", world["other"])
    city = login(world["city"])
    page = city.get(reverse("reports:batch_new"), {"meeting": elsewhere.pk}).content.decode()
    assert "该活动不存在或不在您的管辖范围内" in page and 'data-testid="count"' not in page
    for meeting in (elsewhere.pk, 999999, "abc"):
        response = create(city, meeting=meeting)
        assert response.status_code == 400
        assert "活动无效：该活动不存在或不在您的管辖范围内" in response.content.decode()
    assert not ReportBatch.objects.exists() and not DBTaskResult.objects.exists()


def test_skips_are_not_failures_and_the_zip_holds_exactly_the_done_pdfs_and_a_manifest(world, login, make_enterprise):
    awkward = make_enterprise("360102", name='=东湖/测试:"引号"有限公司')  # synthetic; a formula and unsafe chars
    submit_cmmm(world["home"], world["enterprise"])
    submit_cmmm(awkward, world["county"])
    county = login(world["county"])
    make_enterprise("360102", name="东湖未评估有限公司")  # no assessment: skipped

    assert create(county, region="360102", description="东湖区第一批").status_code == 302
    batch = latest_batch()
    assert batch.status == "done" and batch.description == "东湖区第一批" and batch.scope == {"region": "360102"}
    assert (batch.total, batch.done_count, batch.skipped_count, batch.failed_count) == (3, 2, 1, 0)
    skipped = batch.items.get(status="skipped")
    assert skipped.enterprise.name == "东湖未评估有限公司" and skipped.error == NO_ASSESSMENT and skipped.report is None
    reports = {r.enterprise_id: r for r in DiagnosisReport.objects.filter(batch=batch)}
    assert reports.keys() == {world["home"].pk, awkward.pk}

    page = county.get(reverse("reports:batch_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="done">2<' in page and 'data-testid="skipped">1<' in page and NO_ASSESSMENT in page
    assert "hx-trigger" not in page  # finished: the page stops polling

    response = county.get(reverse("reports:batch_archive", args=[batch.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    home_report, awkward_report = reports[world["home"].pk], reports[awkward.pk]
    home_name = f"{world['home'].credit_code}-东湖精密机械有限公司-v1.pdf"
    awkward_name = f"{awkward.credit_code}-=东湖_测试_引号_有限公司-v1.pdf"
    assert sorted(archive.namelist()) == sorted([batches.MANIFEST_NAME, home_name, awkward_name])
    assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
    for name, report in [(home_name, home_report), (awkward_name, awkward_report)]:
        data = archive.read(name)
        assert data == report.pdf.open("rb").read() and hashlib.sha256(data).hexdigest() == report.pdf_sha256

    raw = archive.read(batches.MANIFEST_NAME)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["企业名称", "统一社会信用代码", "状态", "报告版本", "验证码", "文件名", "说明"]
    by_code = {row[1]: row for row in rows[1:]}
    assert len(rows) == 4 and len(by_code) == 3
    assert by_code[awkward.credit_code] == [
        "'" + awkward.name,  # neutralised: a spreadsheet shows the text instead of running it
        awkward.credit_code,
        "已生成",
        "1",
        awkward_report.code,
        awkward_name,
        "",
    ]
    assert by_code[world["home"].credit_code][2:5] == ["已生成", "1", home_report.code]
    skipped_row = next(row for row in rows[1:] if row[0] == "东湖未评估有限公司")
    assert skipped_row[2:] == ["无可用评估", "", "", "", NO_ASSESSMENT]


def test_a_failure_is_listed_with_its_reason_and_the_batch_still_finishes(world, login):
    submit_cmmm(world["home"], world["enterprise"])
    city = login(world["city"])
    assert create(city, target_level="5").status_code == 302  # a valid target, so the batch is accepted
    ok = latest_batch()
    assert ok.scope == {"target_level": "5"} and ok.done_count == 1
    ok_report = DiagnosisReport.objects.get(batch=ok)
    assert ok_report.content["models"][0]["gap"]["target_level"] == 5

    # Level 9 passes the form (other models have more levels) but not CMMM's five: that item fails, in Chinese.
    assert create(city, target_level="9").status_code == 302
    batch = latest_batch()
    assert batch.status == "done" and (batch.done_count, batch.failed_count, batch.skipped_count) == (0, 1, 1)
    failed = batch.items.get(status="failed")
    assert failed.enterprise == world["home"] and failed.error == "生成失败：目标等级须在 1 到 5 之间。"
    assert not DiagnosisReport.objects.filter(batch=batch).exists()
    page = city.get(reverse("reports:batch_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="failures"' in page and "目标等级须在 1 到 5 之间" in page
    archive = zipfile.ZipFile(batch.archive.open("rb"))
    assert archive.namelist() == [batches.MANIFEST_NAME]


def test_only_the_creator_and_admins_may_open_or_download_a_batch(world, login):
    submit_cmmm(world["home"], world["enterprise"])
    assert create(login(world["county"])).status_code == 302
    batch = latest_batch()
    assert batch.archive
    for persona in ("city", "province", "other_city", "enterprise"):  # the first two see the enterprise, not the batch
        client = login(world[persona])
        for name in ("batch_detail", "batch_archive"):
            assert client.get(reverse(f"reports:{name}", args=[batch.pk])).status_code == 404
        assert client.post(reverse("reports:batch_cancel", args=[batch.pk])).status_code == 404
        assert client.post(reverse("reports:batch_resume", args=[batch.pk])).status_code == 404
    admin = login(world["admin"])
    assert admin.get(reverse("reports:batch_archive", args=[batch.pk])).status_code == 200
    assert batch.pk in [b.pk for b in admin.get(reverse("reports:batch_list")).context["batches"]]
    assert not login(world["city"]).get(reverse("reports:batch_list")).context["batches"]
    batch.refresh_from_db()
    assert batch.status == "done" and DiagnosisReport.objects.count() == 1  # nothing changed


# --- cancel and 继续 -----------------------------------------------------------------------------------------------


def test_a_cancelled_batch_stops_and_continue_picks_up_the_pending_items(world, login, queued_tasks):
    city = login(world["city"])
    assert create(city).status_code == 302
    batch = latest_batch()
    assert batch.status == "queued" and DBTaskResult.objects.filter(status="READY").count() == 1
    polling = city.get(reverse("reports:batch_detail", args=[batch.pk]), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in polling.content.decode() and "<html" not in polling.content.decode()

    assert city.post(reverse("reports:batch_cancel", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == "cancelled" and batch.finished_at is not None
    (queued,) = DBTaskResult.objects.filter(status="READY")
    assert generate_batch_chunk.call(*queued.args_kwargs["args"]) == {
        "done": 0,
        "skipped": 0,
        "failed": 0,
        "not_pending": 0,
    }
    assert set(batch.items.values_list("status", flat=True)) == {"pending"}
    response = city.post(reverse("reports:batch_cancel", args=[batch.pk]), follow=True)
    assert "该批次已结束，无法取消" in response.content.decode()

    assert city.post(reverse("reports:batch_resume", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == "queued"
    resumed = DBTaskResult.objects.filter(status="READY").exclude(pk=queued.pk).get()
    generate_batch_chunk.call(*resumed.args_kwargs["args"])
    batch.refresh_from_db()
    assert batch.status == "done" and batch.skipped_count == 2
    response = city.post(reverse("reports:batch_resume", args=[batch.pk]), follow=True)
    assert "该批次已完成" in response.content.decode()


def test_zip_names_are_safe_on_every_system():
    assert batches.zip_name("91360102X", 'a/b\\c:d*e?f"g<h>i|j', 2) == "91360102X-a_b_c_d_e_f_g_h_i_j-v2.pdf"
    assert batches.zip_name("91360102X", "..\x00  ", 1) == "91360102X-enterprise-v1.pdf"
    assert batches.zip_name("91360102X", "很长" * 100, 1) == f"91360102X-{'很长' * 40}-v1.pdf"


# --- the production path: a worker dies mid-batch ---------------------------------------------------------------
# Transactional (the worker must see committed rows) and last in the module: its flush empties the reference tables,
# which the fixtures above load again.


@pytest.mark.django_db(transaction=True)
def test_after_a_worker_dies_continue_does_only_the_pending_items_and_never_a_second_report(
    world, login, make_enterprise, queued_tasks, monkeypatch
):
    monkeypatch.setattr(batches, "CHUNK_SIZE", 1)  # one task per item, so a crash can fall between items
    third = make_enterprise("360102", name="东湖第三测试有限公司")
    for enterprise in (world["home"], world["neighbour"], third):
        submit_cmmm(enterprise, world["city"])
    city = login(world["city"])
    assert create(city).status_code == 302
    batch = latest_batch()
    assert batch.status == "queued" and DBTaskResult.objects.filter(status="READY").count() == 3

    call_command("db_worker", "--batch", "--no-startup-delay", "--max-tasks", "1", verbosity=0)
    batch.refresh_from_db()
    assert batch.status == "running" and batch.done_count == 1
    first = DBTaskResult.objects.get(status="SUCCESSFUL")
    # A worker takes the next task and is killed mid-item: its transaction rolls back, the task stays RUNNING.
    second = DBTaskResult.objects.filter(status="READY").first()
    second.claim("worker-that-died")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch.refresh_from_db()
    (lost,) = batch.items.filter(status="pending")
    assert lost.pk in second.args_kwargs["args"][1]
    assert batch.status == "running" and batch.done_count == 2 and not batch.archive  # stuck, as after a crash
    kept = dict(batch.items.filter(status="done").values_list("pk", "report_id"))

    assert city.post(reverse("reports:batch_resume", args=[batch.pk])).status_code == 302
    (again,) = DBTaskResult.objects.filter(status="READY")
    assert again.args_kwargs["args"] == [batch.pk, [lost.pk]]  # only the pending item is queued
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch.refresh_from_db()
    assert batch.status == "done" and (batch.done_count, batch.failed_count, batch.skipped_count) == (3, 0, 0)
    assert dict(batch.items.filter(pk__in=kept).values_list("pk", "report_id")) == kept
    assert sorted(DiagnosisReport.objects.values_list("version", flat=True)) == [1, 1, 1]

    # The dead worker's task is run again after all (a restart, a retry): it finds nothing pending.
    generate_batch_chunk.enqueue(*first.args_kwargs["args"])
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch.refresh_from_db()
    assert DiagnosisReport.objects.count() == 3 and batch.done_count == 3 and batch.status == "done"
    assert len(zipfile.ZipFile(batch.archive.open("rb")).namelist()) == 4
