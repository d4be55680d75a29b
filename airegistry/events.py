"""The entry's trail: every state change or act is a RegistryEvent (who, when, the status after, why)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import Entry, RegistryEvent

KIND_TEXT = {
    "create": _("登记"),
    "edit": _("修改登记信息"),
    "scene": _("场景模型"),
    "deployment": _("部署应用"),
    "evaluation": _("第三方评测"),
    "submit": _("提交审核"),
    "accept": _("审核通过"),
    "return": _("退回修改"),
    "publish": _("发布到公开名录"),
    "unpublish": _("撤下公开名录"),
}


def record(entry: Entry, kind: str, *, actor, reason: str = "", data: dict | None = None) -> RegistryEvent:
    return RegistryEvent.objects.create(entry=entry, kind=kind, actor=actor, status_after=entry.status,
                                        reason=reason, data=data or {})  # fmt: skip


def describe(event: RegistryEvent) -> str:
    """The trail's line: what was done, and for a part what was added or removed."""
    text = str(KIND_TEXT.get(event.kind, event.kind))
    if added := event.data.get("added"):
        return _("%(what)s：添加“%(name)s”") % {"what": text, "name": added}
    if removed := event.data.get("removed"):
        return _("%(what)s：删除“%(name)s”") % {"what": text, "name": removed}
    return text
