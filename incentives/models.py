"""Funding (vouchers, subsidies, awards, interest subsidies): programmes, their budgets by region and year, the
applications that move through an approval chain to a grant paid in tranches, and the ledger.

A programme with rules (`spec`, read by the pure `incentives.rules`) takes applications; one without is a catalogue
entry the diagnosis reports quote. Money is in yuan (two decimals). Every commitment, release, clawback and
cancellation is a `LedgerEntry`; balances are sums of entries, never stored (`incentives.ledger`)."""

from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from recognition import chain

from .querysets import ApplicationQuerySet, BudgetQuerySet, ProgrammeQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}


class Programme(models.Model):
    """A voucher or subsidy programme issued by a region for enterprises in its subtree."""

    class Kind(models.TextChoices):
        VOUCHER = "voucher", _("服务券")
        SUBSIDY = "subsidy", _("项目奖补")
        AWARD = "award", _("认定奖励")
        LOAN = "loan", _("贷款贴息")

    class Status(models.TextChoices):
        DRAFT = "draft", _("未发布")
        OPEN = "open", _("申报中")
        CLOSED = "closed", _("已截止")

    name = models.CharField(_("项目名称"), max_length=200)
    kind = models.CharField(_("扶持方式"), max_length=12, choices=Kind.choices)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("发布地区"))
    summary = models.TextField(_("支持内容"), blank=True)
    # Scenarios the programme pays for; none = any transformation project.
    scenarios = models.ManyToManyField("catalog.Scenario", blank=True, related_name="programmes")
    sizes = models.JSONField(_("适用规模"), default=list, blank=True)  # enterprise size classes; empty = all
    max_amount = models.DecimalField(_("最高支持（万元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    share = models.PositiveSmallIntegerField(_("支持比例（%）"), null=True, blank=True)
    opens_on = models.DateField(_("申报开始"), null=True, blank=True)
    closes_on = models.DateField(_("申报截止"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    # A programme that takes applications: its rules file's data (incentives.rules.parse reads it).
    code = models.SlugField(_("项目代码"), max_length=60, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    spec = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("扶持项目")
        verbose_name_plural = _("扶持项目")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="programme_code_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def rules(self):
        from . import rules

        return rules.parse(self.spec)

    @property
    def takes_applications(self) -> bool:
        return bool(self.spec)


class Budget(models.Model):
    """A programme's money for one region and year. A region's budget may be split down to its cities and counties
    (`parent`): the children's amounts never exceed the parent's, and an application draws on the budget of its
    enterprise's most specific region that has one."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="budgets")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("地区"))
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("预算（元）"), **MONEY)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Bumped by every commitment: the UPDATE takes the row's lock (PostgreSQL) or the database's write lock (SQLite)
    # before the balance is read, so two approvals never both spend the last yuan (incentives.ledger.commit).
    version = models.PositiveIntegerField(default=0)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "year", "region_id"]
        verbose_name = _("预算")
        verbose_name_plural = _("预算")
        constraints = [
            models.UniqueConstraint(fields=["programme", "region", "year"], name="budget_once_per_region_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.region_id} {self.year} {self.amount}"


class FundingApplication(models.Model):
    """An enterprise's application to a programme; once approved, the grant, paid in tranches."""

    class Status(models.TextChoices):
        DRAFT = chain.DRAFT, _("草稿")
        IN_REVIEW = chain.IN_REVIEW, _("审核中")
        RETURNED = chain.RETURNED, _("退回修改")
        APPROVED = "approved", _("已批准")
        REJECTED = chain.REJECTED, _("未通过")
        WITHDRAWN = chain.WITHDRAWN, _("已撤回")
        CANCELLED = "cancelled", _("已终止")
        COMPLETED = "completed", _("已拨付完毕")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="applications")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+")
    budget = models.ForeignKey(Budget, null=True, blank=True, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    step = models.PositiveSmallIntegerField(null=True, blank=True)  # index into the programme's chain
    step_reached_at = models.DateTimeField(null=True, blank=True)
    project_name = models.CharField(_("项目名称"), max_length=200)
    project_number = models.CharField(_("项目编号"), max_length=60, blank=True)
    contract_number = models.CharField(_("合同编号"), max_length=60, blank=True)
    invoice_numbers = models.CharField(_("发票号码"), max_length=400, blank=True)  # comma-separated
    provider = models.ForeignKey(
        "catalog.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务商")
    )
    solution = models.ForeignKey(
        "catalog.Solution", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("解决方案"),
    )  # fmt: skip
    cost = models.DecimalField(_("项目投入（元）"), null=True, blank=True, **MONEY)
    principal = models.DecimalField(_("贷款本金（元）"), null=True, blank=True, **MONEY)
    grade = models.CharField(_("等次"), max_length=40, blank=True)
    requested = models.DecimalField(_("申请金额（元）"), null=True, blank=True, **MONEY)
    amount = models.DecimalField(_("核定金额（元）"), null=True, blank=True, **MONEY)
    amount_steps = models.JSONField(default=list, blank=True)  # how the amount was reached (rules.Amount.steps)
    not_related = models.BooleanField(_("承诺与服务商无关联关系"), default=False)
    eligibility = models.JSONField(default=dict, blank=True)  # the check as it stood at submission
    summary = models.TextField(_("项目说明"), blank=True, max_length=4000)
    voucher_code = models.CharField(_("券码"), max_length=20, blank=True)
    # Milestones the tranches wait for
    contract_signed_at = models.DateTimeField(_("签约时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("服务商确认交付"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("企业验收"), null=True, blank=True)
    # The outcome: the enterprise's level before (at approval) and after (the re-assessment) on the programme's model
    baseline_result = models.ForeignKey(
        "assessments.AssessmentResult", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    followup_result = models.ForeignKey(
        "assessments.AssessmentResult", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reassessment_requested_at = models.DateTimeField(_("申请复评时间"), null=True, blank=True)
    score_delta = models.FloatField(_("复评得分变化"), null=True, blank=True)
    level_delta = models.SmallIntegerField(_("复评等级变化"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("扶持申请")
        verbose_name_plural = _("扶持申请")
        indexes = [
            models.Index(fields=["programme", "status"], name="funding_queue"),
            models.Index(fields=["enterprise", "status"], name="funding_enterprise"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["voucher_code"], condition=~models.Q(voucher_code=""), name="funding_voucher_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.enterprise_id} {self.project_name}"

    @property
    def position(self) -> chain.Position:
        return chain.Position(self.status, self.step)

    @property
    def current_step(self):
        if self.status == self.Status.IN_REVIEW and self.step is not None:
            return self.programme.rules.chain[self.step]
        return None

    @property
    def invoices(self) -> list[str]:
        return [n.strip() for n in self.invoice_numbers.split(",") if n.strip()]


class ProjectKey(models.Model):
    """A project, contract or invoice number an active application claims. Unique: the same number in two
    programmes or two years is double funding, refused at submission with the other application named — and the
    database refuses it too when two submissions race."""

    class Kind(models.TextChoices):
        PROJECT = "project", _("项目编号")
        CONTRACT = "contract", _("合同编号")
        INVOICE = "invoice", _("发票号码")

    application = models.ForeignKey(FundingApplication, on_delete=models.CASCADE, related_name="keys")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=60)  # normalised: upper case, no spaces or dashes

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="project_key_once")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class Tranche(models.Model):
    """A part of a grant, released once its milestone has happened."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待拨付")
        RELEASED = "released", _("已拨付")
        CANCELLED = "cancelled", _("已取消")

    application = models.ForeignKey(FundingApplication, on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(_("拨付节点"), max_length=60)
    milestone = models.CharField(_("前提"), max_length=20)  # rules.Tranche.milestone
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    released_at = models.DateTimeField(_("拨付时间"), null=True, blank=True)

    class Meta:
        ordering = ["application_id", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="tranche_number_once")]

    def __str__(self) -> str:
        return f"{self.application_id}#{self.number} {self.amount}"


class LedgerEntry(models.Model):
    """One movement of money against a budget. Never edited or deleted; balances are sums of these rows.

    committed = commitments − cancellations − clawbacks; disbursed = releases − clawbacks; remaining = budget −
    committed. A cancellation returns unpaid commitment; a clawback returns money already paid."""

    class Kind(models.TextChoices):
        COMMIT = "commit", _("承诺（批准）")
        RELEASE = "release", _("拨付")
        CLAWBACK = "clawback", _("追回")
        CANCEL = "cancel", _("取消承诺")

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="entries")
    application = models.ForeignKey(FundingApplication, on_delete=models.PROTECT, related_name="entries")
    tranche = models.ForeignKey(Tranche, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    # Copied from the application, so that the reports group in SQL without joins: who, for whom, which year.
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("catalog.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    county_id = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")  # fmt: skip
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("资金台账")
        verbose_name_plural = _("资金台账")
        indexes = [models.Index(fields=["budget", "kind"], name="ledger_budget")]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_amount_positive")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.application_id})"


class FundingEvent(models.Model):
    """What happened to an application, by whom: the trail each page shows."""

    application = models.ForeignKey(FundingApplication, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")  # fmt: skip
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"


class FundingDocument(models.Model):
    """A file the applicant attached for one of the programme's required documents (checked like every upload)."""

    application = models.ForeignKey(FundingApplication, on_delete=models.CASCADE, related_name="documents")
    code = models.CharField(_("材料"), max_length=40)
    file = models.FileField(upload_to="funding/%Y/%m/", max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "uploaded_at"]
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")

    def __str__(self) -> str:
        return f"{self.application_id}:{self.code} {self.name}"


class EligibilityRun(models.Model):
    """A re-check of a programme's eligibility rules over every enterprise of a region (a background task): who
    may apply today, who may not and why, who is unknown (the archive does not say)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="eligibility_runs")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)  # {outcome: enterprises}
    error = models.CharField(max_length=500, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("申报资格核查")
        verbose_name_plural = _("申报资格核查")

    def __str__(self) -> str:
        return f"{self.programme_id} {self.region_id} {self.status}"


class EligibilityResult(models.Model):
    """One enterprise's outcome in an eligibility run, and the rules holding it back."""

    run = models.ForeignKey(EligibilityRun, on_delete=models.CASCADE, related_name="results")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=12)  # met | unknown | not_met
    blockers = models.CharField(max_length=300, blank=True)  # the labels of the rules not met or unknown, joined

    class Meta:
        indexes = [models.Index(fields=["run", "outcome"], name="eligibility_outcome")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.enterprise_id} {self.outcome}"
