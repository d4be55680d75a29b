"""A scheduling job's trail: every state change is a PlanJobEvent (who, when, the status after, why)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import PlanJob, PlanJobEvent

KIND_TEXT = {
    "create": _("创建并排队"),
    "invalid": _("数据校验未通过"),
    "replan": _("事件后重排"),
    "start": _("开始求解"),
    "done": _("求解完成"),
    "failed": _("求解失败"),
    "stale": _("求解进程已停止，标记为失败"),
}


def record(job: PlanJob, kind: str, *, actor=None, reason: str = "", data: dict | None = None) -> PlanJobEvent:
    return PlanJobEvent.objects.create(job=job, kind=kind, actor=actor, status_after=job.status,
                                       reason=reason[:500], data=data or {})  # fmt: skip


def describe(event: PlanJobEvent) -> str:
    return str(KIND_TEXT.get(event.kind, event.kind))
