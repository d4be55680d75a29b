"""Stored model versions, assessments (self / diagnosis / verified), their evidence and result snapshots.

Answers are one JSON document per assessment (item code → value, the engine's format). A result is a snapshot:
it is written once and never changed; rescoring against a corrected model version adds a new snapshot and moves
the `is_current` flag. `DomainScore` is the narrow copy of a snapshot's node scores that analytics read in SQL.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import UploadJob

from .querysets import AssessmentQuerySet, ModelVersionQuerySet


class ModelVersion(models.Model):
    """One version of a maturity model, stored as its validated spec (the `maturity.ModelSpec` JSON)."""

    class Status(models.TextChoices):
        OFFICIAL = "official", _("正式")
        PROVISIONAL = "provisional", _("暂定（待核实）")

    class Origin(models.TextChoices):
        LIBRARY = "library", _("平台内置")
        UPLOAD = "upload", _("上传导入")

    code = models.SlugField(_("模型代码"), max_length=40)
    version = models.CharField(_("版本"), max_length=40)
    name = models.CharField(_("模型名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    spec = models.JSONField(_("模型定义"))
    digest = models.CharField(max_length=64, editable=False)
    origin = models.CharField(_("来源"), max_length=12, choices=Origin.choices, default=Origin.LIBRARY)
    is_current = models.BooleanField(_("当前版本"), default=False)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("修订自")
    )
    change_note = models.TextField(_("修订说明"), blank=True)
    item_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ModelVersionQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-created_at"]
        verbose_name = _("评估模型版本")
        verbose_name_plural = _("评估模型版本")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="model_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(is_current=True), name="model_one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    def parsed(self):
        """The `maturity.ModelSpec`, parsed once per process and version (specs are immutable once stored)."""
        from .specs import parsed_spec

        return parsed_spec(self)


class Assessment(models.Model):
    """One enterprise answering one model version; a draft until submitted, then frozen."""

    class Kind(models.TextChoices):
        SELF = "self", _("企业自评估")
        DIAGNOSIS = "diagnosis", _("专员诊断评估")
        VERIFIED = "verified", _("核验评估")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")

    class Source(models.TextChoices):
        WEB = "web", _("在线填报")
        IMPORT = "import", _("批量导入")
        API = "api", _("接口")

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="assessments")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="assessments")
    model_code = models.SlugField(max_length=40, editable=False)  # copied from the version: history without a join
    kind = models.CharField(_("评估类型"), max_length=12, choices=Kind.choices, default=Kind.SELF)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices, default=Source.WEB)
    verifies = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # both belong to one enterprise; only removing the enterprise deletes them
        related_name="verifications",
        verbose_name=_("核验的评估"),
    )
    # The facts the model's applicability reads (production_type, industry, size), fixed when the draft starts.
    context = models.JSONField(default=dict, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    # Verification only: item code → the reviewer's reason for an answer that differs from the verified one.
    reasons = models.JSONField(default=dict, blank=True)
    answered_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("评估")
        verbose_name_plural = _("评估")
        indexes = [
            models.Index(fields=["enterprise", "model_code", "-submitted_at"], name="assessment_history"),
            models.Index(fields=["model_version", "status"], name="assessment_version_status"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.model_code} {self.get_kind_display()}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class AssessmentResult(models.Model):
    """A frozen result snapshot (`maturity.Result.to_dict()`); a corrected model version adds another."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="results")
    is_current = models.BooleanField(default=True)
    score = models.FloatField(_("得分"))
    scale_max = models.FloatField()
    level = models.SmallIntegerField(_("等级"), null=True)
    level_name = models.CharField(_("等级名称"), max_length=60, blank=True)
    provisional = models.BooleanField(default=False)
    snapshot = models.JSONField()
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("评估结果")
        verbose_name_plural = _("评估结果")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"], condition=models.Q(is_current=True), name="result_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.score:.2f} {self.level_name}"


