"""The figures of the officers' dashboard for one region, summed from the tallies (`cube.rebuild`) — a few
thousand rows, never the enterprises one by one; the pools are counted live (they are small).

Rows are the regions directly below (cities of a province, counties of a city); a county's rows are its
industries, so every level has the same layout. Each figure carries what it rests on (the basis of the results
it reads), how many enterprises it covers, and leaves shares out for groups below the minimum size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Assessment, ModelVersion
from assessments.specs import parsed_spec
from assessments.tiers import TIERS
from catalog.models import MatchMeeting, Need, Provider, Solution
from enterprises.models import Chain, Cluster
from regions.models import IndustryDivision, Region, prefix_range

from . import gaps, metrics
from .models import Tally
from .progress import share


@dataclass
class Figure:
    """One chart and its table: `rows` are [label, *values]; shares are None where the group is too small."""

    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    kind: str = "stacked"  # how the chart draws it: stacked bars, grouped bars, or a heat map
    note: str = ""
    covers: int = 0  # enterprises the figure counts
    charted: tuple[int, ...] = ()  # the value columns the chart draws (1 = the first after the label); () = all
    text_columns: tuple[int, ...] = ()  # columns after the label that hold text (left-aligned in the table)

    @property
    def has_data(self) -> bool:
        return any(value for row in self.rows for value in row[1:])

    def as_chart(self) -> dict:
        columns = list(self.charted) or list(range(1, len(self.headers)))
        return {
            "key": self.key,
            "kind": self.kind,
            "categories": [str(row[0]) for row in self.rows],
            "series": [{"name": str(self.headers[c]), "data": [_plain(row[c]) for row in self.rows]} for c in columns],
        }


def _plain(value):
    """Numbers as JSON numbers (shares are Decimals); a withheld share stays null."""
    return None if value is None else float(value)


@dataclass(frozen=True)
class View:
    """Whose figures, over which enterprises: the region, the model and basis, the population, the year."""

    region: Region
    model_code: str = "cmmm"
    basis: str = Assessment.Kind.SELF
    above_scale_only: bool = True
    year: int = field(default_factory=lambda: timezone.localdate().year)
    min_group: int = 10

    @property
    def by_industry(self) -> bool:
        return self.region.is_leaf

    def row_key(self) -> str:
        return "industry_id" if self.by_industry else "county_id"

    def row_labels(self) -> list[tuple[str, str]]:
        """(key, label) per row, in order; rows are matched to keys by prefix (regions) or equality (industries)."""
        if self.by_industry:
            return list(IndustryDivision.objects.filter(code__gte="13", code__lte="43").values_list("code", "name"))
        children = Region.objects.filter(parent=self.region, is_active=True).order_by("code")
        return [(child.path, child.name) for child in children]


def _fold(view: View, grouped: dict[str, list[int]], width: int) -> list[tuple[str, list[int]]]:
    """Add up per-county counts into the view's rows (a city's counties into the city); keep rows with data."""
    rows = []
    for key, label in view.row_labels():
        total = [0] * width
        for code, values in grouped.items():
            if (code or "").startswith(key) if not view.by_industry else code == key:
                total = [a + b for a, b in zip(total, values, strict=True)]
        if any(total) or not view.by_industry:
            rows.append((label, total))
    return rows


def _tallies(
    view: View, measure: str, *, keys: tuple[str, ...], year: int = 0, grouping: str = "", **exact
) -> dict[tuple, int]:
    """{keys: n} of one measure over the view's region and population, summed from the tallies (the rows keyed by
    county and industry unless `grouping` says otherwise)."""
    tallies = Tally.objects.filter(
        grouping=grouping, measure=measure, year=year, **exact, **prefix_range("county_id", view.region.path)
    )
    if view.above_scale_only:
        tallies = tallies.filter(above_scale=True)
    rows = tallies.values(*keys).annotate(total=Sum("n")).order_by()
    return {tuple(row[k] for k in keys): row["total"] for row in rows}


def _population(view: View) -> dict[str, int]:
    return {key: n for (key,), n in _tallies(view, "population", keys=(view.row_key(),)).items()}


def _levels(view: View) -> list[tuple[int, str]]:
    # The parsed spec is kept per process (`parsed_spec`), so the 150 kB spec is not read for each figure.
    version = ModelVersion.objects.filter(code=view.model_code, is_current=True).defer("spec").first()
    if version is None:
        return [(0, _("未达一级"))]
    spec = parsed_spec(version)
    below = spec.below_level_name if "below_level_name" in spec.model_fields_set else _("未达一级")
    return [(0, below)] + [(lvl.number, lvl.name) for lvl in spec.levels]


def _level_counts(view: View, year: int, keys: tuple[str, ...]) -> dict[tuple, int]:
    return _tallies(view, "level", keys=keys, year=year, model_code=view.model_code, basis=view.basis)


def _first_header(view: View) -> str:
    return _("行业") if view.by_industry else _("地区")


def level_distribution(view: View) -> Figure:
    """Enterprises by the level of their latest result on the basis at the end of the year (this year: now)."""
    levels = _levels(view)
    column = {number: i + 1 for i, (number, _name) in enumerate(levels)}
    width = len(levels) + 1
    grouped: dict[str, list[int]] = {key: [n] + [0] * (width - 1) for key, n in _population(view).items()}
    for (key, level), n in _level_counts(view, view.year, (view.row_key(), "level")).items():
        counts = grouped.setdefault(key, [0] * width)
        counts[column.get(level, 0)] += n
        counts[0] -= n  # assessed: no longer among the unassessed
    folded = _fold(view, grouped, width)
    figure = Figure(
        key="levels", title=_("成熟度等级分布"), headers=[_first_header(view), _("未评估"), *[n for _l, n in levels]],
        note=str(metrics.BASIS_LABELS[view.basis]),
    )  # fmt: skip
    figure.rows = [[label, *counts] for label, counts in folded]
    figure.covers = sum(sum(counts) for _l, counts in folded)
    return figure


def tier_distribution(view: View) -> Figure:
    """Enterprises by their highest recognised tier, and the share of the population at 基础级 or above."""
    width = len(TIERS) + 1
    grouped: dict[str, list[int]] = {key: [n] + [0] * len(TIERS) for key, n in _population(view).items()}
    for (key, rank), n in _tallies(view, "tier", keys=(view.row_key(), "level")).items():
        grouped.setdefault(key, [0] * width)[rank] += n
    folded = _fold(view, grouped, width)
    figure = Figure(
        key="tiers", title=_("智能工厂梯度（按最高认定等级）"), kind="stacked", charted=(1, 2, 3, 4),
        headers=[_first_header(view), *TIERS.values(), _("基础级及以上占比（%）")],
        note=_("认定结果（企业档案中的梯度标签）"),
    )  # fmt: skip
    for label, (total, *highest) in folded:
        shown = share(sum(highest), total) if total >= view.min_group else None
        figure.rows.append([label, *highest, shown])
    figure.covers = sum(total for _l, (total, *_rest) in folded)
    return figure


def coverage(view: View) -> Figure:
    """This year's self-assessments, diagnoses and verified evaluations: enterprises and shares of the population."""
    kinds = [Assessment.Kind.SELF, Assessment.Kind.DIAGNOSIS, Assessment.Kind.VERIFIED]
    width = len(kinds) + 1
    grouped: dict[str, list[int]] = {key: [n] + [0] * len(kinds) for key, n in _population(view).items()}
    for (key, kind), n in _tallies(view, "assessed", keys=(view.row_key(), "basis"), year=view.year).items():
        if kind in kinds:
            grouped.setdefault(key, [0] * width)[kinds.index(kind) + 1] += n
    folded = _fold(view, grouped, width)
    names = [str(Assessment.Kind(k).label) for k in kinds]
    figure = Figure(
        key="coverage", title=_("%(year)s 年评估覆盖") % {"year": view.year}, kind="grouped", charted=(2, 3, 4),
        headers=[_first_header(view), _("企业数"), *names, *[_("%(kind)s覆盖率（%%）") % {"kind": n} for n in names]],
    )  # fmt: skip
    for label, (total, *counts) in folded:
        shares = [share(c, total) if total >= view.min_group else None for c in counts]
        figure.rows.append([label, total, *counts, *shares])
    figure.covers = sum(total for _l, (total, *_rest) in folded)
    return figure


