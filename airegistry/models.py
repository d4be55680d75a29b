"""The industrial model and agent registry: what a developer (an enterprise on the archive or a provider of the
pool) registers — identity and lineage, scope (industries, value-chain links, general- and specific-scene
sub-models), data, live deployments with measured benefits, for agents the autonomy level and the systems they act
on — the evaluation records of accredited third parties, and the trail of every state change.

An entry moves draft → submitted → accepted → published, or back to returned (with a reason) from submitted; the
officers of the developer's region review and publish it (airegistry.services). Published entries are listed in the
public directory."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .querysets import EntryQuerySet


class Link(models.TextChoices):
    """Value-chain links (279号 and Jiangsu's diagnosis list, ai-layer.md §1.3)."""

    RD = "rd", _("研发设计")
    PILOT = "pilot", _("中试验证")
    PRODUCTION = "production", _("生产制造")
    QUALITY = "quality", _("质量检测")
    SUPPLY = "supply", _("供应链管理")
    MARKETING = "marketing", _("营销服务")
    OPERATIONS = "operations", _("运营管理")


class Modality(models.TextChoices):
    LANGUAGE = "language", _("大语言模型")
    VISION = "vision", _("视觉大模型")
    MULTIMODAL = "multimodal", _("多模态大模型")
    SCIENCE = "science", _("基础科学大模型")
    OTHER = "other", _("其他")


class Deployment(models.TextChoices):
    """Deployment forms (云-边-端, 279号)."""

    CLOUD = "cloud", _("云端")
    PRIVATE = "private", _("本地私有化")
    EDGE = "edge", _("边缘")
    DEVICE = "device", _("端侧")


class System(models.TextChoices):
    """Enterprise systems an agent reads or acts on."""

    ERP = "ERP", "ERP"
    MES = "MES", "MES"
    APS = "APS", "APS"
    WMS = "WMS", "WMS"
    PLM = "PLM", "PLM"
    QMS = "QMS", "QMS"
    EAM = "EAM", "EAM"
    SCADA = "SCADA", "SCADA"
    CRM = "CRM", "CRM"
    SRM = "SRM", "SRM"


# Industrial-agent autonomy levels after arXiv 2510.17491 (academic, not an official scale): provisional wording.
AUTONOMY = {
    1: _("L1 流程执行：按预设流程调用工具完成单一任务"),
    2: _("L2 交互式问题求解：人机协同，检索增强的助手"),
    3: _("L3 端到端自主：自主规划并完成端到端任务"),
    4: _("L4 多智能体协同：多个智能体协同完成复杂任务（如排产）"),
    5: _("L5 自适应社会系统：跨组织自适应协同与演化"),
}


class Entry(models.Model):
    """One registered industrial model or agent, with its developer and its review status."""

    class Kind(models.TextChoices):
        MODEL = "model", _("工业模型")
        AGENT = "agent", _("工业智能体")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("退回修改")
        ACCEPTED = "accepted", _("审核通过")
        PUBLISHED = "published", _("已发布")

    class BaseOrigin(models.TextChoices):
        OWN = "own", _("自研基座")
        THIRD_PARTY = "third_party", _("成熟第三方基座")

    kind = models.CharField(_("登记类型"), max_length=8, choices=Kind.choices, default=Kind.MODEL)
    developer_enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True,
                                             on_delete=models.PROTECT, related_name="ai_entries",
                                             verbose_name=_("研发企业"))  # fmt: skip
    developer_provider = models.ForeignKey("catalog.Provider", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="ai_entries", verbose_name=_("研发服务商"))  # fmt: skip
    # The developer's county (enterprise) or registered region (provider): what officers' scope is matched against.
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在地区"))
    name = models.CharField(_("名称"), max_length=120)
    version = models.CharField(_("版本"), max_length=40)
    summary = models.TextField(_("简介"), blank=True)
    base_model = models.CharField(_("基座模型"), max_length=120, blank=True)
    base_origin = models.CharField(_("基座来源"), max_length=12, choices=BaseOrigin.choices, blank=True)
    base_licence = models.CharField(_("基座模型许可证"), max_length=120, blank=True)
    modality = models.CharField(_("模态"), max_length=12, choices=Modality.choices, default=Modality.LANGUAGE)
    parameters = models.PositiveBigIntegerField(_("参数量"), null=True, blank=True)
    deployment_forms = models.JSONField(_("部署形态"), default=list, blank=True)  # Deployment codes
    industries = models.JSONField(_("适用行业"), default=list, blank=True)  # GB/T 4754 division codes
    links = models.JSONField(_("价值链环节"), default=list, blank=True)  # Link codes
    data_description = models.TextField(_("训练数据说明"), blank=True)
    autonomy_level = models.PositiveSmallIntegerField(_("自主等级"), null=True, blank=True)  # agents: 1–5
    systems = models.JSONField(_("作用系统"), default=list, blank=True)  # agents: System codes
    task_success = models.DecimalField(_("任务成功率（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    status_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("工业模型与智能体")
        verbose_name_plural = _("工业模型与智能体")
        constraints = [
            models.CheckConstraint(
                condition=Q(developer_enterprise__isnull=False, developer_provider__isnull=True)
                | Q(developer_enterprise__isnull=True, developer_provider__isnull=False),
                name="ai_entry_one_developer",
                violation_error_message=_("研发单位须为一家企业或一家服务商"),
            ),
            models.CheckConstraint(
                condition=Q(autonomy_level__isnull=True) | Q(autonomy_level__gte=1, autonomy_level__lte=5),
                name="ai_entry_autonomy_1_5",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(task_success__isnull=True) | Q(task_success__gte=0, task_success__lte=100),
                name="ai_entry_task_success_pct",
            ),  # fmt: skip
        ]
        indexes = [models.Index(fields=["region", "status"], name="ai_entry_region_status")]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def developer(self):
        return self.developer_enterprise or self.developer_provider

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    def link_names(self) -> list[str]:
        return [str(Link(c).label) for c in self.links if c in Link.values]

    def deployment_names(self) -> list[str]:
        return [str(Deployment(c).label) for c in self.deployment_forms if c in Deployment.values]

    def autonomy_text(self) -> str:
        return str(AUTONOMY.get(self.autonomy_level, "")) if self.autonomy_level else ""


class SceneModel(models.Model):
    """A general-scene or specific-scene sub-model of an entry (Shandong counts ≥ 2 general and ≥ 3 specific)."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("通用场景")
        SPECIFIC = "specific", _("特定场景")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scenes")
    kind = models.CharField(_("场景类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("场景模型名称"), max_length=120)
    link = models.CharField(_("价值链环节"), max_length=12, choices=Link.choices, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("场景模型")
        verbose_name_plural = _("场景模型")

    def __str__(self) -> str:
        return self.name


class LiveDeployment(models.Model):
    """A live deployment at a client enterprise (on the archive, or named), with its measured benefit."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="deployments")
    client = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("应用企业"))  # fmt: skip
    client_name = models.CharField(_("应用企业名称"), max_length=200)
    since = models.DateField(_("上线日期"))
    scene = models.CharField(_("应用场景"), max_length=200, blank=True)
    benefit = models.CharField(_("量化效益"), max_length=300, blank=True)  # e.g. "缺陷检出率 92% → 98.5%"

    class Meta:
        ordering = ["since", "id"]
        verbose_name = _("部署应用")
        verbose_name_plural = _("部署应用")

    def __str__(self) -> str:
        return f"{self.client_name} {self.since}"


class Evaluation(models.Model):
    """An evaluation by an accredited third party: who, under which standard, when, the report, scores by dimension.

    Tidu records and checks the figures (range, date, evaluator and standard present); it runs no benchmark."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="evaluations")
    evaluator = models.CharField(_("评测机构"), max_length=200)
    accreditation = models.CharField(_("资质（如 CNAS 证书号）"), max_length=100, blank=True)
    standard = models.CharField(_("评测标准"), max_length=100)  # e.g. GB/T 45288.2
    standard_version = models.CharField(_("标准版本"), max_length=20, blank=True)  # e.g. 2025
    evaluated_on = models.DateField(_("评测日期"))
    performance = models.DecimalField(_("性能"), max_digits=5, decimal_places=2, null=True, blank=True)
    industry_fit = models.DecimalField(_("行业适配"), max_digits=5, decimal_places=2, null=True, blank=True)
    safety = models.DecimalField(_("安全"), max_digits=5, decimal_places=2, null=True, blank=True)
    efficiency = models.DecimalField(_("效率"), max_digits=5, decimal_places=2, null=True, blank=True)
    reliability = models.DecimalField(_("可靠性"), max_digits=5, decimal_places=2, null=True, blank=True)
    report = models.FileField(upload_to="airegistry/%Y/%m/", max_length=200, blank=True)
    report_name = models.CharField(_("报告文件名"), max_length=200, blank=True)
    report_sha256 = models.CharField(max_length=64, blank=True)
    report_size = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    DIMENSIONS = ("performance", "industry_fit", "safety", "efficiency", "reliability")

    class Meta:
        ordering = ["-evaluated_on", "-id"]
        verbose_name = _("第三方评测")
        verbose_name_plural = _("第三方评测")
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{d}__isnull": True}) | Q(**{f"{d}__gte": 0, f"{d}__lte": 100}),
                name=f"ai_evaluation_{d}_0_100",
            )
            for d in ("performance", "industry_fit", "safety", "efficiency", "reliability")
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} {self.standard} {self.evaluated_on}"

    def scores(self) -> list[tuple[str, object]]:
        return [(str(self._meta.get_field(d).verbose_name), getattr(self, d)) for d in self.DIMENSIONS]


class RegistryEvent(models.Model):
    """What happened to an entry, by whom: the trail its page shows."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")  # fmt: skip
    status_after = models.CharField(max_length=10)
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind}"
