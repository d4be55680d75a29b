"""A programme's applications as a sheet, for reporting upward and for work offline: every application the officer
may see (Application.visible_to: submitted ones of their region and below), not only the queue page's latest 200.
Written by core.exports, which neutralises formulas."""

from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from . import chain
from .models import Application, Programme


def headers() -> list[str]:
    return [_("企业名称"), _("统一社会信用代码"), _("所在地区"), _("行业代码"), _("状态"), _("当前环节"),
            _("本环节办理期限"), _("提交时间"), _("办结时间"), _("评审得分"), _("等次")]  # fmt: skip


def applications(user, programme: Programme):
    return (
        Application.objects.visible_to(user)
        .filter(programme=programme, submitted_at__isnull=False)
        .select_related("enterprise__county")
        .order_by("enterprise__county_id", "submitted_at", "pk")
    )


def rows(programme: Programme, found: Iterable[Application]) -> Iterator[list[object]]:
    rules = programme.rules
    for a in found:
        at_step = a.step is not None and a.status in (chain.IN_REVIEW, chain.RETURNED)
        yield [a.enterprise.name, a.enterprise.credit_code,
               a.enterprise.county.full_name if a.enterprise.county else "", a.enterprise.industry_id or "",
               a.get_status_display(), rules.step(a.step).name if at_step else "",
               a.step_due_on.isoformat() if a.step_due_on and at_step else "",
               timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M"),
               timezone.localtime(a.decided_at).strftime("%Y-%m-%d %H:%M") if a.decided_at else "",
               "" if a.score is None else round(a.score, 2), a.grade]  # fmt: skip
