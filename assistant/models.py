"""The assistant's corpus: documents the province loads, the model library and enterprises' diagnosis reports, cut
into passages with their tokens and vectors; and the background runs that build the index."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DocumentQuerySet":
        """Public documents (policies, rules, the model library, the example corpus) for every signed-in user; a
        report's document only for those who may see the report (reports.access.visible_reports)."""
        from reports.access import visible_reports

        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(report__isnull=True) | Q(report__in=visible_reports(user).values("pk")))


class Document(models.Model):
    """One source of passages: an uploaded policy or rules document, a maturity model, or a diagnosis report."""

    class Kind(models.TextChoices):
        POLICY = "policy", _("政策文件")
        RULES = "rules", _("项目规则")
        LIBRARY = "library", _("评估模型")
        REPORT = "report", _("诊断报告")

    title = models.CharField(_("标题"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    # A stable name for documents Tidu loads itself: "library:cmmm", "example:voucher"; empty for uploads.
    source_key = models.CharField(max_length=80, blank=True)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    example = models.BooleanField(_("示例"), default=False)  # the shipped synthetic corpus: shown as 示例
    paged = models.BooleanField(default=False)  # passages carry page numbers (a PDF)
    report = models.OneToOneField(
        "reports.DiagnosisReport", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "title", "id"]
        verbose_name = _("助手文档")
        verbose_name_plural = _("助手文档")
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"], condition=~Q(source_key=""), name="assistant_document_source_once"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Passage(models.Model):
    """A passage of a document: its section (heading path), page, text, jieba tokens and embedding (float32)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="passages")
    ordinal = models.PositiveIntegerField()  # position in the document, from 0
    section = models.CharField(_("章节"), max_length=300, blank=True)
    page = models.PositiveIntegerField(_("页码"), null=True, blank=True)
    text = models.TextField(_("内容"))
    key = models.CharField(max_length=40, blank=True)  # the example corpus's passage id (eval_questions.yaml)
    tokens = models.TextField(blank=True)  # jieba tokens joined by spaces, cut once when the passage is stored
    vector = models.BinaryField(null=True, blank=True)  # 384 little-endian float32, set by the index run

    class Meta:
        ordering = ["document_id", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["document", "ordinal"], name="assistant_passage_once")]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.ordinal}"

    @property
    def citation(self) -> str:
        """Document, section and page, as an answer cites them."""
        parts = [self.document.title]
        if self.section:
            parts.append(self.section)
        if self.page:
            parts.append(_("第 %(page)s 页") % {"page": self.page})
        return " · ".join(str(p) for p in parts)


class IndexRun(models.Model):
    """A background run that adds newly issued diagnosis reports to the corpus and embeds every passage that has no
    vector yet, with progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("索引中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("助手索引任务")
        verbose_name_plural = _("助手索引任务")

    def __str__(self) -> str:
        return f"index {self.pk} {self.status} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.status == self.Status.DONE else 0)
