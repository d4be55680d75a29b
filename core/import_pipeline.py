"""The one way a file comes in, for every import: upload → check → preview → commit.

An import (enterprises, assessments) supplies an `Importer`: how to plan a stored file — read it, validate every
row, decide what each row would write — how to show a plan on its job, and how to write one. Everything else
happens here once, so a fix reaches every import: refusing uploads before anything is queued, storing the file, the
job's states and progress, time limits and heartbeats (core.jobs), the messages a user sees when a file is refused
or a worker fails, the answers a user gives for the whole file, and the all-or-nothing commit.

Both phases plan from the stored file afresh, so what is written is exactly what was previewed — unless the archive
changed in between, in which case the commit's plan finds the problem and nothing is written."""

from __future__ import annotations

import ctypes
import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import jobs, uploads
from .models import UploadJob
from .spreadsheets import store_upload

log = logging.getLogger(__name__)
Status = UploadJob.Status
UploadError = uploads.UploadError  # one error for every refused upload; the views and the API catch it
FILE_COLUMN = "文件"  # the "column" of an error about the whole file rather than a cell


class NotReady(ValueError):
    """The job is not in a state where this step can be taken (already running, written or its file purged)."""


@dataclass
class Checked:
    """A plan as its job shows it: the job fields to store (report, counts, questions, notes) and the outcome."""

    error_count: int
    fields: dict = field(default_factory=dict)
    ready_message: str = ""
    # Set when a question for the whole file must be answered before anything may be written (new cluster names to
    # confirm): the job is not ready, though nothing is wrong with the file; says what to answer.
    unanswered: str = ""


class Importer:
    """What one kind of import supplies. Subclasses set the job model and the file prefix, and implement
    `plan`, `checked` and `write`; `enqueue_check` / `enqueue_commit` queue the app's background tasks."""

    job_model: type[UploadJob]
    file_prefix: str = ""

    def plan(self, job: UploadJob, progress: Callable[[int], None], *, for_commit: bool) -> Any:
        raise NotImplementedError

    def checked(self, job: UploadJob, plan: Any) -> Checked:
        raise NotImplementedError

    def write(self, job: UploadJob, plan: Any, phase: jobs.Phase) -> dict:
        """Write the plan (called inside the commit's transaction); returns the done job's message and counts."""
        raise NotImplementedError

    def after_write(self, job: UploadJob) -> None:
        """After the transaction committed: drop whatever the check kept beside the upload."""

    def enqueue_check(self, job_id: str) -> None:
        raise NotImplementedError

    def enqueue_commit(self, job_id: str) -> None:
        raise NotImplementedError


# ---------------------------------------------------------------- the job's bookkeeping


