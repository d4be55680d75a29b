"""Scheduling jobs: one solve (or re-plan) of an enterprise's problem, with its progress and result."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .querysets import PlanJobQuerySet


class PlanJob(models.Model):
    """One scheduling run for an enterprise: the problem (engine JSON), progress, the validated plan and KPIs."""

    class Status(models.TextChoices):
        INVALID = "invalid", _("数据有误")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("求解中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="plan_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    name = models.CharField(_("名称"), max_length=200)
    start_date = models.DateField(_("计划起始日"))
    time_limit = models.PositiveIntegerField(_("求解时限（秒）"), default=30)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.QUEUED)
    problem = models.JSONField(_("排产问题"), default=dict)
    issues = models.JSONField(_("校验问题"), default=list)  # [{sheet, row, column, message}]
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replans")
    event = models.JSONField(_("重排事件"), null=True, blank=True)
    replan_at = models.IntegerField(_("重排时刻（分钟）"), null=True, blank=True)
    progress = models.JSONField(_("进度"), default=dict)  # stage, value, bound, gap, seconds
    plan = models.JSONField(_("排产计划"), null=True, blank=True)  # op id -> [machine, start, end]
    objectives = models.JSONField(_("目标值"), default=dict)
    kpis = models.JSONField(_("指标"), default=dict)
    solver_status = models.CharField(_("求解状态"), max_length=20, blank=True)
    error = models.TextField(_("错误"), blank=True)
    started_at = models.DateTimeField(_("开始求解时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = PlanJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("排产任务")
        verbose_name_plural = _("排产任务")

    def __str__(self) -> str:
        return self.name


class PlanJobEvent(models.Model):
    """A state change of a scheduling job (created, queued, started, done, failed, swept as stale), by whom: the
    trail its page shows."""

    job = models.ForeignKey(PlanJob, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")  # fmt: skip
    status_after = models.CharField(max_length=10)
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("排产任务记录")
        verbose_name_plural = _("排产任务记录")

    def __str__(self) -> str:
        return f"{self.job_id} {self.kind}"
