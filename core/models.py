"""Abstract models shared by apps, and the one table core keeps for itself: the counters of core.throttle."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadJob(models.Model):
    """An uploaded file on its way in: checked and previewed first, then written all-or-nothing by a background
    task (core.import_pipeline). The enterprise import and the assessment import each keep their own table of these."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        CHECKING = "checking", _("校验中")
        INVALID = "invalid", _("校验未通过")
        READY = "ready", _("待确认导入")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    original_name = models.CharField(_("文件名"), max_length=200)
    stored_path = models.CharField(max_length=300)
    size = models.PositiveBigIntegerField()
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent of the current phase
    total_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # The per-row report: [{"row": 3, "column": "统一社会信用代码", "value": "...", "message": "..."}]; capped.
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # The first rows as they will be written; what a row holds depends on the import.
    preview = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When a worker began the current phase and last showed it is alive (core.jobs): a phase past its time limit
    # or a worker silent for too long is failed with its reason instead of staying "checking" forever.
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The uploaded file is deleted after the retention period (`tidu purge_uploads`); the job and its report stay.
    file_purged_at = models.DateTimeField(_("文件删除时间"), null=True, blank=True)
    # What the importer answered for the whole file (e.g. {"year": 2025, "county_column": 3}); used by both phases.
    answers = models.JSONField(default=dict, blank=True)
    # What the check asks about the whole file (e.g. the figures' year when no column holds it) and how it found the
    # table (sheet, skipped title/units/total rows, filled merged cells), for the preview.
    questions = models.JSONField(default=dict, blank=True)
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.CHECKING, self.Status.IMPORTING}

    def stored_files(self) -> list[Path]:
        """The upload and whatever the check kept beside it (e.g. the parsed cells), all named after the upload."""
        if not self.stored_path:
            return []
        upload = Path(self.stored_path)
        return sorted(upload.parent.glob(f"{upload.stem}.*"))


class ThrottleCount(models.Model):
    """How often one limited action was taken by one client (e.g. registrations from one address) in its window.

    A table rather than the cache: core.throttle counts with one atomic statement on it, which Django's database
    cache cannot do (it increments by reading then writing) and it never evicts a live counter to make room."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField()
    window_ends = models.BigIntegerField(db_index=True)  # Unix seconds: integers compare alike on both databases

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