def industry_heat(view: View, level: int = 2) -> Figure:
    """Share of each industry's enterprises at `level` or above, per row region: where the laggards are."""
    if view.by_industry:
        return Figure(key="heat", title=_("行业 × 地区"), headers=[], kind="heat")
    regions = view.row_labels()
    industries = dict(IndustryDivision.objects.filter(code__gte="13", code__lte="43").values_list("code", "name"))
    population = _tallies(view, "population", keys=("county_id", "industry_id"))
    levels = _level_counts(view, view.year, ("county_id", "industry_id", "level"))
    cells: dict[tuple[str, str], list[int]] = {}

    def region_of(code: str) -> str | None:
        return next((key for key, _label in regions if (code or "").startswith(key)), None)

    for (county, industry), n in population.items():
        if (key := region_of(county)) is not None and industry in industries:
            cells.setdefault((industry, key), [0, 0])[1] += n
    for (county, industry, lvl), n in levels.items():
        if lvl >= level and (key := region_of(county)) is not None and industry in industries:
            cells.setdefault((industry, key), [0, 0])[0] += n
    figure = Figure(
        key="heat", title=_("行业 × 地区：达到%(level)s级及以上的占比（%%）") % {"level": level}, kind="heat",
        headers=[_("行业"), *[label for _k, label in regions]], note=str(metrics.BASIS_LABELS[view.basis]),
    )  # fmt: skip
    for industry in sorted({industry for industry, _r in cells}):
        values = []
        for key, _label in regions:
            met, total = cells.get((industry, key), (0, 0))
            values.append(share(met, total) if total >= view.min_group else None)
        if any(value is not None for value in values):  # an industry with only small groups says nothing here
            figure.rows.append([industries[industry], *values])
    figure.covers = sum(total for _m, total in cells.values())
    return figure


