"""Time limits and liveness of upload jobs (core.models.UploadJob subclasses), so that no job stays "checking" or
"importing" forever and none holds the queue behind it.

- In the worker, each phase runs under a `Phase`: it records when it began, and its `tick()` — called from the
  progress callbacks and between the steps of a commit — writes a heartbeat now and then and raises `JobTimeout`
  once the phase is past TIDU_JOB_TIME_LIMIT_MINUTES. The import then marks the job failed with that reason and
  returns normally, so the worker goes on to the next task.
- A worker that died (killed, out of memory, machine restarted) cannot fail its own job; `sweep_stale` does, for
  running jobs whose worker has been silent for TIDU_JOB_STALE_MINUTES or that are past their time limit with a
  grace. It runs when a status page polls and when `tidu worker` starts (`tidu sweep_jobs`).

Only generic models here: the concrete job tables live in their apps and are found through the app registry."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import UploadJob

BEAT_SECONDS = 15  # how often a running phase writes its heartbeat (one UPDATE)


class JobTimeout(Exception):
    """The phase ran past its time limit; the message says so in Chinese."""


def time_limit() -> dt.timedelta:
    return dt.timedelta(minutes=float(getattr(settings, "TIDU_JOB_TIME_LIMIT_MINUTES", 30)))


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=float(getattr(settings, "TIDU_JOB_STALE_MINUTES", 10)))


def _minutes(delta: dt.timedelta) -> str:
    return f"{delta.total_seconds() / 60:g}"


def timeout_message() -> str:
    return _("处理超过时限（%(n)s 分钟），已停止，未写入任何数据；请拆分文件后重新上传") % {"n": _minutes(time_limit())}


class Phase:
    """One phase (check or commit) of a job in the worker: its start, heartbeat and deadline."""

    def __init__(self, job: UploadJob, status: str) -> None:
        self.job = job
        self.limit = time_limit().total_seconds()
        self.began = self.last_beat = time.monotonic()
        now = timezone.now()
        self._write(status=status, progress=0, started_at=now, heartbeat_at=now, finished_at=None)

    def _write(self, **fields) -> None:
        for name, value in fields.items():
            setattr(self.job, name, value)
        type(self.job).objects.filter(pk=self.job.pk).update(**fields)

    def tick(self) -> None:
        """Raise JobTimeout past the deadline; otherwise write a heartbeat if the last one is old enough."""
        now = time.monotonic()
        if now - self.began >= self.limit:
            raise JobTimeout(timeout_message())
        if now - self.last_beat >= BEAT_SECONDS:
            self.last_beat = now
            self._write(heartbeat_at=timezone.now())

    def fail(self, message: str) -> None:
        self._write(status=UploadJob.Status.FAILED, message=message[:300], finished_at=timezone.now())


def job_models() -> list[type[UploadJob]]:
    return [model for model in apps.get_models() if issubclass(model, UploadJob)]


def sweep_stale(models: list[type[UploadJob]] | None = None) -> int:
    """Fail running jobs whose worker is gone: silent longer than the stale limit, or past the time limit with
    that much grace (a live worker fails its own job at the limit). Returns how many were failed."""
    now = timezone.now()
    silent = now - stale_after()
    overdue = now - time_limit() - stale_after()
    running = [UploadJob.Status.CHECKING, UploadJob.Status.IMPORTING]
    stale = Q(status__in=running, started_at__isnull=False) & (Q(heartbeat_at__lt=silent) | Q(started_at__lt=overdue))
    message = _("后台处理中断（处理进程已停止响应超过 %(n)s 分钟），未写入任何数据，请重新上传") % {
        "n": _minutes(stale_after())
    }
    failed = 0
    for model in models or job_models():
        # Read first: a status page polls this, and on SQLite a write would wait for a long commit's lock.
        ids = list(model.objects.filter(stale).values_list("pk", flat=True)[:1000])
        if ids:
            failed += model.objects.filter(stale, pk__in=ids).update(
                status=UploadJob.Status.FAILED, message=message, finished_at=now
            )
    return failed


def retention() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "TIDU_UPLOAD_RETENTION_DAYS", 30)))


def purge_uploads(*, now: dt.datetime | None = None, dry_run: bool = False) -> list[Path]:
    """Delete the stored files of upload jobs older than the retention period (and what their checks kept beside
    them); the job rows and their reports stay, marked with when the file went. Jobs still running are left to the
    sweep. Also removes stray files in the imports folder that no job refers to, once as old. Returns the paths."""
    now = now or timezone.now()
    cutoff = now - retention()
    removed: list[Path] = []
    known: set[str] = set()
    running = [UploadJob.Status.QUEUED, UploadJob.Status.CHECKING, UploadJob.Status.IMPORTING]
    for model in job_models():
        known.update(Path(p).stem for p in model.objects.exclude(stored_path="").values_list("stored_path", flat=True))
        due = model.objects.filter(created_at__lt=cutoff, file_purged_at=None).exclude(status__in=running)
        for job in due.iterator():
            files = job.stored_files()
            if not dry_run:
                for path in files:
                    path.unlink(missing_ok=True)
                model.objects.filter(pk=job.pk).update(file_purged_at=now)
            removed.extend(files)
    folder = Path(settings.MEDIA_ROOT) / "imports"
    if folder.is_dir():
        for path in folder.iterdir():
            stem = path.name.split(".", 1)[0]
            old = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC) < cutoff
            if path.is_file() and old and stem not in known:
                if not dry_run:
                    path.unlink(missing_ok=True)
                removed.append(path)
    return removed
