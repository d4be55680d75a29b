"""The public directory as a sheet: what the directory pages print of every published entry matching the filter,
never drafts, reasons, report files or the review trail. Written by core.exports, which neutralises formulas."""

from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Entry


def headers() -> list[str]:
    return [_("名称"), _("版本"), _("登记类型"), _("模态"), _("自主等级"), _("参数量（亿）"), _("研发单位"),
            _("所在地区"), _("价值链环节"), _("适用行业代码"), _("部署形态"), _("基座模型"), _("发布时间"),
            _("合成演示数据")]  # fmt: skip


def rows(entries: Iterable[Entry]) -> Iterator[list[object]]:
    for e in entries:
        developer = e.developer
        yield [e.name, e.version, e.get_kind_display(), e.get_modality_display(), e.autonomy_text(),
               round(e.parameters / 1e8, 2) if e.parameters else "", developer.name if developer else "",
               e.region.full_name, "、".join(e.link_names()), "、".join(e.industries or []),
               "、".join(e.deployment_names()), e.base_model,
               timezone.localtime(e.published_at).strftime("%Y-%m-%d") if e.published_at else "",
               _("是") if e.is_synthetic else _("否")]  # fmt: skip