def level_trend(view: View, years: int = 4) -> Figure:
    """Enterprises at each level at the end of each year (what had been submitted by then), for the whole region.
    The unassessed are counted against today's archive: an enterprise filed since is among a past year's too."""
    levels = _levels(view)
    figure = Figure(
        key="trend", title=_("历年成熟度等级"), kind="stacked",
        headers=[_("年度"), _("未评估"), *[name for _n, name in levels]], note=str(metrics.BASIS_LABELS[view.basis]),
    )  # fmt: skip
    column = {number: i + 1 for i, (number, _name) in enumerate(levels)}
    population = sum(_tallies(view, "population", keys=("measure",)).values())
    for year in range(view.year - years + 1, view.year + 1):
        counts = [population] + [0] * len(levels)
        for (lvl,), n in _level_counts(view, year, ("level",)).items():
            counts[column.get(lvl, 0)] += n
            counts[0] -= n
        figure.rows.append([str(year), *counts])
    figure.covers = population
    return figure


def pools(view: View) -> Figure:
    """The resource pools per row region: providers listed, solutions published, needs and how they ended, events."""
    if view.by_industry:
        return Figure(key="pools", title=_("资源池"), headers=[], kind="grouped")
    path = view.region.path
    listed = [Provider.Status.PUBLISHED, Provider.Status.WARNED]
    providers = dict(
        Provider.objects.filter(status__in=listed, **prefix_range("region_id", path))
        .values_list("region_id").annotate(n=Count("pk")).order_by()
    )  # fmt: skip
    solutions = dict(
        Solution.objects.filter(status=Solution.Status.PUBLISHED, **prefix_range("provider__region_id", path))
        .values_list("provider__region_id").annotate(n=Count("pk")).order_by()
    )  # fmt: skip
    # Grouped over every need and kept by code here: filtered on the enterprise's county, the database drives from
    # the enterprises (an index on county) and probes for needs — 300,000 enterprises read for a few thousand needs.
    needs = {
        (r["enterprise__county_id"], r["status"]): r["n"]
        for r in Need.objects.values("enterprise__county_id", "status").annotate(n=Count("pk")).order_by()
        if (r["enterprise__county_id"] or "").startswith(path)
    }  # fmt: skip
    start, end = dt.date(view.year, 1, 1), dt.date(view.year + 1, 1, 1)
    events = dict(
        MatchMeeting.objects.filter(status=MatchMeeting.Status.HELD, held_on__gte=start, held_on__lt=end,
                                    **prefix_range("region_id", path))
        .values_list("region_id").annotate(n=Count("pk")).order_by()
    )  # fmt: skip
    answered = {Need.Status.SHORTLISTED, Need.Status.CONTRACTED}
    figure = Figure(
        key="pools", title=_("资源池与供需对接"), kind="grouped",
        headers=[_("地区"), _("入库服务商"), _("已发布解决方案"), _("企业需求"), _("已对接需求"),
                 _("%(year)s 年对接活动") % {"year": view.year}],
    )  # fmt: skip

    def under(counts: dict, key: str) -> int:
        return sum(n for code, n in counts.items() if (code or "").startswith(key))

    for key, label in view.row_labels():
        all_needs = sum(n for (code, _s), n in needs.items() if (code or "").startswith(key))
        done = sum(n for (code, s), n in needs.items() if (code or "").startswith(key) and s in answered)
        figure.rows.append([label, under(providers, key), under(solutions, key), all_needs, done, under(events, key)])
    return figure


