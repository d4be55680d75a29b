"""Industrial data security: the enterprise's data assets (categories and levels, never the data itself), the
catalogue filing of its important and core data with versions and the regulator's review, and incidents with the
report clocks. Deadlines are stored as timestamps (`due_at`), computed at each state change with the working-day
calendar, so "what is overdue" is an indexed comparison in the database. Every state change writes an `Event`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .querysets import (
    AssetQuerySet,
    DrillQuerySet,
    FilingQuerySet,
    IncidentQuerySet,
    KeyEnterpriseQuerySet,
    RiskAssessmentQuerySet,  # fmt: skip
)


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
            models.Index(
                fields=["due_at", "region_code", "first_submitted_at"],
                condition=Q(due_at__isnull=False),
                name="dsfiling_due",
            ),
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
    level = models.CharField(_("事件级别"), max_length=8, choices=IncidentLevel.choices)  # as it stands now
    self_level = models.CharField(_("企业自评级别"), max_length=8, choices=IncidentLevel.choices, blank=True)
    regraded_at = models.DateTimeField(_("主管部门调整级别时间"), null=True, blank=True)
    regrade_reason = models.CharField(_("调整级别理由"), max_length=1000, blank=True)
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
    drill = models.ForeignKey("Drill", null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    key_entry = models.ForeignKey("KeyEnterprise", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="events")  # fmt: skip
    assessment = models.ForeignKey("RiskAssessment", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="events")  # fmt: skip
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


# --- drills -------------------------------------------------------------------------------------------------------


class Scenario(models.TextChoices):
    LEAK = "leak", _("数据泄露")
    ALGORITHM = "algorithm", _("算法失控")
    FAILURE = "failure", _("系统故障")
    RANSOMWARE = "ransomware", _("勒索攻击")
    OT_OUTAGE = "ot_outage", _("工控系统中断")


class Drill(models.Model):
    """An emergency drill (应急演练): planned, run with its injects (the expected action and its deadline, the
    decision logged), recorded with findings, a score (the share of expectations met) and after-action items with
    owners and due dates; a retest points to the drill it repeats. Held by an enterprise (its own users act) or by a
    regulator for its region (the officers of that region act)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("已计划")
        RUNNING = "running", _("演练中")
        DONE = "done", _("已完成")

    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")  # fmt: skip
    region_code = models.CharField(max_length=12)  # the enterprise's county, or the organising office's region
    title = models.CharField(_("演练名称"), max_length=200)
    scenario = models.CharField(_("演练场景"), max_length=12, choices=Scenario.choices)
    planned_on = models.DateField(_("计划日期"))
    participants = models.TextField(_("参演单位和人员"), max_length=4000, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    findings = models.TextField(_("发现的问题"), max_length=8000, blank=True)
    score = models.FloatField(_("得分"), null=True, blank=True)  # share of expectations met, 0–1
    retest_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retests",
                                  verbose_name=_("复测的演练"))  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DrillQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("应急演练")
        verbose_name_plural = _("应急演练")
        indexes = [models.Index(fields=["region_code", "finished_at"], name="dsdrill_region_done")]

    def __str__(self) -> str:
        return self.title


