"""The enterprise archive (一企一档): enterprises, their yearly figures, labels, contacts, groupings and timeline."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import UploadJob

from . import creditcode
from .querysets import (
    ChainQuerySet,
    ClusterQuerySet,
    EnterpriseEventQuerySet,
    EnterpriseQuerySet,
    ImportJobQuerySet,
)
from .sizing import NAMES as SIZE_NAMES


def validate_credit_code(value: str) -> None:
    if error := creditcode.validate(value):
        raise ValidationError(error.message, code="credit_code")


class SizeClass(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


assert {c.value for c in SizeClass} == set(SIZE_NAMES)


class Visibility(models.TextChoices):
    """Who may read a timeline entry, note or finding. Internal entries are for the governing side only (officers,
    commissioners, experts, admins); the enterprise and providers never see them. Stored on each row when it is
    written, never derived when it is shown, so a later change of rules or roles cannot expose an old remark."""

    INTERNAL = "internal", _("内部")
    SHARED = "shared", _("与企业共享")


class Label(models.Model):
    """A programme label an enterprise may carry (专精特新, 小巨人, 单项冠军, 链主, a smart-factory tier …)."""

    class Kind(models.TextChoices):
        PROGRAMME = "programme", _("培育称号")
        TIER = "tier", _("智能工厂梯度")
        OTHER = "other", _("其他")

    code = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(_("标签名称"), max_length=40, unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.PROGRAMME)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("标签")
        verbose_name_plural = _("标签")

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    """One enterprise's archive record. Size class and above-scale status are derived from its latest figures."""

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    name = models.CharField(_("企业名称"), max_length=200, db_index=True)
    name_initials = models.CharField(_("拼音首字母"), max_length=200, db_index=True, blank=True)
    former_names = models.JSONField(_("曾用名"), default=list, blank=True)
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区县"), db_index=False
    )
    address = models.CharField(_("详细地址"), max_length=300, blank=True)
    industry = models.ForeignKey(
        "regions.IndustryDivision", on_delete=models.PROTECT, related_name="+", verbose_name=_("行业大类")
    )
    industry_group = models.ForeignKey(
        "regions.IndustryGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("行业中类"),
    )
    # The GB/T 4754 group or class code as the source gave it (342, 3421); `industry` is its division, for filters.
    industry_detail_code = models.CharField(_("行业代码（中类/小类）"), max_length=4, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    # Latest figures, copied from EnterpriseFigures so that lists filter and sort without a join.
    figures_year = models.PositiveSmallIntegerField(_("数据年度"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("从业人员"), null=True, blank=True)
    revenue = models.DecimalField(_("营业收入（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    assets = models.DecimalField(_("资产总额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    size_class = models.CharField(_("企业规模"), max_length=8, choices=SizeClass.choices, blank=True, db_index=True)
    is_above_scale = models.BooleanField(_("规模以上"), null=True, db_index=True)
    notes = models.TextField(_("备注"), blank=True)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    labels = models.ManyToManyField(Label, through="EnterpriseLabel", related_name="enterprises")

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        indexes = [
            # The region scope is a range on county_id; county + industry is the commonest officer filter.
            models.Index(fields=["county", "industry", "name"], name="ent_county_industry"),
            models.Index(fields=["industry", "county"], name="ent_industry_county"),
            # The default list order inside a region scope, and the index that counts a scope without the table.
            models.Index(
                fields=["county", "name", "id"],
                condition=models.Q(removed_at__isnull=True),
                name="ent_active_county_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.industry_group_id and self.industry_id and not self.industry_group_id.startswith(self.industry_id):
            raise ValidationError({"industry_group": _("行业中类不属于所选行业大类。")})
        if self.county_id and getattr(self, "county", None) and not self.county.is_leaf:
            raise ValidationError({"county": _("请选择到区县一级。")})


class EnterpriseCount(models.Model):
    """How many active (not removed) enterprises one county holds. Kept exact by database triggers on the enterprise
    table (migrations 0010 and 0011), so every write path counts — forms, API, imports, bulk SQL, the admin — and a
    province's list sums ~100 rows instead of counting 300,000 on every page. Never written by application code."""

    county_code = models.CharField(max_length=6, primary_key=True)
    active = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("区县企业数")
        verbose_name_plural = _("区县企业数")

    def __str__(self) -> str:
        return f"{self.county_code}: {self.active}"


class EnterpriseFigures(models.Model):
    """Employees, revenue and assets reported for one year."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveSmallIntegerField(_("年度"))
    employees = models.PositiveIntegerField(_("从业人员"), null=True, blank=True)
    revenue = models.DecimalField(_("营业收入（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    assets = models.DecimalField(_("资产总额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度经营数据")
        verbose_name_plural = _("年度经营数据")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="figures_one_per_year"),
            models.CheckConstraint(condition=models.Q(year__gte=1949, year__lte=2100), name="figures_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"


class EnterpriseLabel(models.Model):
    """A label held by an enterprise, with the year it was awarded."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="label_links")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="links")
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)

    class Meta:
        ordering = ["label__order", "-year"]
        verbose_name = _("企业标签")
        verbose_name_plural = _("企业标签")
        constraints = [models.UniqueConstraint(fields=["enterprise", "label"], name="label_once_per_enterprise")]
        indexes = [models.Index(fields=["label", "enterprise"], name="label_enterprise")]

    def __str__(self) -> str:
        return f"{self.label_id}:{self.year or ''}"


class Contact(models.Model):
    """A contact person. Personal data: shown only to users who may see contacts (see EnterpriseQuerySet)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("联系人"), max_length=64)
    title = models.CharField(_("职务"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_primary = models.BooleanField(_("主要联系人"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")

    def __str__(self) -> str:
        return self.name


class Grouping(models.Model):
    """Shared fields of clusters and chains: a named, region-scoped grouping managed by officers."""

    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区域"))
    industries = models.ManyToManyField(
        "regions.IndustryDivision", blank=True, related_name="+", verbose_name=_("相关行业")
    )
    description = models.TextField(_("简介"), blank=True)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return self.name


class Cluster(Grouping):
    """An industrial cluster (产业集群)."""

    members = models.ManyToManyField(Enterprise, through="ClusterMembership", related_name="clusters")
    objects = ClusterQuerySet.as_manager()

    class Meta(Grouping.Meta):
        verbose_name = _("产业集群")
        verbose_name_plural = _("产业集群")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="cluster_name_per_region")]


class ClusterMembership(models.Model):
    """An enterprise's membership of a cluster."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="cluster_memberships")

    class Meta:
        verbose_name = _("集群成员")
        verbose_name_plural = _("集群成员")
        constraints = [models.UniqueConstraint(fields=["cluster", "enterprise"], name="cluster_member_once")]

    def __str__(self) -> str:
        return f"{self.cluster_id}/{self.enterprise_id}"


class Chain(Grouping):
    """An industry chain (产业链)."""

    members = models.ManyToManyField(Enterprise, through="ChainMembership", related_name="chains")
    objects = ChainQuerySet.as_manager()

    class Meta(Grouping.Meta):
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="chain_name_per_region")]


class ChainMembership(models.Model):
    """An enterprise's position in an industry chain."""

    class Position(models.TextChoices):
        LEADER = "leader", _("链主")
        UPSTREAM = "upstream", _("上游")
        MIDSTREAM = "midstream", _("中游")
        DOWNSTREAM = "downstream", _("下游")

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="memberships")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="chain_memberships")
    position = models.CharField(_("链上位置"), max_length=16, choices=Position.choices)

    class Meta:
        verbose_name = _("产业链成员")
        verbose_name_plural = _("产业链成员")
        constraints = [models.UniqueConstraint(fields=["chain", "enterprise"], name="chain_member_once")]

    def __str__(self) -> str:
        return f"{self.chain_id}/{self.enterprise_id}:{self.position}"


class EnterpriseEvent(models.Model):
    """One thing that happened to an enterprise: the timeline and the audit trail. Written, never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", _("建档")
        CHANGED = "changed", _("档案变更")
        IMPORTED = "imported", _("批量导入")
        NOTE = "note", _("工作记录")
        REMOVED = "removed", _("移出档案")
        RESTORED = "restored", _("恢复档案")
        GROUPING = "grouping", _("集群/产业链变更")
        ASSESSED = "assessed", _("成熟度评估")
        REPORTED = "reported", _("诊断报告")
        RECOGNITION = "recognition", _("认定")
        FUNDING = "funding", _("资金扶持")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    summary = models.CharField(_("摘要"), max_length=300)
    # For CHANGED: {"changes": [{"field": ..., "label": ..., "old": ..., "new": ...}]}; for NOTE: {"text": ...}
    data = models.JSONField(default=dict, blank=True)
    # Internal unless the writer chose otherwise: a row that forgot to say is hidden, never leaked (events.record
    # always says; see events.DEFAULT_VISIBILITY for what each kind gets and why).
    visibility = models.CharField(_("可见范围"), max_length=8, choices=Visibility.choices, default=Visibility.INTERNAL)

    objects = EnterpriseEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("企业事件")
        verbose_name_plural = _("企业事件")
        indexes = [models.Index(fields=["enterprise", "-at"], name="event_timeline")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.kind} {self.at:%Y-%m-%d}"

    @property
    def is_internal(self) -> bool:
        return self.visibility == Visibility.INTERNAL


class ImportJob(UploadJob):
    """An uploaded enterprise file: previewed (rows as they will be written, with their changes), then upserted."""

    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)

    objects = ImportJobQuerySet.as_manager()

    class Meta(UploadJob.Meta):
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