def _groupings_on_path(model, region: Region):
    """The clusters or chains an officer of `region` sees (as `visible_to` does): those of the region and below,
    and those of the regions above it (a provincial cluster spans the county). Another county's are never shown,
    even where some of its members sit in this region."""
    path = region.path
    above = [code for code in (path[:2] + "0000", path[:4] + "00") if len(path) > 2 and not code.startswith(path)]
    return model.objects.filter(Q(**prefix_range("region_id", path)) | Q(region_id__in=above))


def clusters_and_chains(view: View) -> Figure:
    """Per industrial cluster and industry chain: its members in the view's region and population, by level (the
    view's model and basis, at the end of the year) and by highest tier; shares only for groups of `min_group`."""
    levels = _levels(view)
    column = {number: i for i, (number, _name) in enumerate(levels)}
    figure = Figure(
        key="groups", title=_("产业集群与产业链"), kind="stacked", charted=tuple(range(2, len(levels) + 3)),
        headers=[_("集群/产业链"), _("企业数"), _("未评估"), *[name for _n, name in levels], *TIERS.values(),
                 _("二级及以上占比（%）"), _("基础级及以上占比（%）")],
        note=_("%(basis)s；只计本地区内的成员，一家企业可属多个集群或产业链") % {
            "basis": metrics.BASIS_LABELS[view.basis]},
    )  # fmt: skip
    for grouping, model, prefix in (
        (Tally.Grouping.CLUSTER, Cluster, _("集群")),
        (Tally.Grouping.CHAIN, Chain, _("链")),
    ):
        population = _tallies(view, "population", keys=("group_id",), grouping=grouping)
        at_level = _tallies(view, "level", keys=("group_id", "level"), year=view.year, grouping=grouping,
                            model_code=view.model_code, basis=view.basis)  # fmt: skip
        tiers = _tallies(view, "tier", keys=("group_id", "level"), grouping=grouping)
        names = dict(_groupings_on_path(model, view.region).filter(pk__in=[g for (g,) in population])
                     .values_list("pk", "name"))  # fmt: skip
        for pk, name in sorted(names.items(), key=lambda item: item[1]):
            total = population[(pk,)]
            counts = [0] * len(levels)
            for (group, level), n in at_level.items():
                if group == pk:
                    counts[column.get(level, 0)] += n
            highest = [tiers.get((pk, rank), 0) for rank in range(1, len(TIERS) + 1)]
            big = total >= view.min_group
            level2 = sum(n for (number, _l), n in zip(levels, counts, strict=True) if number >= 2)
            figure.rows.append([
                f"{prefix}·{name}", total, total - sum(counts), *counts, *highest,
                share(level2, total) if big else None, share(sum(highest), total) if big else None,
            ])  # fmt: skip
            figure.covers += total
    return figure


