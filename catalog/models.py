"""Resource pools (资源池): service providers with their tiered evaluation, scenarios, solutions, cases and needs.

Lists that a filter reads (types, industries, regions served, sizes, deployments) are JSON lists of codes so that a
record stays one row; the scenario links are real many-to-many tables because search and matching join on them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import validate_credit_code

from .querysets import NeedQuerySet, ProviderQuerySet, SolutionQuerySet


class ProviderType(models.TextChoices):
    CONSULTING = "consulting", _("咨询诊断")
    HARDWARE = "hardware", _("硬件装备")
    SOFTWARE = "software", _("工业软件")
    INTEGRATION = "integration", _("系统集成/平台")
    AI = "ai", _("人工智能")
    DATA = "data", _("数据服务")
    SECURITY = "security", _("安全服务")


class Provider(models.Model):
    """A service provider (服务商) organisation. Provider users keep it up to date; officers review and publish it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PENDING = "pending", _("待审核")
        PUBLISHED = "published", _("已发布")
        WARNED = "warned", _("已警示")
        SUSPENDED = "suspended", _("已暂停")
        REMOVED = "removed", _("已移出")

    name = models.CharField(_("服务商名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("注册地"))
    types = models.JSONField(_("服务类型"), default=list, blank=True)
    industries = models.JSONField(_("服务行业"), default=list, blank=True)  # GB/T 4754 divisions; empty = all
    regions_served = models.JSONField(_("服务区域"), default=list, blank=True)  # region codes; a prefix covers below
    description = models.TextField(_("简介"), blank=True)
    qualifications = models.TextField(_("资质"), blank=True)
    staff = models.PositiveIntegerField(_("从业人员"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    contact_email = models.EmailField(_("电子邮箱"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    status_reason = models.CharField(_("状态说明"), max_length=300, blank=True)
    # Edits by the provider to a listed record wait here for review; the published record stays as it was.
    pending_changes = models.JSONField(_("待审核的修改"), default=dict, blank=True)
    grade = models.CharField(_("评价等级"), max_length=8, blank=True)  # derived from the latest evaluation
    score = models.FloatField(_("评价得分"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("服务商")
        verbose_name_plural = _("服务商")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if bad := sorted(set(self.types) - set(ProviderType.values)):
            raise ValidationError({"types": _("未知的服务类型：%(codes)s") % {"codes": "、".join(bad)}})
        # A served code must be a known division (the matching engine never reads an unknown one as a prefix);
        # nationwide is said by serving no listed region, so "000000" is refused like any unknown code.
        codes = [str(c) for c in self.regions_served or []]
        from regions.models import Region

        if bad := sorted(set(codes) - set(Region.objects.filter(code__in=codes).values_list("code", flat=True))):
            message = _("未知的行政区划代码：%(codes)s（服务全国请不填服务区域）") % {"codes": "、".join(bad)}
            raise ValidationError({"regions_served": message})


class Scenario(models.Model):
    """A typical scenario (典型场景) of the taxonomy file (catalog/data), with the maturity gaps it closes."""

    code = models.CharField(_("场景代码"), max_length=20, primary_key=True)
    name = models.CharField(_("场景名称"), max_length=60, unique=True)
    link_code = models.CharField(_("环节代码"), max_length=20)
    link_name = models.CharField(_("环节"), max_length=30)
    description = models.TextField(_("说明"), blank=True)
    keywords = models.JSONField(default=list, blank=True)
    closes = models.JSONField(default=dict, blank=True)  # model code → its codes closed, e.g. {"cmmm": ["M2.2"]}
    industries = models.JSONField(default=list, blank=True)  # divisions where typical; empty = all
    dimension = models.CharField(_("要素条件维度"), max_length=12, blank=True)
    ai = models.BooleanField(_("人工智能场景"), default=False)
    provisional = models.BooleanField(_("暂定"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("典型场景")
        verbose_name_plural = _("典型场景")

    def __str__(self) -> str:
        return self.name


class Solution(models.Model):
    """A solution or product a provider offers, with the scenarios it addresses and whom it fits."""

    class Deployment(models.TextChoices):
        SAAS = "saas", _("SaaS")
        ON_PREMISES = "on_premises", _("本地部署")
        HYBRID = "hybrid", _("混合部署")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PENDING = "pending", _("待审核")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已下架")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="solutions")
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("介绍"))
    scenarios = models.ManyToManyField(Scenario, related_name="solutions", verbose_name=_("适用场景"))
    industries = models.JSONField(_("适用行业"), default=list, blank=True)
    sizes = models.JSONField(_("适用规模"), default=list, blank=True)  # enterprise size classes; empty = all
    tiers = models.JSONField(_("适用梯度"), default=list, blank=True)
    deployments = models.JSONField(_("部署方式"), default=list, blank=True)
    price_min = models.DecimalField(_("最低价格（万元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    price_max = models.DecimalField(_("最高价格（万元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    delivery_days = models.PositiveIntegerField(_("交付周期（天）"), null=True, blank=True)
    lightweight = models.BooleanField(_("小快轻准"), default=False)
    first_version_software = models.BooleanField(_("首版次软件"), default=False)
    first_set_equipment = models.BooleanField(_("首台（套）装备"), default=False)
    ai_capability = models.BooleanField(_("具备人工智能能力"), default=False)
    outcomes = models.JSONField(_("成效指标"), default=list, blank=True)  # [{"metric", "value", "evidenced"}]
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    status_reason = models.CharField(_("状态说明"), max_length=300, blank=True)
    # Edits to a published solution wait here for review (scenario codes under "scenarios"); the listing stays.
    pending_changes = models.JSONField(_("待审核的修改"), default=dict, blank=True)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SolutionQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("解决方案")
        verbose_name_plural = _("解决方案")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_min__isnull=True)
                | models.Q(price_max__isnull=True)
                | models.Q(price_min__lte=models.F("price_max")),
                name="solution_price_range",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if bad := sorted(set(self.deployments) - set(self.Deployment.values)):
            raise ValidationError({"deployments": _("未知的部署方式：%(codes)s") % {"codes": "、".join(bad)}})
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValidationError({"price_max": _("最高价格不能低于最低价格")})


class Case(models.Model):
    """A benchmark case (标杆案例): an enterprise, the scenarios, the solution and provider, before/after metrics."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="cases")
    solution = models.ForeignKey(Solution, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("案例名称"), max_length=200)
    summary = models.TextField(_("案例简介"), blank=True)
    scenarios = models.ManyToManyField(Scenario, related_name="cases", verbose_name=_("场景"))
    industry = models.ForeignKey(
        "regions.IndustryDivision", on_delete=models.PROTECT, related_name="+", verbose_name=_("行业")
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("地区"))
    metrics = models.JSONField(_("前后对比指标"), default=list, blank=True)  # [{"metric", "before", "after", "unit"}]
    verified = models.BooleanField(_("已核实"), default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("标杆案例")
        verbose_name_plural = _("标杆案例")

    def __str__(self) -> str:
        return self.title


class Need(models.Model):
    """An enterprise's need (需求): what it wants solved, for whom it is visible, and how it ended."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("所有服务商")
        REGION = "region", _("服务本地区的服务商")
        INVITED = "invited", _("仅受邀服务商")

    class Status(models.TextChoices):
        OPEN = "open", _("征集中")
        SHORTLISTED = "shortlisted", _("已初选")
        CONTRACTED = "contracted", _("已签约")
        CLOSED = "closed", _("已关闭")

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="needs")
    title = models.CharField(_("需求标题"), max_length=200)
    text = models.TextField(_("需求描述"))
    scenarios = models.ManyToManyField(Scenario, blank=True, related_name="needs", verbose_name=_("相关场景"))
    budget_max = models.DecimalField(_("预算上限（万元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    deadline = models.DateField(_("期望完成日期"), null=True, blank=True)
    deployments = models.JSONField(_("可接受的部署方式"), default=list, blank=True)
    visibility = models.CharField(_("可见范围"), max_length=10, choices=Visibility.choices, default=Visibility.REGION)
    invited = models.ManyToManyField(Provider, blank=True, related_name="invitations", verbose_name=_("受邀服务商"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("需求")
        verbose_name_plural = _("需求")

    def __str__(self) -> str:
        return self.title


class NeedResponse(models.Model):
    """A provider's answer to a need and where it led (shortlisted, contacted, contracted, rated)."""

    class Status(models.TextChoices):
        RESPONDED = "responded", _("已响应")
        SHORTLISTED = "shortlisted", _("入围")
        CONTACTED = "contacted", _("已对接")
        CONTRACTED = "contracted", _("已签约")
        DECLINED = "declined", _("未采纳")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="responses")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="responses")
    solution = models.ForeignKey(Solution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(_("响应说明"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.RESPONDED)
    rating = models.PositiveSmallIntegerField(_("评价（1–5 星）"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("需求响应")
        verbose_name_plural = _("需求响应")
        constraints = [
            models.UniqueConstraint(fields=["need", "provider"], name="one_response_per_provider"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="response_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} → {self.need}"


class ProviderEvaluation(models.Model):
    """One tiered evaluation (分级评价) of a provider against the scorecard file: inputs, score, grade, snapshot."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="evaluations")
    period = models.CharField(_("评价周期"), max_length=20)
    scorecard_version = models.CharField(max_length=40)
    answers = models.JSONField(default=dict)
    score = models.FloatField(_("得分"))
    grade = models.CharField(_("等级"), max_length=20)
    snapshot = models.JSONField(default=dict)
    provisional = models.BooleanField(default=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("服务商评价")
        verbose_name_plural = _("服务商评价")

    def __str__(self) -> str:
        return f"{self.provider} {self.period} {self.grade}"


class ProviderAppeal(models.Model):
    """A provider's appeal against an evaluation or a status decision, and the officer's answer."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ACCEPTED = "accepted", _("已采纳")
        REJECTED = "rejected", _("已驳回")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="appeals")
    evaluation = models.ForeignKey(
        ProviderEvaluation, null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals"
    )
    text = models.TextField(_("申诉理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    decision = models.TextField(_("处理意见"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("服务商申诉")
        verbose_name_plural = _("服务商申诉")

    def __str__(self) -> str:
        return f"{self.provider} {self.get_status_display()}"


class PoolEvent(models.Model):
    """One state change in the resource pools (submission, review, evaluation, appeal, need workflow, meeting).
    Written through `catalog/events.py`, never edited; history pages and audits read it."""

    kind = models.CharField(_("类型"), max_length=40, db_index=True)  # labels in catalog/events.py KINDS
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    solution = models.ForeignKey(Solution, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    need = models.ForeignKey(Need, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    meeting = models.ForeignKey(
        "catalog.MatchMeeting", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    summary = models.CharField(_("摘要"), max_length=300)
    reason = models.TextField(_("理由"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("资源池事件")
        verbose_name_plural = _("资源池事件")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class MatchMeeting(models.Model):
    """A supply–demand matching event (对接会) organised by officers, with invited enterprises and providers."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("筹备中")
        HELD = "held", _("已举办")
        CANCELLED = "cancelled", _("已取消")

    title = models.CharField(_("名称"), max_length=200)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("主办地区"))
    held_on = models.DateField(_("举办日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    description = models.TextField(_("说明"), blank=True)
    scenarios = models.ManyToManyField(Scenario, blank=True, related_name="meetings", verbose_name=_("对接场景"))
    industries = models.JSONField(_("对接行业"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("供需对接会")
        verbose_name_plural = _("供需对接会")

    def __str__(self) -> str:
        return self.title


class MeetingParticipant(models.Model):
    """An enterprise or a provider invited to a matching event, and whether it came."""

    class Status(models.TextChoices):
        INVITED = "invited", _("已邀请")
        ACCEPTED = "accepted", _("已确认参加")
        DECLINED = "declined", _("不参加")
        ATTENDED = "attended", _("已参会")

    meeting = models.ForeignKey(MatchMeeting, on_delete=models.CASCADE, related_name="participants")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.INVITED)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("对接会参会方")
        verbose_name_plural = _("对接会参会方")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=True, provider__isnull=False)
                | models.Q(enterprise__isnull=False, provider__isnull=True),
                name="participant_enterprise_xor_provider",
            ),
            models.UniqueConstraint(fields=["meeting", "enterprise"], name="participant_enterprise_once"),
            models.UniqueConstraint(fields=["meeting", "provider"], name="participant_provider_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.enterprise_id or self.provider_id}"


class MeetingOutcome(models.Model):
    """What came of an enterprise meeting a provider at a matching event (intention, contract, nothing)."""

    class Result(models.TextChoices):
        TALKED = "talked", _("已洽谈")
        INTENTION = "intention", _("达成意向")
        CONTRACTED = "contracted", _("已签约")
        NONE = "none", _("未达成")

    meeting = models.ForeignKey(MatchMeeting, on_delete=models.CASCADE, related_name="outcomes")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="meeting_outcomes")
    solution = models.ForeignKey(Solution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    result = models.CharField(_("结果"), max_length=12, choices=Result.choices)
    amount = models.DecimalField(_("签约金额（万元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("对接成果")
        verbose_name_plural = _("对接成果")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "enterprise", "provider"], name="outcome_once_per_pair"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0), name="outcome_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.enterprise_id}→{self.provider_id} {self.result}"


class Attachment(models.Model):
    """A file behind a provider's qualification, a solution's claimed outcome or a case's figures. Checked by size,
    extension and content before it is stored under a random name; served only through a scoped view."""

    class Kind(models.TextChoices):
        QUALIFICATION = "qualification", _("资质证明")
        BROCHURE = "brochure", _("产品资料")
        EVIDENCE = "evidence", _("成效佐证")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="attachments")
    solution = models.ForeignKey(Solution, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to="catalog/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


class DeliveryOutcome(models.Model):
    """What a provider's delivered project changed for the enterprise, measured by a re-assessment (a funded
    project's level before and after): the scorecard's `measured_improvement` averages these."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="outcomes")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("来源"), max_length=200)  # e.g. the funding programme's name
    reference = models.CharField(max_length=60, unique=True)  # e.g. "funding:<application id>": recorded once
    level_delta = models.SmallIntegerField(_("等级变化"))
    score_delta = models.FloatField(_("得分变化"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("交付成效")
        verbose_name_plural = _("交付成效")

    def __str__(self) -> str:
        return f"{self.provider_id} {self.reference} {self.level_delta:+d}"
