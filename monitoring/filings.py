"""Periodic statistics reports (报送): a province opens a round from a template; every city and county has a filing
filled from the records; a county submits to its city and a city to the province, each with a frozen copy of its
figures; the region above accepts or returns it with a reason; the province sees who is late.

A template's columns are the metrics targets use (monitoring.metrics), so a figure in a return is the figure on
the dashboard for the same region and year. Rows are the regions directly below the filing's region with their
total (a county's only row is itself), or — for a template with industry rows — the manufacturing divisions present
in the filing's region, the other industries and the total. Templates: monitoring.filing_templates."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from enterprises.models import Enterprise
from regions.models import IndustryDivision, Region, prefix_range

from . import metrics
from .filing_templates import INDUSTRIES, POPULATION, Column, definition_of, template_choices  # noqa: F401 - re-exported
from .models import Filing, FilingEvent, StatisticsRound
from .progress import share
from .querysets import governs, in_scope


def definition(round_: StatisticsRound) -> dict:
    """The template the round froze when it opened; rounds opened before templates were frozen read the built-in."""
    if round_.definition:
        return round_.definition
    return definition_of(round_.template, round_.region)


def columns_of(round_: StatisticsRound) -> list[Column]:
    return [Column.from_dict(c) for c in definition(round_)["columns"]]


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


def _measure(column: Column, year: int) -> tuple[metrics.Measure, metrics.Population]:
    measure = metrics.Measure(metric=metrics.ASSESSED if column.metric == POPULATION else column.metric, year=year,
                              model_code=column.model_code, level=column.level, tier=column.tier,
                              basis=column.basis)  # fmt: skip
    about_enterprises = measure.about_enterprises
    return measure, metrics.Population(above_scale=column.above_scale if about_enterprises else None)


def _cell(column: Column, met: int, total: int):
    if column.metric == POPULATION:
        return total
    if column.unit == "share":
        value = share(met, total)
        return None if value is None else float(value)
    return met


def compute(round_: StatisticsRound, region: Region) -> dict:
    """The figures of a region's return, from the records now: {"columns": [...], "rows": [[name, values…]],
    "rows_kind": "regions" | "industries"}."""
    if definition(round_).get("rows") == INDUSTRIES:
        return _compute_by_industry(round_, region)
    rows = rows_of(region)
    table = [[r.name if r != region or len(rows) == 1 else _("合计")] for r in rows]
    columns = columns_of(round_)
    for column in columns:
        measure, population = _measure(column, round_.year)
        counts = metrics.count_by_region(measure, population, region.path)
        for row, r in zip(table, rows, strict=True):
            row.append(_cell(column, *metrics.total_under(counts, r.path)))
    return {"columns": [c.title for c in columns], "rows": table, "rows_kind": "regions"}


MANUFACTURING = ("13", "43")  # GB/T 4754 divisions of manufacturing


def industries_present(region: Region) -> list[tuple[str, str]]:
    """(code, name) of the manufacturing divisions with at least one enterprise in the region, in code order."""
    codes = (
        Enterprise.objects.filter(removed_at__isnull=True, industry_id__gte=MANUFACTURING[0],
                                  industry_id__lte=MANUFACTURING[1], **prefix_range("county_id", region.path))
        .values_list("industry_id", flat=True).distinct().order_by()
    )  # fmt: skip
    return list(IndustryDivision.objects.filter(code__in=list(codes)).order_by("code").values_list("code", "name"))


def count_by_industry(measure: metrics.Measure, population: metrics.Population, within: str) -> dict:
    """{industry code (None: not recorded): (met, population)} over the region subtree `within`, with the metric's
    own condition (monitoring.metrics), so the rows add up to the dashboard's figure for the region."""
    rows = (
        Enterprise.objects.filter(population.q(), **prefix_range("county_id", within))
        .values("industry_id")
        .annotate(total=Count("pk"), met=Count("pk", filter=metrics.met_condition(measure)))
        .order_by()
    )
    return {row["industry_id"]: (row["met"], row["total"]) for row in rows}


def _compute_by_industry(round_: StatisticsRound, region: Region) -> dict:
    """One row per manufacturing division present in the region, then the other industries if there are any, then
    the region's total — the dashboard's figure for the region."""
    industries = industries_present(region)
    codes = {code for code, _name in industries}
    columns = columns_of(round_)
    others_exist = Enterprise.objects.filter(removed_at__isnull=True, **prefix_range("county_id", region.path)).exclude(
        industry_id__in=codes
    ).exists()  # fmt: skip
    table = [[f"{code} {name}"] for code, name in industries]
    other_row, total_row = [_("其他行业")], [_("合计")]
    for column in columns:
        measure, population = _measure(column, round_.year)
        by_industry = count_by_industry(measure, population, region.path)
        for row, (code, _name) in zip(table, industries, strict=True):
            row.append(_cell(column, *by_industry.get(code, (0, 0))))
        other = [sum(v[i] for k, v in by_industry.items() if k not in codes) for i in (0, 1)]
        other_row.append(_cell(column, *other))
        total_row.append(_cell(column, *metrics.total_under(metrics.count_by_region(measure, population, region.path),
                                                            region.path)))  # fmt: skip
    rows = [*table, *([other_row] if others_exist else []), total_row]
    return {"columns": [c.title for c in columns], "rows": rows, "rows_kind": INDUSTRIES}


@transaction.atomic
def round_open(*, actor, region: Region, name: str, template: str, period: str, year: int, due_on: dt.date):
    """Open a round for a region, freezing the template's definition, and create a filing for every city and
    county under it."""
    if not governs(actor, region):
        raise PermissionDenied(_("只有主管该地区的部门可以发起统计报送"))
    frozen = definition_of(template, region)
    round_ = StatisticsRound.objects.create(name=name, region=region, template=template, definition=frozen,
                                            period=period, year=year, due_on=due_on, created_by=actor)  # fmt: skip
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
