"""The application's history: every state change or act is an ApplicationEvent (who, when, at which step, why);
the applicant's milestones also go on the enterprise's timeline (shared with it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from enterprises import events as enterprise_events
from enterprises.models import EnterpriseEvent

from . import chain
from .models import Application, ApplicationEvent

ACTION_TEXT = {
    "draft": _("创建申请"),
    "submit": _("提交申请"),
    "resubmit": _("修改后重新提交"),
    "withdraw": _("撤回申请"),
    "pass": _("通过"),
    "return": _("退回修改"),
    "reject": _("不予通过"),
    "cultivate": _("纳入培育库"),
    "assign": _("分配评审专家"),
    "withdraw_expert": _("撤回专家评审任务"),
    "review": _("专家提交评审意见"),
    "object": _("收到异议"),
    "resolve": _("处理异议"),
    "revoke": _("撤销认定"),
}


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def record(application: Application, action: str, *, actor, reason: str = "", data: dict | None = None,
           step: chain.Step | None = None) -> ApplicationEvent:  # fmt: skip
    return ApplicationEvent.objects.create(
        application=application, action=action, step_code=step.code if step else "",
        step_name=step.name if step else "", status_after=application.status, actor=actor, actor_name=_who(actor),
        reason=reason, data=data or {},
    )  # fmt: skip


def timeline(application: Application, summary: str, *, actor) -> None:
    enterprise_events.record(application.enterprise, EnterpriseEvent.Kind.RECOGNITION, actor=actor,
                             summary=f"{application.programme.name}：{summary}",
                             data={"application": application.pk})  # fmt: skip
