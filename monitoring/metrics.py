"""What a target can measure, counted in SQL per region code: never by loading enterprises into Python.

A metric is either about enterprises (a population — region subtree, above-scale, size, industry, label, cluster,
chain — and the part of it that meets a condition: at a level, at a tier, assessed this year …), counted as a
number or as a share of the population; or about the programme's resources in a region (providers listed,
commissioners active, matching events held), counted as a number. `count_by_region` returns, for one metric,
population and year, {region code: (met, population)} — enterprises by county; providers, commissioners and
events by the region they are registered in — and targets add up the codes under their region."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role
from assessments.models import Assessment, AssessmentResult
from assessments.tiers import recognised_at_or_above
from catalog.models import MatchMeeting, Need, Provider
from enterprises.models import ChainMembership, ClusterMembership, Enterprise, EnterpriseLabel
from reports.models import DiagnosisReport

LEVEL, TIER, ASSESSED, REPORTED, MATCHED = "level", "tier", "assessed", "reported", "matched"
PROVIDERS, COMMISSIONERS, EVENTS, DRILLS = "providers", "commissioners", "events", "drills"

ENTERPRISE_METRICS = {
    LEVEL: _("达到成熟度等级的企业"),
    TIER: _("获认定智能工厂梯度等级的企业"),
    ASSESSED: _("本年度完成评估的企业"),
    REPORTED: _("本年度获出具诊断报告的企业"),
    MATCHED: _("本年度需求获对接的企业"),
}
RESOURCE_METRICS = {
    PROVIDERS: _("入库服务商"),
    COMMISSIONERS: _("在岗数字专员"),
    EVENTS: _("举办的供需对接活动"),
    DRILLS: _("完成的数据安全应急演练"),
}
METRICS = {**ENTERPRISE_METRICS, **RESOURCE_METRICS}
# Figures of one year that start again from nothing every 1 January; the others are standings that carry over.
PERIOD_METRICS = {ASSESSED, REPORTED, MATCHED, EVENTS, DRILLS}

# Which kinds of result a figure may rest on: a self-assessment counts only where self-assessments are accepted.
BASIS_KINDS = {
    Assessment.Kind.SELF: [Assessment.Kind.SELF, Assessment.Kind.DIAGNOSIS, Assessment.Kind.VERIFIED],
    Assessment.Kind.DIAGNOSIS: [Assessment.Kind.DIAGNOSIS, Assessment.Kind.VERIFIED],
    Assessment.Kind.VERIFIED: [Assessment.Kind.VERIFIED],
}
BASIS_LABELS = {
    Assessment.Kind.SELF: _("含企业自评估"),
    Assessment.Kind.DIAGNOSIS: _("专员诊断及以上"),
    Assessment.Kind.VERIFIED: _("仅核验评估"),
}


@dataclass(frozen=True)
class Population:
    """Which enterprises a target speaks of, besides its region. Empty fields do not filter."""

    above_scale: bool | None = None
    size_class: str = ""
    industry: str = ""  # a GB/T 4754 division code
    label: str = ""
    cluster: int | None = None
    chain: int | None = None

    def q(self) -> Q:
        q = Q(removed_at__isnull=True)
        if self.above_scale is not None:
            q &= Q(is_above_scale=self.above_scale)
        if self.size_class:
            q &= Q(size_class=self.size_class)
        if self.industry:
            q &= Q(industry_id=self.industry)
        if self.label:
            q &= Q(Exists(EnterpriseLabel.objects.filter(enterprise=OuterRef("pk"), label_id=self.label)))
        if self.cluster:
            q &= Q(Exists(ClusterMembership.objects.filter(enterprise=OuterRef("pk"), cluster_id=self.cluster)))
        if self.chain:
            q &= Q(Exists(ChainMembership.objects.filter(enterprise=OuterRef("pk"), chain_id=self.chain)))
        return q


@dataclass(frozen=True)
class Measure:
    """One metric with its parameters: what is counted, in which year, on which basis."""

    metric: str
    year: int
    model_code: str = ""
    level: int | None = None
    tier: str = ""
    basis: str = Assessment.Kind.SELF

    @property
    def about_enterprises(self) -> bool:
        return self.metric in ENTERPRISE_METRICS

    def year_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        return dt.datetime(self.year, 1, 1, tzinfo=tz), dt.datetime(self.year + 1, 1, 1, tzinfo=tz)


def met_condition(measure: Measure, as_of: dt.datetime | None = None):
    """The condition, on an Enterprise queryset, for an enterprise of the population to count. `as_of` bounds the
    results read (a past year's figure reads what was submitted before that year ended)."""
    start, end = measure.year_bounds()
    end = min(end, as_of) if as_of else end
    kinds = BASIS_KINDS[measure.basis]
    if measure.metric == LEVEL:
        # The enterprise's standing is its latest submitted result on that model among the kinds the basis accepts.
        latest = AssessmentResult.objects.filter(
            is_current=True,
            assessment__enterprise=OuterRef("pk"),
            assessment__model_code=measure.model_code,
            assessment__status=Assessment.Status.SUBMITTED,
            assessment__kind__in=kinds,
            assessment__submitted_at__lt=end,
        ).order_by("-assessment__submitted_at", "-assessment_id")
        return GreaterThanOrEqual(Subquery(latest.values("level")[:1]), measure.level)
    if measure.metric == TIER:
        return recognised_at_or_above(measure.tier)
    if measure.metric == ASSESSED:
        done = Assessment.objects.filter(
            enterprise=OuterRef("pk"),
            status=Assessment.Status.SUBMITTED,
            kind=measure.basis,  # "self-assessed this year" counts self-assessments; "diagnosed" diagnoses
            submitted_at__gte=start,
            submitted_at__lt=end,
        )
        if measure.model_code:
            done = done.filter(model_code=measure.model_code)
        return Exists(done)
    if measure.metric == REPORTED:
        return Exists(
            DiagnosisReport.objects.filter(
                enterprise=OuterRef("pk"),
                series=DiagnosisReport.Series.OFFICIAL,
                issued_at__gte=start,
                issued_at__lt=end,
            )
        )
    if measure.metric == MATCHED:
        return Exists(
            Need.objects.filter(
                enterprise=OuterRef("pk"),
                created_at__gte=start,
                created_at__lt=end,
                status__in=[Need.Status.SHORTLISTED, Need.Status.CONTRACTED],
            )
        )
    raise ValueError(f"not an enterprise metric: {measure.metric}")


def enterprises(measure: Measure, population: Population, region_path: str, *, met: bool | None = True):
    """The enterprises behind a figure (met=True), the rest of its population (False) or all of it (None), as an
    unscoped queryset: the caller narrows it to what the user may see."""
    from regions.models import prefix_range

    queryset = Enterprise.objects.filter(population.q(), **prefix_range("county_id", region_path))
    if met is None:
        return queryset
    condition = met_condition(measure)
    return queryset.filter(condition) if met else queryset.exclude(condition)


def count_by_region(measure: Measure, population: Population, within: str) -> dict[str, tuple[int, int]]:
    """{region code: (met, population)} for the region subtree `within` (a path). For resource metrics the
    population is the count itself."""
    from regions.models import prefix_range

    if measure.about_enterprises:
        rows = (
            Enterprise.objects.filter(population.q(), **prefix_range("county_id", within))
            .values("county_id")
            .annotate(total=Count("pk"), met=Count("pk", filter=met_condition(measure)))
            .order_by()
        )
        return {row["county_id"]: (row["met"], row["total"]) for row in rows}
    return {code: (n, n) for code, n in _resource_counts(measure, within)}


def _resource_counts(measure: Measure, within: str) -> Iterable[tuple[str, int]]:
    from regions.models import prefix_range

    start, end = measure.year_bounds()
    if measure.metric == PROVIDERS:
        listed = [Provider.Status.PUBLISHED, Provider.Status.WARNED]  # a warned provider is still in the pool
        rows = Provider.objects.filter(status__in=listed, **prefix_range("region_id", within))
    elif measure.metric == COMMISSIONERS:
        rows = Membership.objects.filter(
            role=Role.COMMISSIONER, is_active=True, user__is_active=True, **prefix_range("region_id", within)
        )
    elif measure.metric == EVENTS:
        rows = MatchMeeting.objects.filter(
            status=MatchMeeting.Status.HELD,
            held_on__gte=start.date(),
            held_on__lt=end.date(),
            **prefix_range("region_id", within),
        )
    elif measure.metric == DRILLS:  # a drill counts where it was held: the enterprise's county or the office's region
        from datasecurity.models import Drill

        drills = Drill.objects.filter(
            status=Drill.Status.DONE, finished_at__gte=start, finished_at__lt=end, **prefix_range("region_code", within)
        )
        for row in drills.values("region_code").annotate(n=Count("pk")).order_by():
            yield row["region_code"], row["n"]
        return
    else:
        raise ValueError(f"not a resource metric: {measure.metric}")
    for row in rows.values("region_id").annotate(n=Count("pk")).order_by():
        yield row["region_id"], row["n"]


def total_under(counts: dict[str, tuple[int, int]], path: str) -> tuple[int, int]:
    """The (met, population) of a region: the sum over the codes in its subtree."""
    met = total = 0
    for code, (m, t) in counts.items():
        if code.startswith(path):
            met += m
            total += t
    return met, total