class DrillInject(models.Model):
    """One scenario inject: what happens, the action expected and within how many minutes of the drill's start,
    and — during the drill — the decision taken, when, and whether it met the expectation."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="injects")
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("情景注入"), max_length=500)
    expected = models.CharField(_("预期处置"), max_length=500)
    deadline_minutes = models.PositiveIntegerField(_("处置时限（分钟）"))
    decision = models.TextField(_("处置决策"), max_length=2000, blank=True)
    decided_at = models.DateTimeField(_("决策时间"), null=True, blank=True)
    met = models.BooleanField(_("达到预期"), null=True)

    class Meta:
        ordering = ["drill", "order", "id"]
        verbose_name = _("情景注入")
        verbose_name_plural = _("情景注入")
        constraints = [models.UniqueConstraint(fields=["drill", "order"], name="dsdrill_inject_order")]

    def __str__(self) -> str:
        return f"{self.drill_id}#{self.order}"


class DrillAction(models.Model):
    """An after-action item: what to fix, who owns it, by when, and when it was done."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(_("整改事项"), max_length=500)
    owner = models.CharField(_("责任人"), max_length=120)
    due_on = models.DateField(_("完成期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["drill", "due_on", "id"]
        verbose_name = _("演练整改事项")
        verbose_name_plural = _("演练整改事项")

    def __str__(self) -> str:
        return self.text


# --- the key networked-enterprise list ----------------------------------------------------------------------------


class ProtectionLevel(models.TextChoices):
    """Graded protection of a listed enterprise (provisional: the provincial cut-offs were not found)."""

    ONE = "1", _("一级防护")
    TWO = "2", _("二级防护")
    THREE = "3", _("三级防护")


class KeyEnterprise(models.Model):
    """An enterprise on (or proposed for, or removed from) the provincial list of key networked industrial
    enterprises (省重点联网工业企业清单): its networking as the archive and its self-assessment give it, the
    protection level, and why it was added or removed."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("企业申报待审核")
        LISTED = "listed", _("已列入清单")
        REMOVED = "removed", _("已移出清单")

    enterprise = models.OneToOneField("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=12)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    networked_devices = models.PositiveIntegerField(_("联网设备数"), null=True, blank=True)
    platforms = models.CharField(_("接入的工业互联网平台"), max_length=300, blank=True)
    self_assessment = models.TextField(_("企业自评"), max_length=4000, blank=True)
    protection_level = models.CharField(_("防护等级"), max_length=2, choices=ProtectionLevel.choices, blank=True)
    reason = models.CharField(_("列入或移出理由"), max_length=1000, blank=True)
    listed_at = models.DateTimeField(_("列入时间"), null=True, blank=True)
    removed_at = models.DateTimeField(_("移出时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = KeyEnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["region_code", "enterprise_id"]
        verbose_name = _("重点联网工业企业")
        verbose_name_plural = _("重点联网工业企业清单")
        indexes = [models.Index(fields=["status", "region_code"], name="dskey_status_region")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.status}"


# --- risk assessments ---------------------------------------------------------------------------------------------


class RiskAssessment(models.Model):
    """A data-security risk assessment (yearly; the report reaches the regulator within 10 working days of its
    completion) or an AI safety-risk report (its form is provisional): period, assessor, findings and
    rectification."""

    class Kind(models.TextChoices):
        DATA = "data", _("数据安全风险评估")
        AI = "ai", _("人工智能安全风险报告")

    class Status(models.TextChoices):
        COMPLETED = "completed", _("已完成待报送")
        FILED = "filed", _("已报送")
        RECTIFIED = "rectified", _("已完成整改")

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=12)
    kind = models.CharField(_("类型"), max_length=4, choices=Kind.choices, default=Kind.DATA)
    period_start = models.DateField(_("评估期起"))
    period_end = models.DateField(_("评估期止"))
    assessor = models.CharField(_("评估机构"), max_length=200)
    system_name = models.CharField(_("人工智能系统或模型"), max_length=200, blank=True)
    risk_types = models.JSONField(_("风险类型"), default=list, blank=True)  # AI reports: codes of AI_RISKS
    findings = models.TextField(_("发现的风险"), max_length=8000)
    rectification = models.TextField(_("整改措施"), max_length=8000, blank=True)
    completed_at = models.DateTimeField(_("评估完成时间"))
    due_at = models.DateTimeField(_("报送期限"), null=True, blank=True)  # pending only until filed
    filed_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    filed_on_time = models.BooleanField(null=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.COMPLETED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = RiskAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_at", "-id"]
        verbose_name = _("风险评估")
        verbose_name_plural = _("风险评估")
        indexes = [
            models.Index(fields=["due_at", "region_code"], condition=Q(due_at__isnull=False), name="dsrisk_due"),
            models.Index(fields=["enterprise", "kind", "completed_at"], name="dsrisk_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.kind} {self.period_end}"


# --- publication of the key networked-enterprise list -------------------------------------------------------------


class KeyListPublication(models.Model):
    """One publication of the provincial key networked-enterprise list (第 N 期): the province officer publishes
    the list as it stands, which freezes who is on it and with which protection level. What city and county
    officers and the listed enterprises see as "已公布" is the latest publication."""

    province = models.CharField(max_length=2)  # region path of the province, e.g. "36"
    number = models.PositiveIntegerField(_("期号"))
    published_on = models.DateField(_("公布日期"))
    published_at = models.DateTimeField(_("公布时间"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_by_name = models.CharField(max_length=150, blank=True)
    note = models.CharField(_("公布说明"), max_length=1000, blank=True)

    class Meta:
        ordering = ["province", "-number"]
        verbose_name = _("重点联网工业企业清单公布")
        verbose_name_plural = _("重点联网工业企业清单公布")
        constraints = [models.UniqueConstraint(fields=["province", "number"], name="dskeypub_province_number")]

    def __str__(self) -> str:
        return f"{self.province} #{self.number} {self.published_on}"


class KeyListPublicationEntry(models.Model):
    """An enterprise on a publication, frozen as published: its name, credit code, region and protection level."""

    publication = models.ForeignKey(KeyListPublication, on_delete=models.CASCADE, related_name="entries")
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, on_delete=models.SET_NULL, related_name="+")
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    region_code = models.CharField(max_length=12)
    protection_level = models.CharField(_("防护等级"), max_length=2, choices=ProtectionLevel.choices)

    class Meta:
        ordering = ["region_code", "enterprise_name", "pk"]
        verbose_name = _("已公布清单中的企业")
        verbose_name_plural = _("已公布清单中的企业")
        indexes = [models.Index(fields=["publication", "region_code"], name="dskeypub_entry_region")]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.enterprise_name}"
