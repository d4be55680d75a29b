"""Writing resource-pool events. Every state change in the pools (a submission, a review decision, an evaluation, an
appeal, a step of the need workflow, a matching event) goes through `record`, so history pages read one table."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import PoolEvent

# kind → label shown in histories. Add a kind here when a new state change is recorded.
KINDS = {
    "provider_registered": _("服务商申请入驻"),
    "provider_submitted": _("服务商信息提交审核"),
    "provider_reviewed": _("服务商审核"),
    "solution_submitted": _("解决方案提交审核"),
    "solution_reviewed": _("解决方案审核"),
    "evaluated": _("分级评价"),
    "appeal_filed": _("提出申诉"),
    "appeal_decided": _("申诉处理"),
    "need_posted": _("发布需求"),
    "need_responded": _("服务商响应"),
    "response_decided": _("企业处理响应"),
    "need_closed": _("关闭需求"),
    "meeting_created": _("创建对接会"),
    "meeting_changed": _("对接会变更"),
    "meeting_participant": _("对接会参会方变更"),
    "meeting_outcome": _("记录对接成果"),
    "attachment_added": _("上传附件"),
    "attachment_removed": _("删除附件"),
    "case_saved": _("标杆案例保存"),
    "case_verified": _("标杆案例核实"),
    "outcome": _("交付成效（企业复评）"),
}


def label(kind: str) -> str:
    return str(KINDS.get(kind, kind))


def record(
    kind: str,
    *,
    actor=None,
    summary: str,
    reason: str = "",
    provider=None,
    solution=None,
    need=None,
    meeting=None,
    data: dict | None = None,
) -> PoolEvent:
    if kind not in KINDS:
        raise ValueError(f"unknown pool event kind {kind!r}: add it to catalog/events.py KINDS")
    return PoolEvent.objects.create(
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        summary=summary[:300],
        reason=reason,
        provider=provider,
        solution=solution,
        need=need,
        meeting=meeting,
        data=data or {},
    )
