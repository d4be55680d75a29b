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
    "regrade": _("主管部门调整事件级别"),
    "drill_plan": _("制定演练计划"),
    "drill_start": _("开始演练"),
    "drill_decide": _("记录处置决策"),
    "drill_finish": _("结束演练并记录"),
    "drill_action": _("登记整改事项"),
    "drill_action_done": _("整改事项完成"),
    "key_propose": _("企业申报重点联网工业企业"),
    "key_list": _("列入重点联网工业企业清单"),
    "key_remove": _("移出重点联网工业企业清单"),
    "key_level": _("调整防护等级"),
    "key_publish": _("公布重点联网工业企业清单"),
    "risk_record": _("登记风险评估"),
    "risk_file": _("报送风险评估报告"),
    "risk_rectify": _("整改完成"),
    "asset_import": _("导入数据资产"),
}


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def record(action: str, *, actor, asset=None, filing=None, incident=None, drill=None, key_entry=None, assessment=None,
           reason: str = "", data: dict | None = None, at=None) -> Event:  # fmt: skip
    return Event.objects.create(action=action, asset=asset, filing=filing, incident=incident, drill=drill,
                                key_entry=key_entry, assessment=assessment, actor=actor, actor_name=_who(actor),
                                at=at or timezone.now(), reason=reason, data=data or {})  # fmt: skip