def _with_next_level(view: View, measure: str = "level") -> int:
    """The enterprises of the view's region and population whose latest result (current year) is below the top
    level: those a next level, so a gap, exists for (`measure` "item_scored": only those whose result holds item
    scores)."""
    top = max((number for number, _name in _levels(view)), default=0)
    standing = _tallies(view, measure, keys=("level",), year=timezone.localdate().year, model_code=view.model_code,
                        basis=view.basis)  # fmt: skip
    return sum(n for (level,), n in standing.items() if level < top)


def top_gaps(view: View) -> Figure:
    """Which domains and sub-domains hold most enterprises below their next level: per node of the view's model,
    the enterprises of the view's region and population whose latest result on the basis scores it below the mark
    of their next level (the rule: `monitoring.gaps`), most first. The current standing whatever the view's year:
    the gaps are tallied for the current year only."""
    this_year = timezone.localdate().year
    names = gaps.node_names(view.model_code)
    below = _tallies(view, "gap", keys=("node_code", "level"), year=this_year, model_code=view.model_code,
                     basis=view.basis)  # fmt: skip
    with_next = _with_next_level(view)
    figure = Figure(
        key="gaps", title=_("短板分布：低于下一等级要求的企业"), kind="grouped", charted=(1,),
        headers=[_("能力域/子域"), _("低于下一等级要求的企业数"), _("占未达最高级已评估企业（%）")],
        note=_("%(basis)s；按当前最新结果：某域（或子域）得分低于企业下一等级的要求即计为短板（CMMM：该域下一级及以下"
               "条目达到通过线时应有的得分；分数段模型：下一级分数下限占满分的比例）；已达最高级的企业不计") % {
            "basis": metrics.BASIS_LABELS[view.basis]},
    )  # fmt: skip
    rows = []
    for (code, _depth), n in below.items():
        label = names.get(code, (code, 0))[0]
        rows.append([label, n, share(n, with_next) if with_next >= view.min_group else None])
    rows.sort(key=lambda row: (-row[1], row[0]))
    figure.rows = rows
    figure.covers = with_next
    return figure


TOP_ITEMS = 20


