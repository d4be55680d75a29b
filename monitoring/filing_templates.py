"""Report templates (报表模板) for statistics rounds: the shipped built-ins, and those a province defines as data —
rows (the regions directly below the filing's region, or its manufacturing industries) and ordered columns, each a
metric of the catalogue targets and the dashboard use (monitoring.metrics) with its parameters.

A round keeps the definition it was opened with (`definition_of` → StatisticsRound.definition), so editing a
template later changes no open round's columns."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import ModelVersion
from assessments.tiers import TIERS
from regions.models import Region

from . import metrics
from .models import ReportTemplate
from .querysets import in_scope, require_governs

POPULATION = "population"  # not a metric: the enterprises of the column's population themselves
REGIONS, INDUSTRIES = ReportTemplate.Rows.REGIONS.value, ReportTemplate.Rows.INDUSTRIES.value
CUSTOM = "t"  # a defined template's key in a round: "t<pk>"
MAX_COLUMNS = 20
CATALOGUE = {POPULATION: gettext_lazy("企业数（所选范围内的全部企业）"), **metrics.METRICS}


@dataclass(frozen=True)
class Column:
    title: str
    metric: str  # a metrics key, or POPULATION
    unit: str = "count"
    above_scale: bool | None = True
    model_code: str = ""
    level: int | None = None
    tier: str = ""
    basis: str = "self"

    def as_dict(self) -> dict:
        return {**dataclasses.asdict(self), "title": str(self.title)}

    @classmethod
    def from_dict(cls, data: dict) -> Column:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


_PROGRESS_COLUMNS = [
    Column(gettext_lazy("规上工业企业数"), POPULATION),
    Column(gettext_lazy("本年完成自评估的规上企业"), metrics.ASSESSED),
    Column(gettext_lazy("自评估覆盖率（%）"), metrics.ASSESSED, unit="share"),
    Column(gettext_lazy("本年完成诊断的规上企业"), metrics.ASSESSED, basis="diagnosis"),
    Column(gettext_lazy("CMMM 二级及以上的规上企业"), metrics.LEVEL, model_code="cmmm", level=2),
    Column(gettext_lazy("基础级及以上智能工厂"), metrics.TIER, tier="basic", above_scale=None),
    Column(gettext_lazy("本年出具诊断报告的企业"), metrics.REPORTED, above_scale=None),
    Column(gettext_lazy("入库服务商"), metrics.PROVIDERS, above_scale=None),
    Column(gettext_lazy("在岗数字专员"), metrics.COMMISSIONERS, above_scale=None),
]
BUILTIN = {
    "progress": (gettext_lazy("智改数转工作进展统计表"), REGIONS, _PROGRESS_COLUMNS),
    "progress_industry": (
        gettext_lazy("分行业智改数转进展统计表"),
        INDUSTRIES,
        [c for c in _PROGRESS_COLUMNS if c.metric in metrics.ENTERPRISE_METRICS or c.metric == POPULATION],
    ),
}


def province_of(region: Region) -> str:
    return region.code[:2] + "0000"


def templates_for(region: Region):
    """The templates a round of `region` may use: those its province defined."""
    return ReportTemplate.objects.filter(region_id=province_of(region))


def templates_visible_to(user):
    """Templates of the provinces the officer governs (another province's are never seen)."""
    return in_scope(ReportTemplate.objects.all(), user).select_related("region")


def template_choices(region: Region | None = None) -> list[tuple[str, str]]:
    """The built-ins, then (given the round's region) the templates its province defined."""
    builtin = [(key, str(title)) for key, (title, _rows, _columns) in BUILTIN.items()]
    if region is None:
        return builtin
    return builtin + [(f"{CUSTOM}{t.pk}", t.name) for t in templates_for(region)]


def definition_of(key: str, region: Region) -> dict:
    """The definition a round of `region` freezes for template `key`: {"name", "rows", "columns": [dict…]}."""
    if key in BUILTIN:
        title, rows, columns = BUILTIN[key]
        return {"name": str(title), "rows": rows, "columns": [c.as_dict() for c in columns]}
    pk = key.removeprefix(CUSTOM)
    template = templates_for(region).filter(pk=int(pk)).first() if key.startswith(CUSTOM) and pk.isdigit() else None
    if template is None:
        raise ValidationError({"template": _("没有这个报表模板")})
    return {"name": template.name, "rows": template.rows, "columns": clean_columns(template.columns, template.rows)}


def _column_errors(data: dict, rows: str) -> list[str]:
    """What is wrong with one column, in the words an officer reads."""
    errors = []
    metric = data.get("metric")
    if not str(data.get("title") or "").strip():
        errors.append(_("请填写列标题"))
    if metric not in CATALOGUE:
        return errors + [_("请选择指标")]
    about_enterprises = metric == POPULATION or metric in metrics.ENTERPRISE_METRICS
    if data.get("unit") not in ("count", "share"):
        errors.append(_("请选择计量方式"))
    elif data["unit"] == "share" and metric not in metrics.ENTERPRISE_METRICS:
        errors.append(_("只有关于企业的指标（不含企业数本身）可以按占比统计"))
    if metric == metrics.LEVEL:
        if not data.get("model_code"):
            errors.append(_("按成熟度等级统计须选择评估模型"))
        if not data.get("level"):
            errors.append(_("按成熟度等级统计须填写等级"))
    if data.get("model_code") and not ModelVersion.objects.filter(code=data["model_code"], is_current=True).exists():
        errors.append(_("没有这个评估模型"))
    if data.get("level") is not None and not (isinstance(data["level"], int) and 1 <= data["level"] <= 10):
        errors.append(_("等级须为 1—10 的整数"))
    if metric == metrics.TIER and data.get("tier") not in TIERS:
        errors.append(_("按梯度等级统计须选择梯度等级"))
    if data.get("basis", "self") not in metrics.BASIS_LABELS:
        errors.append(_("请选择结果依据"))
    if not about_enterprises:
        if data.get("above_scale") is not None:
            errors.append(_("服务商、专员和对接活动不针对企业，不能限定规模以上"))
        if rows == INDUSTRIES:
            errors.append(_("按行业分行的报表不能包含服务商、专员或对接活动：它们不属于某个行业"))
    return errors


def clean_columns(columns: list[dict], rows: str) -> list[dict]:
    """The columns checked and normalised (parameters a metric does not use are cleared); ValidationError lists
    every fault as "第 n 列：…"."""
    if not columns:
        raise ValidationError(_("请至少设置一列"))
    if len(columns) > MAX_COLUMNS:
        raise ValidationError(_("最多 %(n)s 列") % {"n": MAX_COLUMNS})
    errors, cleaned, titles = [], [], set()
    for n, data in enumerate(columns, start=1):
        faults = _column_errors(data, rows)
        title = str(data.get("title") or "").strip()[:60]
        if title and title in titles:
            faults.append(_("列标题“%(title)s”重复") % {"title": title})
        titles.add(title)
        errors += [_("第 %(n)s 列：%(fault)s") % {"n": n, "fault": f} for f in faults]
        if faults:
            continue
        metric = data["metric"]
        enterprises = metric == POPULATION or metric in metrics.ENTERPRISE_METRICS
        cleaned.append(
            Column(
                title=title, metric=metric, unit=data["unit"],
                above_scale=data.get("above_scale") if enterprises else None,
                model_code=data.get("model_code") or "" if metric in (metrics.LEVEL, metrics.ASSESSED) else "",
                level=data.get("level") if metric == metrics.LEVEL else None,
                tier=data.get("tier") or "" if metric == metrics.TIER else "",
                basis=data.get("basis") or "self" if metric in (metrics.LEVEL, metrics.ASSESSED) else "self",
            ).as_dict()
        )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def template_save(*, actor, region: Region, name: str, rows: str, columns: list[dict],
                  template: ReportTemplate | None = None) -> ReportTemplate:  # fmt: skip
    """Define (or change) a province's template. Rounds already opened keep the definition they froze."""
    require_governs(actor, region, _("只有主管该省的部门可以定义报表模板"))
    if region.level != 1:
        raise PermissionDenied(_("报表模板由省级主管部门定义"))
    if template is not None and template.region_id != region.pk:
        raise PermissionDenied(_("只能修改本省的报表模板"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写模板名称")})
    if rows not in (REGIONS, INDUSTRIES):
        raise ValidationError({"rows": _("请选择表格行")})
    same_name = ReportTemplate.objects.filter(region=region, name=name)
    if template is not None:
        same_name = same_name.exclude(pk=template.pk)
    if same_name.exists():
        raise ValidationError({"name": _("本省已有同名的报表模板")})
    cleaned = clean_columns(columns, rows)
    template = template or ReportTemplate(region=region, created_by=actor)
    template.name, template.rows, template.columns = name, rows, cleaned
    template.save()
    return template