class DomainScore(models.Model):
    """A node's 0–1 score from a result snapshot, for SQL aggregation by model, node, region and industry.

    An assessment's domain scores are its rows with `is_current`; `result` is the result the row was written for.
    Rescoring after a model correction rewrites only the scores that changed, in place, so a current row may belong
    to an earlier result of the same assessment: select current rows by assessment (`result__assessment`)."""

    result = models.ForeignKey(AssessmentResult, on_delete=models.CASCADE, related_name="domain_scores")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+", db_index=False)
    model_code = models.SlugField(max_length=40)
    node_code = models.CharField(max_length=60)
    depth = models.PositiveSmallIntegerField()
    score = models.FloatField(null=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("分域得分")
        verbose_name_plural = _("分域得分")
        indexes = [
            models.Index(fields=["model_code", "node_code", "is_current"], name="domainscore_node"),
            models.Index(fields=["enterprise", "model_code"], name="domainscore_enterprise"),
        ]

    def __str__(self) -> str:
        return f"{self.model_code} {self.node_code} {self.score}"


class EvidenceFile(models.Model):
    """What every evidence file keeps: the checked upload's name, size, type and digest, and who uploaded it."""

    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


class Evidence(EvidenceFile):
    """A file attached to one item of an assessment; stored under MEDIA_ROOT, served only through a checked view."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    item_code = models.CharField(max_length=60)
    file = models.FileField(upload_to="evidence/%Y/%m/")

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        indexes = [models.Index(fields=["assessment", "item_code"], name="evidence_item")]


class AssessmentImportJob(UploadJob):
    """An uploaded file of assessments (one row per enterprise) for one model version: checked, then written
    all-or-nothing. Preview rows: {"row", "credit_code", "name", "kind", "production_type", "score", "level_name"}."""

    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("评估模型版本")
    )

    class Meta(UploadJob.Meta):
        verbose_name = _("评估导入任务")
        verbose_name_plural = _("评估导入任务")


class PeerScore(models.Model):
    """One enterprise's score on one node of a model ("" = the total) from its latest submitted assessment of that
    model, whatever its kind (by submitted_at, then id), with the enterprise's peer-group keys copied in.

    The copy exists so that "how many peers in this group score below x" is a range scan of one index
    (reports/peers.py). Removed enterprises have no rows. Only `services.peer_scores_refresh` writes it: every
    write of a result calls it, and `services.peer_scores_follow_archive` re-reads the keys of enterprises whose
    archive record changed (moved, reclassified, resized, removed or restored)."""

    TOTAL = ""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+", db_index=False)
    model_code = models.SlugField(max_length=40)
    node_code = models.CharField(max_length=60, blank=True)  # a top-level node, or "" for the total score
    # The total on the model's scale, a node 0–1, as in the snapshot; NULL for a node with nothing that counts
    # (all N/A), so that every enterprise has a row for every top-level node of its version.
    score = models.FloatField(null=True)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    industry = models.CharField(max_length=2)  # Enterprise.industry_id
    size_class = models.CharField(max_length=8, blank=True)  # Enterprise.size_class
    province = models.CharField(max_length=2)  # the first digits of Enterprise.county_id
    city = models.CharField(max_length=4)

    class Meta:
        verbose_name = _("同行对标得分")
        verbose_name_plural = _("同行对标得分")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "model_code", "node_code"], name="peerscore_one_per_node"),
        ]
        # One index per rung of the peer-group ladder: equal keys, then the score, then the enterprise so that
        # leaving the enterprise itself out is read from the index too.
        indexes = [
            models.Index(
                fields=["model_code", "node_code", "industry", "size_class", "city", "score", "enterprise"],
                name="peerscore_city",
            ),
            models.Index(
                fields=["model_code", "node_code", "industry", "size_class", "province", "score", "enterprise"],
                name="peerscore_province_size",
            ),
            models.Index(
                fields=["model_code", "node_code", "industry", "province", "score", "enterprise"],
                name="peerscore_province_industry",
            ),
            models.Index(
                fields=["model_code", "node_code", "province", "score", "enterprise"], name="peerscore_province"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.model_code} {self.node_code or '*'} {self.score}"


class PeerScoreSync(models.Model):
    """How far PeerScore's copied keys have followed the enterprise timeline (a single row)."""

    followed_until = models.DateTimeField()

    class Meta:
        verbose_name = _("同行对标同步")
        verbose_name_plural = _("同行对标同步")

    def __str__(self) -> str:
        return f"{self.followed_until:%Y-%m-%d %H:%M:%S}"


# Declared tier-check facts live in their own module; imported here so Django registers them with the app.
from .facts import TierFact, TierFactEvidence  # noqa: E402, F401
