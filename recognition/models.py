"""Recognition (梯度认定 and other selections): programmes as data, applications moving through a review chain,
experts and their review tasks, objections during public notice, and the recognitions that result.

The chain's rules live in `recognition.chain` (pure); every state change goes through `recognition.services`
and writes an `ApplicationEvent`."""

from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import chain
from .querysets import ApplicationQuerySet, ProgrammeQuerySet

OPEN = [chain.DRAFT, chain.IN_REVIEW, chain.RETURNED]


class Programme(models.Model):
    """A recognition programme or call (认定项目 / 征集): its rules are the programme file's data, frozen here."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("未发布")
        OPEN = "open", _("申报中")
        CLOSED = "closed", _("已截止")

    class Kind(models.TextChoices):
        TIER = "tier", _("智能工厂梯度")
        CASE = "case", _("典型案例")
        SCENARIO = "scenario", _("场景")
        MODEL = "model", _("行业大模型")
        OTHER = "other", _("其他")

    code = models.SlugField(_("项目代码"), max_length=60, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    kind = models.CharField(_("认定对象"), max_length=12, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    # The authority that runs it: applicants are enterprises in this region's subtree.
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织地区"))
    spec = models.JSONField()  # the programme file's data, as loaded (recognition.chain.parse reads it)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    opens_on = models.DateField(_("申报开始"), null=True, blank=True)
    closes_on = models.DateField(_("申报截止"), null=True, blank=True)
    provisional = models.BooleanField(_("暂定"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("认定项目")
        verbose_name_plural = _("认定项目")

    def __str__(self) -> str:
        return self.name

    @cached_property
    def rules(self) -> chain.Spec:
        return chain.parse(self.spec)


class Application(models.Model):
    """An enterprise's application to a programme, and where it stands in the chain."""

    class Status(models.TextChoices):
        DRAFT = chain.DRAFT, _("草稿")
        IN_REVIEW = chain.IN_REVIEW, _("审核中")
        RETURNED = chain.RETURNED, _("退回修改")
        RECOGNISED = chain.RECOGNISED, _("已认定")
        REJECTED = chain.REJECTED, _("未通过")
        CULTIVATION = chain.CULTIVATION, _("纳入培育库")
        WITHDRAWN = chain.WITHDRAWN, _("已撤回")
        REVOKED = chain.REVOKED, _("已撤销")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="applications")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    step = models.PositiveSmallIntegerField(null=True, blank=True)  # index into the programme's chain
    step_reached_at = models.DateTimeField(null=True, blank=True)
    step_due_on = models.DateField(_("本环节办理期限"), null=True, blank=True)
    summary = models.TextField(_("申报说明"), blank=True, max_length=4000)
    declared = models.JSONField(default=dict, blank=True)  # the applicant's values for the programme's criteria
    prerequisites = models.JSONField(default=dict, blank=True)  # the check as it stood at submission
    score = models.FloatField(_("评审得分"), null=True, blank=True)  # the experts' consolidated score
    grade = models.CharField(_("等次"), max_length=40, blank=True)
    rereview_of = models.ForeignKey(
        "Recognition", null=True, blank=True, on_delete=models.SET_NULL, related_name="rereviews"
    )  # a re-review (复核) of an existing recognition
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("认定申请")
        verbose_name_plural = _("认定申请")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "enterprise"], condition=models.Q(status__in=OPEN), name="application_open_once"
            )
        ]
        indexes = [models.Index(fields=["programme", "status", "step"], name="application_queue")]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.enterprise_id} {self.status}"

    @property
    def position(self) -> chain.Position:
        return chain.Position(self.status, self.step)

    @property
    def current_step(self) -> chain.Step | None:
        if self.step is None or self.status not in (chain.IN_REVIEW, chain.RETURNED):
            return None
        return self.programme.rules.step(self.step)


class ApplicationEvidence(models.Model):
    """A file the applicant attached for one of the programme's evidence items."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    code = models.CharField(_("材料"), max_length=40)
    file = models.FileField(upload_to="recognition/%Y/%m/", max_length=200)
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


class ApplicationEvent(models.Model):
    """One state change or act on an application: who, when, at which step, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    step_code = models.CharField(max_length=40, blank=True)
    step_name = models.CharField(max_length=100, blank=True)
    status_after = models.CharField(max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)  # frozen: the history keeps who it was
    reason = models.TextField(blank=True, max_length=2000)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("申请记录")
        verbose_name_plural = _("申请记录")

    def __str__(self) -> str:
        return f"{self.application_id} {self.action} {self.at:%Y-%m-%d}"


