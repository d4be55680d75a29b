"""The diagnosis report (一企一诊断书): issued versions, the commissioner's own findings, and batch runs.

An issued report is a frozen document: its composed content (JSON), the PDF bytes and their SHA-256 are written
once and never edited; a new issue is a new version. Anyone holding the PDF can check it at the public URL of its
verification code, which compares digests and reveals nothing else."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Visibility

from .querysets import FindingQuerySet


class Finding(models.Model):
    """A finding or recommendation a commissioner writes in their own words; the report shows who wrote it."""

    class Kind(models.TextChoices):
        FINDING = "finding", _("诊断发现")
        RECOMMENDATION = "recommendation", _("改进建议")

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="findings")
    assessment = models.ForeignKey(
        "assessments.Assessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.FINDING)
    text = models.TextField(_("内容"), max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Frozen when written, so the report still says who wrote it after the account changes or goes.
    author_name = models.CharField(_("撰写人"), max_length=150)
    author_role = models.CharField(_("撰写人身份"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Internal findings are the diagnosing side's working notes: never shown to the enterprise, never composed into
    # a report (every issued report is the enterprise's to read). Chosen when written; internal if unsaid.
    visibility = models.CharField(
        _("可见范围"), max_length=8, choices=Visibility.choices, default=Visibility.INTERNAL
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("诊断意见")
        verbose_name_plural = _("诊断意见")
        indexes = [models.Index(fields=["enterprise", "created_at"], name="finding_enterprise")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.kind} {self.author_name}"


class DiagnosisReport(models.Model):
    """One issued version of an enterprise's diagnosis report. Written once, never edited."""

    class Series(models.TextChoices):
        """Who stands behind the report. The two series never share version numbers or titles: a reader of a PDF,
        of the list or of the verification page must never take an enterprise's own report for the authority's."""

        OFFICIAL = "official", _("诊断报告（主管部门出具）")  # an officer, or a commissioner for the programme
        SELF = "self", _("自评估报告（企业自行生成）")  # the enterprise, for itself

    # The document's own title, printed on the cover and the page; the series label above names it in lists.
    DOCUMENT_TITLES = {
        Series.OFFICIAL: _("数字化转型诊断报告"),
        Series.SELF: _("数字化转型自评估报告"),
    }

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="reports")
    series = models.CharField(_("报告类型"), max_length=8, choices=Series.choices, default=Series.OFFICIAL)
    version = models.PositiveIntegerField(_("版本"))  # counted per enterprise and series (ReportSequence)
    # The public verification code printed on every page; random, not derived from anything in the report.
    code = models.CharField(_("验证码"), max_length=20, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    content = models.JSONField()  # the composed report (reports.compose), exactly as rendered
    pdf = models.FileField(upload_to="reports/%Y/%m/", max_length=200)
    pdf_sha256 = models.CharField(max_length=64)
    pdf_size = models.PositiveIntegerField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    issuer = models.CharField(_("出具单位"), max_length=200)
    issued_at = models.DateTimeField(_("出具时间"), auto_now_add=True)
    batch = models.ForeignKey("ReportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("诊断报告")
        verbose_name_plural = _("诊断报告")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "series", "version"], name="report_series_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.series} v{self.version} {self.code}"

    def save(self, *args, **kwargs):
        if not self._state.adding:  # the PDF's digest is public: the stored version must never change under it
            raise ValueError("an issued diagnosis report is never edited; issue a new version")
        super().save(*args, **kwargs)

    @property
    def document_title(self) -> str:
        return str(self.DOCUMENT_TITLES[self.Series(self.series)])

    @property
    def is_self_generated(self) -> bool:
        return self.series == self.Series.SELF


class ReportSequence(models.Model):
    """The last version number handed out in one enterprise's report series.

    A number is taken (one atomic UPDATE) before the PDF that prints it is rendered, so concurrent issues get
    distinct consecutive numbers without holding a lock for the whole render. A number whose render or store then
    fails is never reused: the series has a gap there, as on paper a number never issued."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    series = models.CharField(max_length=8, choices=DiagnosisReport.Series.choices)
    last_version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "series"], name="report_sequence_once")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.series} {self.last_version}"


class ReportBatch(models.Model):
    """Reports for a filtered list of enterprises, generated by a background task that can resume."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    description = models.CharField(_("说明"), max_length=300)
    scope = models.JSONField(default=dict)  # the filters that chose the enterprises, as the user gave them
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    archive = models.FileField(upload_to="report-batches/", max_length=200, blank=True)
    message = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("批量诊断报告")
        verbose_name_plural = _("批量诊断报告")

    def __str__(self) -> str:
        return f"batch {self.pk} {self.status} {self.done_count}/{self.total}"


class ReportBatchItem(models.Model):
    """One enterprise of a batch. Pending items are what a resumed run still has to do."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待生成")
        DONE = "done", _("已生成")
        SKIPPED = "skipped", _("无可用评估")
        FAILED = "failed", _("失败")

    batch = models.ForeignKey(ReportBatch, on_delete=models.CASCADE, related_name="items")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    report = models.ForeignKey(DiagnosisReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["batch", "enterprise"], name="batch_item_once")]
        indexes = [models.Index(fields=["batch", "status"], name="batch_item_status")]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.enterprise_id} {self.status}"