def top_gap_items(view: View) -> Figure:
    """Which items (条款) hold most enterprises below their next level: the `TOP_ITEMS` items of the view's model with
    the most enterprises of the view's region and population whose latest result on the basis scores the item below
    what their next level asks (the item rule: `monitoring.gaps`), most first, each with the domain it sits in. Like
    `top_gaps`, the current standing whatever the view's year."""
    names = gaps.item_names(view.model_code)
    order = {code: i for i, code in enumerate(names)}
    below = _tallies(view, "item_gap", keys=("node_code",), year=timezone.localdate().year,
                     model_code=view.model_code, basis=view.basis)  # fmt: skip
    with_next = _with_next_level(view, "item_scored")
    figure = Figure(
        key="gap_items", title=_("短板条款：低于下一等级要求的企业最多的条款"), kind="grouped", charted=(3,),
        text_columns=(1, 2),
        headers=[_("条款"), _("条款编号"), _("所属能力域/子域"), _("低于下一等级要求的企业数"),
                 _("占未达最高级已评估企业（%）")],
        note=_("%(basis)s；按当前最新结果：条款得分率低于企业下一等级的要求即计为短板（CMMM：下一级及以下各级的条款"
               "低于该级通过线；分数段模型：低于下一级分数下限占满分的比例）；不适用的条款不计；已达最高级的企业不计；"
               "列出前 %(n)s 个条款") % {"basis": metrics.BASIS_LABELS[view.basis], "n": TOP_ITEMS},
    )  # fmt: skip
    if unscored := _with_next_level(view) - with_next:
        figure.note += _("；另有 %(n)s 家企业的最新结果来自批量导入，未保存条款得分，不在其中") % {"n": unscored}
    ranked = sorted(below.items(), key=lambda pair: (-pair[1], order.get(pair[0][0], len(order)), pair[0][0]))
    for (code,), n in ranked[:TOP_ITEMS]:
        name, domain = names.get(code, (code, ""))
        figure.rows.append([name, code, domain, n, share(n, with_next) if with_next >= view.min_group else None])
    figure.covers = with_next
    return figure


def funding(view: View) -> Figure:
    """Funding per row region in the view's year, from the ledger (incentives): committed and disbursed (万元),
    grants approved, and the re-assessed grants with their mean level change. By industry for a county."""
    from incentives.ledger import COMMITTED, DISBURSED, signed_sum
    from incentives.models import FundingApplication, LedgerEntry

    path, key = view.region.path, ("enterprise__industry_id" if view.by_industry else "county_id")
    entries = LedgerEntry.objects.filter(year=view.year, **prefix_range("county_id", path))
    money = {row[key]: row for row in entries.values(key).annotate(c=signed_sum(COMMITTED), d=signed_sum(DISBURSED))
             .order_by()}  # fmt: skip
    grants = FundingApplication.objects.filter(status__in=["approved", "completed"], budget__year=view.year)
    if view.by_industry:  # one county's enterprises
        grants, group = grants.filter(**prefix_range("enterprise__county_id", path)), "enterprise__industry_id"
    else:  # by county: grouped over the year's grants and kept by code (see `pools`: no drive from the enterprises)
        group = "enterprise__county_id"
    counts = {row[group]: row for row in grants.values(group).annotate(n=Count("pk")).order_by()}
    measured = {row[group]: row for row in grants.exclude(level_delta=None).values(group)
                .annotate(n=Count("pk"), mean=Avg("level_delta")).order_by()}  # fmt: skip
    figure = Figure(
        key="funding", title=_("扶持资金（%(year)s 年）") % {"year": view.year}, kind="grouped", charted=(1, 2),
        headers=[_("地区") if not view.by_industry else _("行业"), _("已承诺（万元）"), _("已拨付（万元）"),
                 _("获批项目"), _("已复评项目"), _("复评平均等级变化")],
        note=_("按资金台账统计，含各级预算；复评变化为项目验收后企业复评等级减去批准时的等级。"),
    )  # fmt: skip

    def under(table: dict, prefix: str, field: str):
        match = (lambda code: code == prefix) if view.by_industry else (lambda code: (code or "").startswith(prefix))
        return [row[field] for code, row in table.items() if match(code)]

    for prefix, label in view.row_labels():
        committed = sum(under(money, prefix, "c"), Decimal(0))
        disbursed = sum(under(money, prefix, "d"), Decimal(0))
        approved = sum(under(counts, prefix, "n"))
        n = under(measured, prefix, "n")
        means = under(measured, prefix, "mean")
        mean = round(sum(m * k for m, k in zip(means, n, strict=True)) / sum(n), 2) if n else None
        if committed or approved:
            figure.rows.append([label, round(committed / 10_000, 2), round(disbursed / 10_000, 2), approved, sum(n),
                                mean])  # fmt: skip
    figure.covers = sum(row[3] for row in figure.rows)
    return figure