class Expert(models.Model):
    """A member of the expert pool: an expert user with the organisation, fields and region used for assignment
    and conflict-of-interest exclusion."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_card")
    organisation = models.CharField(_("工作单位"), max_length=200, blank=True)
    organisation_code = models.CharField(_("单位统一社会信用代码"), max_length=18, blank=True)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在地区")
    )
    fields = models.JSONField(_("专业领域"), default=list, blank=True)  # codes: industries, scenarios, domains
    is_active = models.BooleanField(_("在库"), default=True)

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家库")

    def __str__(self) -> str:
        return str(self.user)  # the user's display name


class ReviewTask(models.Model):
    """One expert's review of one application at an expert step: the scoring sheet's answers, the score the
    maturity engine gives them, the on-site visit record, and the comment."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("待评审")
        SUBMITTED = "submitted", _("已评审")
        WITHDRAWN = "withdrawn", _("已撤回")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    step = models.PositiveSmallIntegerField()
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="tasks")
    is_chair = models.BooleanField(_("组长"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    answers = models.JSONField(default=dict, blank=True)
    score = models.FloatField(_("评分"), null=True, blank=True)
    comment = models.TextField(_("评审意见"), blank=True, max_length=4000)
    visit_report = models.TextField(_("现场核查记录"), blank=True, max_length=4000)
    due_on = models.DateField(_("评审期限"), null=True, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("评审任务")
        verbose_name_plural = _("评审任务")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "step", "expert"], condition=~models.Q(status="withdrawn"),
                name="review_once_per_expert",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.application_id}@{self.step} {self.expert_id} {self.status}"


class Objection(models.Model):
    """An objection (异议) lodged during the public notice, and how it was resolved."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections")
    name = models.CharField(_("署名"), max_length=100)
    contact = models.CharField(_("联系方式"), max_length=100)
    text = models.TextField(_("异议内容"), max_length=4000)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("处理意见"), blank=True, max_length=2000)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")

    def __str__(self) -> str:
        return f"{self.application_id} {self.status}"


class Recognition(models.Model):
    """What a programme recognised: the enterprise's tier (or case, model …), valid until a date, with a
    certificate whose verification code anyone can check. The archive's tier label follows this record."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="recognition")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="recognitions")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="recognitions")
    subject = models.CharField(_("认定内容"), max_length=40, blank=True)  # a tier code for tier programmes
    grade = models.CharField(_("等次"), max_length=40, blank=True)
    recognised_on = models.DateField(_("认定日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    certificate_code = models.CharField(_("证书验证码"), max_length=20, unique=True)
    certificate_pdf = models.FileField(upload_to="certificates/%Y/", max_length=200, blank=True)
    certificate_sha256 = models.CharField(max_length=64, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-recognised_on", "id"]
        verbose_name = _("认定结果")
        verbose_name_plural = _("认定结果")
        indexes = [models.Index(fields=["subject", "enterprise"], name="recognition_subject")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.programme_id} {self.subject}"

    @property
    def in_force(self) -> bool:
        return self.revoked_at is None


class PrerequisiteRun(models.Model):
    """A re-check of a programme's prerequisites over every enterprise of a region (a background task): who would
    qualify today, who waits on a confirmation or a declaration, who does not — and why."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="prerequisite_runs")
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
        verbose_name = _("申报条件核查")
        verbose_name_plural = _("申报条件核查")

    def __str__(self) -> str:
        return f"{self.programme_id} {self.region_id} {self.status}"


class PrerequisiteResult(models.Model):
    """One enterprise's outcome in a prerequisite run: the worst of its items, and the items holding it back."""

    run = models.ForeignKey(PrerequisiteRun, on_delete=models.CASCADE, related_name="results")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=12)  # met | pending | undeclared | unknown | not_met
    blockers = models.CharField(max_length=300, blank=True)  # the names of the items not met, joined

    class Meta:
        verbose_name = _("申报条件核查结果")
        verbose_name_plural = _("申报条件核查结果")
        indexes = [models.Index(fields=["run", "outcome"], name="prerequisite_outcome")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.enterprise_id} {self.outcome}"
