"""The history of assets, filings and incidents: one Event row per state change or act."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Event

ACTION_TEXT = {
    "asset_create": _("登记数据资产"),
    "asset_update": _("修改数据资产"),
    "asset_grade": _("确认数据级别"),
    "submit": _("提交目录备案"),
    "resubmit": _("补正后重新提交"),
    "accept": _("准予备案"),
    "return": _("退回补正"),
    "change": _("发生重大变更，需变更备案"),
    "attest": _("年度确认备案内容"),
    "record": _("登记事件"),
    "report": _("正式上报"),
    "update": _("报送进展"),
    "contain": _("处置完毕"),
    "summarise": _("提交总结报告"),
    "close": _("结案"),
    "escalate": _("时限届满，升级提醒"),
}


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def record(action: str, *, actor, asset=None, filing=None, incident=None, reason: str = "", data: dict | None = None,
           at=None) -> Event:  # fmt: skip
    return Event.objects.create(action=action, asset=asset, filing=filing, incident=incident, actor=actor,
                                actor_name=_who(actor), at=at or timezone.now(), reason=reason, data=data or {})
