"""Plans and targets (目标任务): what a region means to reach by a year, split down to cities and counties, with
the progress last computed from the records."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment
from assessments.tiers import TIERS

from . import metrics
from .progress import Unit
from .querysets import PlanQuerySet, TargetQuerySet


class Plan(models.Model):
    """A programme's set of targets for a region over some years, e.g. a province's 2025–2027 plan."""

    name = models.CharField(_("计划名称"), max_length=200)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("地区"))
    start_year = models.PositiveSmallIntegerField(_("起始年度"))
    end_year = models.PositiveSmallIntegerField(_("截止年度"))
    description = models.TextField(_("说明"), blank=True)
    is_example = models.BooleanField(_("示例"), default=False)  # shipped with the demo province, not a real plan
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-start_year", "name"]
        verbose_name = _("目标计划")
        verbose_name_plural = _("目标计划")

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """One figure a region should reach by the end of a year, and the progress last computed for it."""

    class SplitMethod(models.TextChoices):
        PRO_RATA = "pro_rata", _("按企业数比例分解")
        BY_HAND = "by_hand", _("逐个填写")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("目标计划"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="parts", verbose_name=_("上级目标")
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("地区"))
    name = models.CharField(_("目标名称"), max_length=200)
    metric = models.CharField(_("指标"), max_length=16, choices=list(metrics.METRICS.items()))
    unit = models.CharField(
        _("计量方式"), max_length=8, choices=[(Unit.COUNT, _("数量")), (Unit.SHARE, _("占比（%）"))]
    )
    model_code = models.SlugField(_("评估模型"), max_length=40, blank=True)
    level = models.PositiveSmallIntegerField(_("等级"), null=True, blank=True)
    tier = models.CharField(_("梯度等级"), max_length=12, blank=True, choices=list(TIERS.items()))
    basis = models.CharField(
        _("结果依据"), max_length=12, choices=list(metrics.BASIS_LABELS.items()), default=Assessment.Kind.SELF
    )
    # The population (only for metrics about enterprises); empty = no filter.
    above_scale = models.BooleanField(_("规模以上"), null=True, blank=True)
    size_class = models.CharField(_("企业规模"), max_length=8, blank=True)
    industry = models.ForeignKey(
        "regions.IndustryDivision", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("行业"),
    )  # fmt: skip
    label = models.ForeignKey(
        "enterprises.Label", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("标签")
    )
    cluster = models.ForeignKey(
        "enterprises.Cluster", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("产业集群"),
    )  # fmt: skip
    chain = models.ForeignKey(
        "enterprises.Chain", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("产业链"),
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(
        _("目标年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    value = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    split_method = models.CharField(_("分解方式"), max_length=10, choices=SplitMethod.choices, blank=True)
    # Where the figure stood when the target was set: the start of its trajectory.
    baseline = models.DecimalField(_("基期值"), max_digits=12, decimal_places=2, default=Decimal(0))
    baseline_on = models.DateField(_("基期日期"))
    # Progress, as last computed by services.targets_recompute.
    met = models.PositiveIntegerField(_("已达成数"), default=0)
    population = models.PositiveIntegerField(_("总体数"), default=0)
    actual = models.DecimalField(_("当前值"), max_digits=12, decimal_places=2, null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "year", "pk"]
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        constraints = [
            models.UniqueConstraint(fields=["parent", "region"], name="target_one_part_per_region"),
            models.CheckConstraint(
                condition=~models.Q(unit="share") | models.Q(value__lte=100),
                name="target_share_at_most_100",
                violation_error_message=_("占比目标不能超过 100%%"),  # formatted with %(name)s
            ),
        ]
        indexes = [models.Index(fields=["region", "year"], name="target_region_year")]

    def __str__(self) -> str:
        return f"{self.name} {self.region_id} {self.year}"

    def measure(self) -> metrics.Measure:
        return metrics.Measure(
            metric=self.metric, year=self.year, model_code=self.model_code, level=self.level, tier=self.tier,
            basis=self.basis,
        )  # fmt: skip

    def population_filter(self) -> metrics.Population:
        return metrics.Population(
            above_scale=self.above_scale, size_class=self.size_class, industry=self.industry_id or "",
            label=self.label_id or "", cluster=self.cluster_id, chain=self.chain_id,
        )  # fmt: skip

    @property
    def is_share(self) -> bool:
        return self.unit == Unit.SHARE


class TargetEvent(models.Model):
    """A change to a target: set, split, changed, recomputed by hand. The history an audit reads."""

    class Kind(models.TextChoices):
        SET = "set", _("设定目标")
        SPLIT = "split", _("分解目标")
        CHANGED = "changed", _("修改目标值")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("目标变更记录")
        verbose_name_plural = _("目标变更记录")

    def __str__(self) -> str:
        return f"{self.target_id} {self.kind}"


class Tally(models.Model):
    """Enterprises counted per county, industry and above-scale flag, rebuilt in bulk by `monitoring.cube.rebuild`
    so that the dashboards add up a few thousand rows instead of looking at every enterprise:

    - `population`: the enterprises in the archive now (year 0);
    - `level`: at each level of a model (0 = below the first) by their latest submitted result on a basis, as of
      the end of `year` (the current year: as of the rebuild);
    - `assessed`: with a submitted assessment of kind `basis` during `year`;
    - `tier`: by their highest recognised tier (level 1–4, year 0);
    - `domain`: the scores (0–1) of the top-level nodes (`node_code`; CMMM: its four elements) of those latest
      results on the self-assessment basis: `n` scored, `score_sum` their sum, so a mean is a division (level 0);
    - `gap`: enterprises whose latest result has a node (`node_code`, depth in `level`) scoring below what their
      next level needs (see `monitoring.gaps`), current year only;
    - `item_gap`: the same for items (条款; `node_code` the item's code, level 0), read from the results' snapshots.

    `grouping` says how a row is keyed: "" by county and industry (what the dashboards read); "size" by county,
    industry and size class; "cluster" / "chain" by county, group (`group_id`) and size class — an enterprise in
    two clusters counts in each."""

    class Grouping(models.TextChoices):
        PLAIN = "", _("地区与行业")
        SIZE = "size", _("地区、行业与规模")
        CLUSTER = "cluster", _("产业集群")
        CHAIN = "chain", _("产业链")

    year = models.PositiveSmallIntegerField()
    measure = models.CharField(max_length=12)
    model_code = models.SlugField(max_length=40, blank=True)
    basis = models.CharField(max_length=12, blank=True)
    grouping = models.CharField(max_length=8, blank=True, default="", choices=Grouping.choices)
    group_id = models.IntegerField(null=True)
    county_id = models.CharField(max_length=6)
    industry_id = models.CharField(max_length=2, null=True)
    above_scale = models.BooleanField(null=True)
    size_class = models.CharField(max_length=8, blank=True, default="")
    node_code = models.CharField(max_length=60, blank=True, default="")
    level = models.SmallIntegerField()
    n = models.PositiveIntegerField()
    score_sum = models.FloatField(null=True)

    class Meta:
        verbose_name = _("统计汇总")
        verbose_name_plural = _("统计汇总")
        indexes = [
            models.Index(
                fields=["grouping", "measure", "model_code", "basis", "year", "county_id"], name="tally_lookup_grouped"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.measure} {self.model_code} {self.basis} {self.county_id} {self.level}: {self.n}"


class CubeRefresh(models.Model):
    """When the tallies were last rebuilt, and how long it took (a single row); `item_marks` the digest of the item
    marks (`gaps.current_item_marks`) the kept item gaps (`ResultItemGap`) were derived with."""

    computed_at = models.DateTimeField()
    seconds = models.FloatField()
    item_marks = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("汇总刷新")
        verbose_name_plural = _("汇总刷新")

    def __str__(self) -> str:
        return f"{self.computed_at:%Y-%m-%d %H:%M}"


class TallyItem(models.Model):
    """An item (条款) of a model as the kept item gaps name it: a small number instead of its code on every row."""

    model_code = models.SlugField(max_length=40)
    code = models.CharField(max_length=60)

    class Meta:
        verbose_name = _("汇总条款")
        verbose_name_plural = _("汇总条款")
        constraints = [models.UniqueConstraint(fields=["model_code", "code"], name="tallyitem_unique")]

    def __str__(self) -> str:
        return f"{self.model_code} {self.code}"


class ExpandedResult(models.Model):
    """A result whose item gaps the tally rebuild has read from its snapshot into `ResultItemGap` (`cube.rebuild`):
    results are immutable once written, so each is read once while it is one the tallies choose (the latest on a
    basis) and forgotten when it no longer is. `has_items`: its snapshot holds item scores (not an import's compact
    one). `result_id` is the result's id, not a foreign key: the rows are derived, dropped by the rebuild."""

    result_id = models.IntegerField(primary_key=True)
    has_items = models.BooleanField()

    class Meta:
        verbose_name = _("已展开结果")
        verbose_name_plural = _("已展开结果")

    def __str__(self) -> str:
        return str(self.result_id)


class ResultItemGap(models.Model):
    """An item (`TallyItem`) of an expanded result (`ExpandedResult`) scoring below what the result's next level
    asks of it (`gaps.item_marks`): the narrow rows the `item_gap` tallies count, instead of every snapshot's JSON."""

    pk = models.CompositePrimaryKey("result_id", "item_id")
    result_id = models.IntegerField()
    item_id = models.IntegerField()

    class Meta:
        verbose_name = _("结果短板条款")
        verbose_name_plural = _("结果短板条款")

    def __str__(self) -> str:
        return f"{self.result_id} {self.item_id}"


class Campaign(models.Model):
    """A self-assessment or diagnosis campaign (专项行动): a pinned model version, a population drawn or chosen,
    dates, and commissioners assigned to the enterprises."""

    class Kind(models.TextChoices):
        SELF = "self", _("自评估专项行动")
        DIAGNOSIS = "diagnosis", _("诊断专项行动")

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    name = models.CharField(_("名称"), max_length=200)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("地区"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    model_version = models.ForeignKey(
        "assessments.ModelVersion", on_delete=models.PROTECT, related_name="+", verbose_name=_("评估模型版本")
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("截止日期"))
    # How the population was made: a share drawn per city with a seed (reproducible), or a list chosen by hand.
    sample_share = models.DecimalField(_("抽样比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    seed = models.PositiveIntegerField(_("随机种子"), default=1)
    above_scale_only = models.BooleanField(_("仅规模以上企业"), default=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")

    def __str__(self) -> str:
        return self.name


class CampaignMember(models.Model):
    """One enterprise in a campaign: its commissioner, and a submission sent back with the reason, if it was."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    commissioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("数字专员"),
    )  # fmt: skip
    invited_at = models.DateTimeField(_("邀请时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("最近提醒时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_reason = models.CharField(_("退回原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("专项行动企业")
        verbose_name_plural = _("专项行动企业")
        constraints = [models.UniqueConstraint(fields=["campaign", "enterprise"], name="campaign_member_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.enterprise_id}"


class ReportTemplate(models.Model):
    """A statistics report layout a province defined: its rows (the regions below, or industries) and its ordered
    columns, each a metric of the catalogue with its parameters. Seen and used only in the province that made it."""

    class Rows(models.TextChoices):
        REGIONS = "regions", _("按下级地区")
        INDUSTRIES = "industries", _("按行业（制造业大类）")

    name = models.CharField(_("模板名称"), max_length=200)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("地区"))
    rows = models.CharField(_("表格行"), max_length=12, choices=Rows.choices, default=Rows.REGIONS)
    # [{"title", "metric", "unit", "above_scale", "model_code", "level", "tier", "basis"}, …] in column order
    columns = models.JSONField(_("表格列"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("报表模板")
        verbose_name_plural = _("报表模板")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="report_template_name_once")]

    def __str__(self) -> str:
        return self.name


class StatisticsRound(models.Model):
    """A periodic statistics report (报送) a province asks of its cities and counties: which figures (a template's
    columns), for which year, by when."""

    name = models.CharField(_("报表名称"), max_length=200)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("地区"))
    template = models.CharField(_("报表模板"), max_length=40)
    # The template as it was when the round opened ({"name", "rows", "columns"}): editing it later changes nothing.
    definition = models.JSONField(_("模板定义"), default=dict, blank=True)
    period = models.CharField(_("报告期"), max_length=40)
    year = models.PositiveSmallIntegerField(_("统计年度"))
    due_on = models.DateField(_("报送截止日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_on", "-id"]
        verbose_name = _("统计报送任务")
        verbose_name_plural = _("统计报送任务")

    def __str__(self) -> str:
        return f"{self.name}（{self.period}）"


class Filing(models.Model):
    """One region's return for a round: its figures filled from the records, frozen when submitted upward, reviewed
    by the region above (accepted, or returned with a reason and submitted again)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待报送")
        SUBMITTED = "submitted", _("已报送")
        RETURNED = "returned", _("已退回")
        ACCEPTED = "accepted", _("已审核")

    round = models.ForeignKey(StatisticsRound, on_delete=models.CASCADE, related_name="filings")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("填报地区"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    figures = models.JSONField(_("报送数据"), default=dict, blank=True)  # frozen at submission: {"rows": […]}
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_reason = models.CharField(_("退回原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["round", "region_id"]
        verbose_name = _("统计报表")
        verbose_name_plural = _("统计报表")
        constraints = [models.UniqueConstraint(fields=["round", "region"], name="filing_once_per_region")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.region_id} {self.status}"


class FilingEvent(models.Model):
    """A step of a filing: submitted, returned (with the reason), accepted."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Filing.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("报送记录")
        verbose_name_plural = _("报送记录")

    def __str__(self) -> str:
        return f"{self.filing_id} {self.kind}"


class IndexRun(models.Model):
    """One computation of a development index for a province and year: frozen with its inputs (iData, iMeta), the
    definition and configuration it used, and its outputs; a new run is a new version, never an overwrite.
    Published by an officer, it becomes a public page."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    code = models.SlugField(_("指数定义"), max_length=40)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("地区"))
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # per cent
    definition = models.JSONField()  # the definition as it was read
    idata = models.JSONField(default=list)
    imeta = models.JSONField(default=list)
    outputs = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-version"]
        verbose_name = _("发展指数计算")
        verbose_name_plural = _("发展指数计算")
        constraints = [
            models.UniqueConstraint(fields=["code", "region", "year", "version"], name="indexrun_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.region_id} {self.year} v{self.version}"
