"""Periodic statistics reports (报送): a province opens a round from a template; every city and county has a filing
filled from the records; a county submits to its city and a city to the province, each with a frozen copy of its
figures; the region above accepts or returns it with a reason; the province sees who is late.

A template's columns are the metrics targets use (monitoring.metrics), so a figure in a return is the figure on
the dashboard for the same region and year. Rows are the regions directly below the filing's region with their
total (a county's only row is itself)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import scope_of
from regions.models import Region, prefix_range

from . import metrics
from .models import Filing, FilingEvent, StatisticsRound
from .progress import share
from .querysets import governs, in_scope


@dataclass(frozen=True)
class Column:
    title: str
    metric: str  # a metrics key, or "population": the enterprises of the population themselves
    unit: str = "count"
    above_scale: bool | None = True
    model_code: str = ""
    level: int | None = None
    tier: str = ""
    basis: str = "self"


POPULATION = "population"
TEMPLATES = {
    "progress": (
        gettext_lazy("智改数转工作进展统计表"),
        [
            Column(gettext_lazy("规上工业企业数"), POPULATION),
            Column(gettext_lazy("本年完成自评估的规上企业"), metrics.ASSESSED),
            Column(gettext_lazy("自评估覆盖率（%）"), metrics.ASSESSED, unit="share"),
            Column(gettext_lazy("本年完成诊断的规上企业"), metrics.ASSESSED, basis="diagnosis"),
            Column(gettext_lazy("CMMM 二级及以上的规上企业"), metrics.LEVEL, model_code="cmmm", level=2),
            Column(gettext_lazy("基础级及以上智能工厂"), metrics.TIER, tier="basic", above_scale=None),
            Column(gettext_lazy("本年出具诊断报告的企业"), metrics.REPORTED, above_scale=None),
            Column(gettext_lazy("入库服务商"), metrics.PROVIDERS, above_scale=None),
            Column(gettext_lazy("在岗数字专员"), metrics.COMMISSIONERS, above_scale=None),
        ],
    ),
}


def template_choices() -> list[tuple[str, str]]:
    return [(key, str(title)) for key, (title, _columns) in TEMPLATES.items()]


def columns_of(round_: StatisticsRound) -> list[Column]:
    return TEMPLATES[round_.template][1]


def rounds_visible_to(user):
    """Rounds of the provinces (or regions) above or within the officer's regions."""
    return in_scope(StatisticsRound.objects.all(), user, above=True)


def filings_visible_to(user):
    return in_scope(Filing.objects.all(), user)


def files_for(actor, region: Region) -> bool:
    """Whether `actor` is the region's own authority, who submits its return: governing it but not the region above
    (a city officer reviews a county's return and does not file it for the county)."""
    scope = scope_of(actor)
    if scope.is_admin:
        return True
    return governs(actor, region) and not (region.parent_id and scope.manages_code(region.parent_id))


def rows_of(region: Region) -> list[Region]:
    children = list(Region.objects.filter(parent=region, is_active=True).order_by("code"))
    return children + [region] if children else [region]


def compute(round_: StatisticsRound, region: Region) -> dict:
    """The figures of a region's return, from the records now: {"columns": [...], "rows": [[name, values…]]}."""
    rows = rows_of(region)
    table = [[r.name if r != region or len(rows) == 1 else _("合计")] for r in rows]
    for column in columns_of(round_):
        measure_metric = metrics.ASSESSED if column.metric == POPULATION else column.metric
        measure = metrics.Measure(metric=measure_metric, year=round_.year, model_code=column.model_code,
                                  level=column.level, tier=column.tier, basis=column.basis)  # fmt: skip
        population = (
            metrics.Population(above_scale=column.above_scale) if measure.about_enterprises else metrics.Population()
        )
        counts = metrics.count_by_region(measure, population, region.path)
        for row, r in zip(table, rows, strict=True):
            met, total = metrics.total_under(counts, r.path)
            if column.metric == POPULATION:
                row.append(total)
            elif column.unit == "share":
                value = share(met, total)
                row.append(None if value is None else float(value))
            else:
                row.append(met)
    return {"columns": [str(c.title) for c in columns_of(round_)], "rows": table}


@transaction.atomic
def round_open(*, actor, region: Region, name: str, template: str, period: str, year: int, due_on: dt.date):
    """Open a round for a region and create a filing for every city and county under it."""
    if not governs(actor, region):
        raise PermissionDenied(_("只有主管该地区的部门可以发起统计报送"))
    if template not in TEMPLATES:
        raise ValidationError({"template": _("没有这个报表模板")})
    round_ = StatisticsRound.objects.create(name=name, region=region, template=template, period=period, year=year,
                                            due_on=due_on, created_by=actor)  # fmt: skip
    below = Region.objects.filter(is_active=True, **prefix_range("code", region.path)).exclude(pk=region.pk)
    Filing.objects.bulk_create([Filing(round=round_, region=r) for r in below.order_by("code")])
    return round_


def _event(filing: Filing, kind: str, actor, reason: str = "") -> None:
    FilingEvent.objects.create(filing=filing, kind=kind, actor=actor, reason=reason)


@transaction.atomic
def filing_submit(*, actor, filing: Filing) -> Filing:
    """Submit upward with a frozen copy of the figures as they are now."""
    if not files_for(actor, filing.region):
        raise PermissionDenied(_("只有本地区主管部门可以报送本地区的报表"))
    if filing.status not in (Filing.Status.DRAFT, Filing.Status.RETURNED):
        raise ValidationError(_("该报表已报送，等待上级审核"))
    filing.figures = compute(filing.round, filing.region)
    filing.status, filing.submitted_at, filing.submitted_by = Filing.Status.SUBMITTED, timezone.now(), actor
    filing.returned_reason = ""
    filing.save()
    _event(filing, Filing.Status.SUBMITTED, actor)
    return filing


def _require_reviewer(actor, filing: Filing) -> None:
    if not governs(actor, filing.region.parent):
        raise PermissionDenied(_("只有上级主管部门可以审核该报表"))
    if filing.status != Filing.Status.SUBMITTED:
        raise ValidationError(_("只有已报送的报表可以审核"))


@transaction.atomic
def filing_accept(*, actor, filing: Filing) -> Filing:
    _require_reviewer(actor, filing)
    filing.status, filing.reviewed_at, filing.reviewed_by = Filing.Status.ACCEPTED, timezone.now(), actor
    filing.save(update_fields=["status", "reviewed_at", "reviewed_by"])
    _event(filing, Filing.Status.ACCEPTED, actor)
    return filing


@transaction.atomic
def filing_return(*, actor, filing: Filing, reason: str) -> Filing:
    _require_reviewer(actor, filing)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因")})
    filing.status, filing.returned_reason = Filing.Status.RETURNED, reason[:300]
    filing.reviewed_at, filing.reviewed_by = timezone.now(), actor
    filing.save(update_fields=["status", "returned_reason", "reviewed_at", "reviewed_by"])
    _event(filing, Filing.Status.RETURNED, actor, filing.returned_reason)
    return filing


def is_late(filing: Filing, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return filing.round.due_on < today and filing.status in (Filing.Status.DRAFT, Filing.Status.RETURNED)


def figures_of(filing: Filing) -> dict:
    """The frozen copy once submitted; the live figures while it is a draft or was returned."""
    if filing.status in (Filing.Status.SUBMITTED, Filing.Status.ACCEPTED) and filing.figures:
        return filing.figures
    return compute(filing.round, filing.region)
