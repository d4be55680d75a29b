"""Uploaded import files are deleted after the retention period (TIDU_UPLOAD_RETENTION_DAYS); the jobs and their
reports stay, marked with when the file went, and a purged job can no longer be confirmed."""

import datetime as dt
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from assessments import imports as assessment_imports
from assessments.tests.test_import import xlsx
from conftest import make_code
from enterprises import imports as enterprise_imports
from enterprises.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def enterprise_job(world) -> ImportJob:
    body = f"统一社会信用代码,企业名称,所在区县,行业代码\n{make_code('360102')},保留期限测试有限公司,360102,34\n"
    job = enterprise_imports.import_start(actor=world["county"], upload=SimpleUploadedFile("名单.csv", body.encode()))
    job.refresh_from_db()
    return job


def age(job, days: int) -> None:
    type(job).objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


def test_files_past_the_retention_period_are_deleted_and_their_jobs_kept(world, cmmm, media, settings):
    old, recent = enterprise_job(world), enterprise_job(world)
    assert old.status == recent.status == "ready"
    # An assessment file whose check kept its parsed cells beside it: those go too.
    content = xlsx(["统一社会信用代码", "企业名称"], [[world["home"].credit_code, world["home"].name]])
    assessed = assessment_imports.import_start(
        actor=world["city"], upload=SimpleUploadedFile("评估.xlsx", content), version=cmmm
    )
    assessed.refresh_from_db()
    assert len(assessed.stored_files()) == 3  # the upload, and the cells (.npz) and their index (.json)
    stray = media / "imports" / "left-behind.upload"
    stray.write_bytes(b"no job refers to this")
    long_ago = (timezone.now() - dt.timedelta(days=40)).timestamp()
    os.utime(stray, (long_ago, long_ago))
    for job in (old, assessed):
        age(job, 31)
    age(recent, 29)
    settings.TIDU_UPLOAD_RETENTION_DAYS = 30

    call_command("purge_uploads", verbosity=0)

    old.refresh_from_db()
    recent.refresh_from_db()
    assessed.refresh_from_db()
    assert old.file_purged_at is not None and not list(media.rglob(f"{old.pk}*"))
    assert old.status == "ready" and old.preview and old.total_rows == 1  # the job and its report stay
    assert assessed.file_purged_at is not None and not list(media.rglob(f"*{assessed.pk}*"))
    assert assessed.errors and assessed.status == "invalid"
    assert recent.file_purged_at is None and [p.name for p in recent.stored_files()] == [f"{recent.pk}.upload"]
    assert not stray.exists()
    with pytest.raises(enterprise_imports.NotReady, match="已按保留期限删除"):
        enterprise_imports.import_confirm(actor=world["county"], job=old)


def test_a_dry_run_lists_and_deletes_nothing(world, capsys):
    job = enterprise_job(world)
    age(job, 31)
    call_command("purge_uploads", "--dry-run")
    assert f"{job.pk}.upload" in capsys.readouterr().out
    job.refresh_from_db()
    assert job.file_purged_at is None and job.stored_files()


def test_running_jobs_are_left_to_the_sweep(world):
    job = enterprise_job(world)
    age(job, 31)
    ImportJob.objects.filter(pk=job.pk).update(status="checking")
    call_command("purge_uploads", verbosity=0)
    job.refresh_from_db()
    assert job.file_purged_at is None and job.stored_files()
