"""No import job stays "checking" or "importing" forever: a phase past its time limit fails itself with the reason,
a job whose worker died is failed by the sweep (when its page polls, or when a worker starts), and the queue behind
either moves on."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from conftest import make_code
from enterprises.imports import import_confirm, import_start
from enterprises.models import Enterprise, ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def csv_upload(*codes: str) -> SimpleUploadedFile:
    lines = ["统一社会信用代码,企业名称,所在区县,行业代码"]
    lines += [f"{code},时限测试{n}有限公司,360102,34" for n, code in enumerate(codes)]
    return SimpleUploadedFile("名单.csv", ("\n".join(lines) + "\n").encode())


def test_a_check_past_its_time_limit_fails_with_the_reason_and_the_next_job_runs(world, settings):
    settings.TIDU_JOB_TIME_LIMIT_MINUTES = 0  # every phase is past its limit at its first step
    late = import_start(actor=world["county"], upload=csv_upload(make_code("360102")))
    late.refresh_from_db()
    assert late.status == ImportJob.Status.FAILED
    assert "处理超过时限（0 分钟）" in late.message and late.finished_at is not None

    settings.TIDU_JOB_TIME_LIMIT_MINUTES = 30
    following = import_start(actor=world["county"], upload=csv_upload(make_code("360102")))
    following.refresh_from_db()
    assert following.status == ImportJob.Status.READY


def test_a_commit_past_its_time_limit_fails_with_the_reason_and_writes_nothing(world, settings):
    code = make_code("360102")
    job = import_start(actor=world["county"], upload=csv_upload(code))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    settings.TIDU_JOB_TIME_LIMIT_MINUTES = 0
    import_confirm(actor=world["county"], job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "超过时限" in job.message
    assert not Enterprise.objects.filter(credit_code=code).exists()


def stuck(job: ImportJob, *, status=ImportJob.Status.CHECKING, minutes_ago: float) -> ImportJob:
    """The row as a worker killed mid-phase leaves it: running, its last heartbeat `minutes_ago`."""
    then = timezone.now() - dt.timedelta(minutes=minutes_ago)
    ImportJob.objects.filter(pk=job.pk).update(status=status, started_at=then, heartbeat_at=then)
    return job


def test_the_status_page_fails_a_job_whose_worker_went_silent(world, login):
    job = stuck(import_start(actor=world["county"], upload=csv_upload(make_code("360102"))), minutes_ago=11)
    response = login(world["county"]).get(f"/enterprises/import/{job.pk}/")
    assert response.status_code == 200
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "后台处理中断" in job.message and job.message in response.content.decode()


def test_the_sweep_leaves_live_and_waiting_jobs_alone(world):
    live = stuck(import_start(actor=world["county"], upload=csv_upload(make_code("360102"))), minutes_ago=1)
    waiting = import_start(actor=world["county"], upload=csv_upload(make_code("360102")))
    waiting.refresh_from_db()
    # Confirmed and waiting in the queue behind other work: no worker has started it, whatever its age.
    ImportJob.objects.filter(pk=waiting.pk).update(
        status=ImportJob.Status.IMPORTING, started_at=None, created_at=timezone.now() - dt.timedelta(days=1)
    )
    call_command("sweep_jobs", verbosity=0)
    assert ImportJob.objects.get(pk=live.pk).status == ImportJob.Status.CHECKING
    assert ImportJob.objects.get(pk=waiting.pk).status == ImportJob.Status.IMPORTING


def test_a_job_running_past_its_limit_and_grace_is_failed_even_with_a_recent_heartbeat(world, settings):
    # A worker stuck in one long native call cannot fail its own job; the sweep does once the grace is over.
    job = import_start(actor=world["county"], upload=csv_upload(make_code("360102")))
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.IMPORTING, started_at=now - dt.timedelta(minutes=41), heartbeat_at=now
    )
    call_command("sweep_jobs", verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "后台处理中断" in job.message