def update_job(job: UploadJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    type(job).objects.filter(pk=job.pk).update(**fields)


def progress_writer(job: UploadJob, phase: jobs.Phase) -> Callable[[int], None]:
    def write(percent: int) -> None:
        phase.tick()  # past the time limit this raises JobTimeout; otherwise a heartbeat now and then
        if percent != job.progress:
            update_job(job, progress=percent)

    return write


def file_error(message: str) -> dict:
    """An error about the whole file (not a cell), in the shape of the per-row report."""
    return {"row": 1, "column": FILE_COLUMN, "value": "", "message": message}


def _invalid_message(checked: Checked) -> str:
    """A file refused as a whole says why in the job's message itself; otherwise how many problems were found."""
    errors = checked.fields.get("errors") or []
    if checked.error_count == 1 and errors and errors[0].get("column") == FILE_COLUMN:
        return errors[0]["message"][:300]
    return _("发现 %(n)s 处问题，未导入任何数据") % {"n": checked.error_count}


def release_memory() -> None:
    """Once a phase's plan is dropped, hand the memory it used back to the system. A 100,000-row plan leaves its
    freed memory scattered between what lives on (glibc keeps it), so the worker's next task started ~430 MB high
    (a re-import's commit peaked past 500 MB reading its file). Where glibc is not the C library, nothing is done."""
    gc.collect()
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim(0)


# ---------------------------------------------------------------- the two phases, run by the worker


def check(importer: Importer, job: UploadJob) -> UploadJob:
    """Phase 1: read and validate; nothing is written to the archive."""
    phase = jobs.Phase(job, Status.CHECKING)
    try:
        plan = importer.plan(job, progress_writer(job, phase), for_commit=False)
        checked = importer.checked(job, plan)
    except jobs.JobTimeout as exc:
        phase.fail(str(exc))  # the reason is on the job; the worker goes on to the next task
        return job
    except Exception:
        log.exception("import check failed for %s", job.pk)
        update_job(
            job, status=Status.FAILED, message=_("校验时发生内部错误，请联系平台管理员"), finished_at=timezone.now()
        )
        raise
    if checked.error_count:
        status, message = Status.INVALID, _invalid_message(checked)
    elif checked.unanswered:
        status, message = Status.INVALID, checked.unanswered
    else:
        status, message = Status.READY, checked.ready_message
    update_job(job, status=status, progress=100, message=message, **checked.fields)
    del plan, checked
    release_memory()
    return job


def commit(importer: Importer, job: UploadJob) -> UploadJob:
    """Phase 2: plan again from the file and the archive as it is now, then write everything or nothing."""
    phase = jobs.Phase(job, Status.IMPORTING)
    try:
        _commit(importer, job, phase)  # its plan is dropped on return
    except jobs.JobTimeout as exc:
        phase.fail(str(exc))  # raised before or inside the transaction, so nothing was written
        return job
    except Exception:
        # The transaction has rolled back: nothing was written. Say so rather than leave the job "importing".
        log.exception("import commit failed for %s", job.pk)
        update_job(
            job,
            status=Status.FAILED,
            message=_("导入时发生内部错误，未写入任何数据，请联系平台管理员"),
            finished_at=timezone.now(),
        )
        raise
    release_memory()
    return job


def _commit(importer: Importer, job: UploadJob, phase: jobs.Phase) -> UploadJob:
    plan = importer.plan(job, progress_writer(job, phase), for_commit=True)
    checked = importer.checked(job, plan)
    if checked.error_count or checked.unanswered:
        update_job(
            job,
            status=Status.INVALID,
            progress=100,
            message=_("档案在确认前发生了变化，重新校验发现问题，未导入任何数据"),
            **checked.fields,
        )
        return job
    # Other connections cannot see progress written inside the transaction, so say what the last step is now.
    update_job(job, progress=90, message=_("校验通过，正在一次性写入数据库（大文件约需一分钟）"))
    with transaction.atomic():
        done = importer.write(job, plan, phase)
        update_job(job, status=Status.DONE, progress=100, finished_at=timezone.now(), **done)
    importer.after_write(job)
    return job


# ---------------------------------------------------------------- entry points for views, the API and commands


def stored_path_for(importer: Importer, job_id) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{importer.file_prefix}{job_id}.upload"


def start(importer: Importer, *, actor, upload, **job_fields) -> UploadJob:
    """Store an uploaded file and queue its check. Refuses empty and oversized uploads before reading them, and
    files that are no spreadsheet (or a workbook whose archive declares too much) before queueing anything."""
    if upload.size == 0:
        raise UploadError(_("文件是空的"))
    if upload.size > settings.TIDU_IMPORT_MAX_BYTES:
        limit = settings.TIDU_IMPORT_MAX_BYTES // (1024 * 1024)
        raise UploadError(_("文件超过 %(n)s MB 上限，请拆分后分批导入") % {"n": limit})
    job = importer.job_model(
        created_by=actor, original_name=uploads.safe_name(upload.name)[:200], size=upload.size, **job_fields
    )
    path = stored_path_for(importer, job.pk)
    store_upload(upload, path)
    job.stored_path = str(path)
    job.save()
    # The job row is saved (autocommit) before the task is queued, so a worker always finds it.
    importer.enqueue_check(str(job.pk))
    return job


def _refuse_purged(job: UploadJob) -> None:
    if job.file_purged_at is not None:
        raise NotReady(_("上传的文件已按保留期限删除，请重新上传后再导入"))


def answer(importer: Importer, *, job: UploadJob, answers: dict) -> UploadJob:
    """Record the importer's answers for the whole file (merged with earlier ones) and check the file again with
    them; only for a job that is not running or written yet, whose file is still kept."""
    _refuse_purged(job)
    merged = {**job.answers, **{key: value for key, value in answers.items() if value is not None}}
    updated = (
        type(job)
        .objects.filter(pk=job.pk, status__in=[Status.READY, Status.INVALID], file_purged_at=None)
        .update(answers=merged, status=Status.QUEUED, progress=0, started_at=None, heartbeat_at=None)
    )
    if not updated:
        raise NotReady(_("该导入任务当前不能修改（可能正在校验或已导入）"))
    job.answers, job.status = merged, Status.QUEUED
    importer.enqueue_check(str(job.pk))
    return job


def confirm(importer: Importer, *, job: UploadJob) -> UploadJob:
    _refuse_purged(job)
    # Not started yet: the sweep leaves a job waiting in the queue alone (started_at is the worker's to set).
    updated = (
        type(job)
        .objects.filter(pk=job.pk, status=Status.READY, file_purged_at=None)
        .update(status=Status.IMPORTING, progress=0, started_at=None, heartbeat_at=None)
    )
    if not updated:
        raise NotReady(_("该导入任务当前不能确认（可能已导入或校验未通过）"))
    job.status = Status.IMPORTING
    importer.enqueue_commit(str(job.pk))
    return job
