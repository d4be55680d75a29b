"""Industrial data security: the enterprise's data assets (categories and levels, never the data itself), the
catalogue filing of its important and core data with versions and the regulator's review, and incidents with the
report clocks. Deadlines are stored as timestamps (`due_at`), computed at each state change with the working-day
calendar, so "what is overdue" is an indexed comparison in the database. Every state change writes an `Event`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .querysets import AssetQuerySet, FilingQuerySet, IncidentQuerySet


class Level(models.TextChoices):
    GENERAL = "general", _("一般数据")
    IMPORTANT = "important", _("重要数据")
    CORE = "core", _("核心数据")


class Category(models.TextChoices):
    RND = "rnd", _("研发数据")
    PRODUCTION = "production", _("生产运行数据")
    MANAGEMENT = "management", _("管理数据")
    OPERATIONS = "operations", _("运维数据")
    SERVICE = "service", _("业务服务数据")
    OTHER = "other", _("其他数据")


class DataAsset(models.Model):
    """One kind of data the enterprise holds, described by the catalogue's fields (the content is never stored)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("数据名称"), max_length=120)
    category = models.CharField(_("数据类别"), max_length=12, choices=Category.choices)
    level = models.CharField(_("数据级别"), max_length=10, choices=Level.choices, default=Level.GENERAL)
    suggested_level = models.CharField(_("建议级别"), max_length=10, choices=Level.choices, blank=True)
    grading = models.JSONField(default=dict, blank=True)  # the check as answered: ticked criteria, impacts, reasons
    graded_at = models.DateTimeField(_("定级时间"), null=True, blank=True)
    # The catalogue's fields (Art 12): source, scale, carrier, purpose and method, scope of use, responsible party,
    # sharing, cross-border transfer, protection measures (category and level above).
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    records = models.BigIntegerField(_("规模（条）"), null=True, blank=True)
    storage_gb = models.FloatField(_("规模（GB）"), null=True, blank=True)
    carrier = models.CharField(_("载体"), max_length=200, blank=True)
    purpose = models.CharField(_("处理目的和方式"), max_length=300, blank=True)
    scope_of_use = models.CharField(_("使用范围"), max_length=200, blank=True)
    responsible = models.CharField(_("责任主体"), max_length=120, blank=True)
    sharing = models.CharField(_("对外共享"), max_length=200, blank=True)
    cross_border = models.CharField(_("跨境传输"), max_length=200, blank=True)
    protection = models.CharField(_("安全保护措施"), max_length=300, blank=True)
    retired = models.BooleanField(_("已销毁或转移"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "category", "name", "id"]
        verbose_name = _("数据资产")
        verbose_name_plural = _("数据资产")

    def __str__(self) -> str:
        return self.name

    @property
    def files(self) -> bool:
        """Important and core data go into the catalogue filing."""
        return self.level in (Level.IMPORTANT, Level.CORE) and not self.retired

    def entry(self) -> dict:
        """The catalogue entry (the 11 fields) as filed."""
        return {
            "asset": self.pk, "name": self.name, "source": self.source, "category": self.category,
            "level": self.level, "records": self.records, "storage_gb": self.storage_gb, "carrier": self.carrier,
            "purpose": self.purpose, "scope_of_use": self.scope_of_use, "responsible": self.responsible,
            "sharing": self.sharing, "cross_border": self.cross_border, "protection": self.protection,
        }  # fmt: skip


class Filing(models.Model):
    """An enterprise's catalogue of important and core data filed with its regulator, and where it stands."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("审核中")
        RETURNED = "returned", _("退回补正")
        ACCEPTED = "accepted", _("已备案")
        CHANGE_DUE = "change_due", _("待变更备案")

    class Due(models.TextChoices):
        REVIEW = "review", _("审核期限")
        RESUBMIT = "resubmit", _("补正重报期限")
        REFILE = "refile", _("变更备案期限")
        ATTEST = "attest", _("年度确认期限")

    enterprise = models.OneToOneField("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=12)  # the enterprise's county code, copied for the indexed scope
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("版本"), default=0)  # the last submitted version (0: never submitted)
    due_at = models.DateTimeField(_("期限"), null=True, blank=True)  # the pending deadline, if any
    due_kind = models.CharField(_("期限类型"), max_length=10, choices=Due.choices, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    attested_at = models.DateTimeField(_("最近年度确认"), null=True, blank=True)
    change_reason = models.CharField(_("变更原因"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = _("数据目录备案")
        verbose_name_plural = _("数据目录备案")
        indexes = [
            # The overdue list: pending deadlines in order, one range scan; the scope's columns ride along so that the
            # totals are counted from the index alone.
            models.Index(fields=["due_at", "region_code", "first_submitted_at"], condition=Q(due_at__isnull=False),
                         name="dsfiling_due"),
            # No index led by region_code here: SQLite preferred it for a province's range (every row) over the
            # covering due_at index and counted the overdue filings 80 times slower.
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} v{self.version} {self.status}"


class FilingVersion(models.Model):
    """One submission of the catalogue: its entries frozen as submitted, and the regulator's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审核")
        ACCEPTED = "accepted", _("准予备案")
        RETURNED = "returned", _("退回补正")

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    entries = models.JSONField(default=list)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    review_due_at = models.DateTimeField(_("审核期限"))
    decision = models.CharField(_("审核结果"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    reasons = models.TextField(_("退回理由"), blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["filing", "-number"]
        verbose_name = _("备案版本")
        verbose_name_plural = _("备案版本")
        constraints = [models.UniqueConstraint(fields=["filing", "number"], name="dsfiling_version_once")]

    def __str__(self) -> str:
        return f"{self.filing_id} v{self.number}"


class IncidentLevel(models.TextChoices):
    EXTREME = "extreme", _("特别重大")
    SERIOUS = "serious", _("重大")
    MAJOR = "major", _("较大")
    MINOR = "minor", _("一般")


class Incident(models.Model):
    """A data-security incident an enterprise reports: self-graded, the two report clocks from its discovery,
    updates, the summary report after 重大 and above, and closure by the regulator."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("已登记待上报")
        REPORTED = "reported", _("已上报处置中")
        CONTAINED = "contained", _("处置完毕")
        SUMMARISED = "summarised", _("已提交总结报告")
        CLOSED = "closed", _("已结案")

    class Due(models.TextChoices):
        REPORT = "report", _("上报时限")
        SUMMARY = "summary", _("总结报告期限")

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=12)  # the enterprise's county code, copied for the indexed scope
    title = models.CharField(_("事件名称"), max_length=200)
    kind = models.CharField(_("事件类型"), max_length=16)  # a code of rules/incidents.yaml
    level = models.CharField(_("自评级别"), max_length=8, choices=IncidentLevel.choices)
    cii = models.BooleanField(_("关键信息基础设施运营者"), default=False)
    description = models.TextField(_("事件概况"), max_length=4000, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.RECORDED)
    discovered_at = models.DateTimeField(_("发现时间"))
    recorded_at = models.DateTimeField(_("登记时间"))
    reported_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    clocks = models.JSONField(default=list)  # [{code, name, hours, due_at, provisional}] as computed at recording
    due_at = models.DateTimeField(_("期限"), null=True, blank=True)  # the earliest pending deadline
    due_kind = models.CharField(_("期限类型"), max_length=8, choices=Due.choices, blank=True)
    # The next clock whose running out escalates (the sweep's index); null when none is pending.
    escalate_at = models.DateTimeField(null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    contained_at = models.DateTimeField(_("处置完毕时间"), null=True, blank=True)
    summary = models.TextField(_("总结报告"), max_length=8000, blank=True)
    summarised_at = models.DateTimeField(_("总结报告时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-discovered_at", "-id"]
        verbose_name = _("数据安全事件")
        verbose_name_plural = _("数据安全事件")
        indexes = [
            models.Index(fields=["due_at", "region_code"], condition=Q(due_at__isnull=False), name="dsincident_due"),
            models.Index(fields=["escalate_at"], condition=Q(escalate_at__isnull=False), name="dsincident_escalate"),
            models.Index(fields=["region_code", "level"], name="dsincident_region_level"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def immediate(self) -> bool:
        """较大 and above are reported at once (the clocks apply)."""
        return self.level != IncidentLevel.MINOR

    @property
    def needs_summary(self) -> bool:
        return self.level in (IncidentLevel.SERIOUS, IncidentLevel.EXTREME)


class IncidentUpdate(models.Model):
    """A progress report on an incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("进展"), max_length=4000)
    at = models.DateTimeField(_("时间"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["incident", "at", "id"]
        verbose_name = _("事件进展")
        verbose_name_plural = _("事件进展")

    def __str__(self) -> str:
        return f"{self.incident_id} {self.at:%Y-%m-%d %H:%M}"


class Event(models.Model):
    """One state change or act on an asset, a filing or an incident: who, when, what, why."""

    action = models.CharField(max_length=24)
    asset = models.ForeignKey(DataAsset, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    filing = models.ForeignKey(Filing, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField()
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("数据安全记录")
        verbose_name_plural = _("数据安全记录")

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"
