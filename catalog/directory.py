"""The published directory of quality providers (优质服务商目录): selectors, its filter form, and the XLSX and PDF
renderings. The page and both exports read the same queryset, so an export is exactly the list on the screen.

Who sees and exports what:
- every signed-in user sees the directory: the listed providers (published and warned, warned ones flagged) of the
  whole country — they are public to signed-in users anyway (ProviderQuerySet.visible_to);
- an officer's directory defaults to the providers registered in their own region subtree (the ones their office
  reviews, publishes and evaluates, so it is the list that office issues); they may switch to the nationwide view;
- the platform admin sees and exports everything (nationwide by default, or any region through the filters);
- every other role (enterprise, provider, commissioner, expert) sees and exports the nationwide view only: there is
  no region an enterprise or a provider issues a directory for, and asking for one is ignored.
Filters (region served, type, grade, industry, text) apply on top, in the page and the exports alike."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from django import forms
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import scope_of
from core import pdf
from core.exports import SheetOut, write_workbook
from regions.models import Region

from .forms import ProviderFilterForm
from .models import Case, Provider, ProviderType, Solution

REGION, NATIONWIDE = "region", "all"
UNRATED = "未评价"


class DirectoryFilterForm(ProviderFilterForm):
    """The provider list's filters without the status (the directory is the listed providers only), plus, for
    officers, whether the directory is their region's or the nationwide one."""

    scope = forms.ChoiceField(
        label=gettext_lazy("范围"),
        required=False,
        choices=[(REGION, gettext_lazy("本地区注册的服务商")), (NATIONWIDE, gettext_lazy("全国"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields.pop("status", None)
        self.show_status = False
        self.user_scope = scope_of(user)
        if not self.user_scope.is_regional_officer:
            del self.fields["scope"]
        self.style()

    def chosen_scope(self) -> str:
        if "scope" not in self.fields:
            return NATIONWIDE
        return getattr(self, "cleaned_data", {}).get("scope") or REGION

    def described_filters(self) -> list[str]:
        """The filters in words, for the PDF cover and the XLSX notes."""
        data = getattr(self, "cleaned_data", {})
        out = []
        for name in ("q", "type", "industry", "region", "grade"):
            value = data.get(name)
            if not value:
                continue
            choices = dict(self.fields[name].choices) if hasattr(self.fields[name], "choices") else {}
            out.append(f"{self.fields[name].label}：{choices.get(value, value)}")
        return out


@functools.cache
def _scorecard():
    from .evaluation import scorecard

    return scorecard()


def grade_order() -> list[str]:
    """Grades best first as the scorecard names them (A 级 … D 级, 未达 D 级)."""
    spec = _scorecard()
    return [level.name for level in sorted(spec.levels, key=lambda lv: -lv.number)] + [spec.below_level_name]


def scorecard_is_provisional() -> bool:
    return _scorecard().status == "provisional"


def directory_queryset(user, form: DirectoryFilterForm):
    """The listed providers in the user's directory scope, filtered, best score first, with the two counts."""
    valid = not form.is_bound or form.is_valid()  # validate first: the scope is read from the cleaned data
    qs = (Provider.objects.managed_by(user) if form.chosen_scope() == REGION else Provider.objects.all()).listed()
    if not valid:
        return qs.none()
    # Unrated providers last on every database (PostgreSQL sorts NULL first in a descending order).
    qs = form.apply(qs).order_by(F("score").desc(nulls_last=True), "name", "id")
    # Counted in subqueries: two joined Counts would multiply each other's rows.
    solutions = (
        Solution.objects.filter(provider=OuterRef("pk"), status=Solution.Status.PUBLISHED)
        .order_by()
        .values("provider")
        .annotate(n=Count("pk"))
        .values("n")
    )
    cases = (
        Case.objects.filter(provider=OuterRef("pk"), verified=True)
        .order_by()
        .values("provider")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.select_related("region").annotate(
        published_solutions=Coalesce(Subquery(solutions, output_field=IntegerField()), Value(0)),
        verified_cases=Coalesce(Subquery(cases, output_field=IntegerField()), Value(0)),
    )


@dataclass
class Entry:
    """One provider as the directory shows it."""

    pk: int
    name: str
    credit_code: str
    grade: str
    score: float | None
    warned: bool
    status_label: str
    status_reason: str
    types: list[str]
    regions_served: list[str]  # names; empty = nationwide
    registered_in: str
    published_solutions: int
    verified_cases: int
    is_synthetic: bool

    @property
    def regions_text(self) -> str:
        return "、".join(self.regions_served) or _("全国")


def entries(providers) -> list[Entry]:
    providers = list(providers)
    codes = {code for p in providers for code in p.regions_served}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    type_labels = dict(ProviderType.choices)
    return [
        Entry(
            pk=p.pk,
            name=p.name,
            credit_code=p.credit_code,
            grade=p.grade or UNRATED,
            score=p.score,
            warned=p.status == Provider.Status.WARNED,
            status_label=str(p.get_status_display()),
            status_reason=p.status_reason,
            types=[str(type_labels.get(t, t)) for t in p.types],
            regions_served=[names.get(c, c) for c in p.regions_served],
            registered_in=p.region.full_name,
            published_solutions=p.published_solutions,
            verified_cases=p.verified_cases,
            is_synthetic=p.is_synthetic,
        )
        for p in providers
    ]


@dataclass
class Directory:
    """The directory as issued: by whom, when, under which filters, grouped by grade (best first)."""

    issuer: str
    issued_on: dt.date
    filters: list[str]
    provisional: bool
    scorecard: str
    entries: list[Entry]
    groups: list[tuple[str, list[Entry]]] = field(default_factory=list)
    synthetic: bool = False

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def warned_count(self) -> int:
        return sum(e.warned for e in self.entries)


def issuer_of(user, form: DirectoryFilterForm) -> str:
    if form.chosen_scope() != REGION:
        return _("全国")
    names = Region.objects.filter(path__in=scope_of(user).officer_paths).order_by("code")
    return "、".join(names.values_list("full_name", flat=True)) or _("本地区")


def build(user, form: DirectoryFilterForm) -> Directory:
    rows = entries(directory_queryset(user, form))
    order = {grade: i for i, grade in enumerate(grade_order())}
    groups: dict[str, list[Entry]] = {}
    for entry in sorted(rows, key=lambda e: (order.get(e.grade, len(order)), e.grade == UNRATED, e.grade)):
        groups.setdefault(entry.grade, []).append(entry)
    spec = _scorecard()
    return Directory(
        issuer=issuer_of(user, form),
        issued_on=timezone.localdate(),
        filters=form.described_filters(),
        provisional=scorecard_is_provisional(),
        scorecard=f"{spec.name}（{spec.version}）",
        entries=rows,
        groups=list(groups.items()),
        synthetic=any(e.is_synthetic for e in rows),
    )


# Exports -----------------------------------------------------------------------------------------------------------


def xlsx_headers() -> list[str]:
    return [
        _("序号"),
        _("服务商名称"),
        _("统一社会信用代码"),
        _("评价等级"),
        _("评价得分"),
        _("状态"),
        _("警示说明"),
        _("服务类型"),
        _("服务区域"),
        _("注册地"),
        _("已发布解决方案数"),
        _("已核实案例数"),
        _("合成演示数据"),
    ]


def write_xlsx(handle, directory: Directory) -> None:
    """The list on the first sheet, the issuing notes on the second; every cell through core.exports' `neutralise`,
    so a provider named "=HYPERLINK(...)" stays text."""
    rows = (
        [
            i,
            e.name,
            e.credit_code,
            e.grade,
            round(e.score, 1) if e.score is not None else None,
            e.status_label,
            e.status_reason if e.warned else "",
            "、".join(e.types),
            e.regions_text,
            e.registered_in,
            e.published_solutions,
            e.verified_cases,
            _("是") if e.is_synthetic else _("否"),
        ]
        for i, e in enumerate(directory.entries, start=1)
    )
    write_workbook(
        handle,
        [
            SheetOut(_("优质服务商目录"), xlsx_headers(), rows),
            SheetOut(_("说明"), [], [list(pair) for pair in notes_rows(directory)]),
        ],
    )


def notes_rows(directory: Directory) -> list[tuple[str, str]]:
    rows = [
        (_("发布范围"), directory.issuer),
        (_("导出日期"), directory.issued_on.isoformat()),
        (_("服务商数量"), str(directory.count)),
        (_("评分表"), directory.scorecard),
        (_("筛选条件"), "；".join(directory.filters) or _("无")),
    ]
    if directory.provisional:
        rows.append((_("说明"), provisional_note()))
    if directory.synthetic:
        rows.append((_("演示数据"), _("目录中含合成演示数据，不代表任何真实企业。")))
    return rows


def provisional_note() -> str:
    return _("评价等级依据平台默认评分表得出，评分表及等级线为暂定，尚未经省级主管部门发布的正式评分表替换。")


def render_pdf(directory: Directory) -> bytes:
    html = render_to_string("catalog/directory_pdf.html", {"d": directory, "provisional_note": provisional_note()})
    return pdf.render_pdf(html)


def filename(ext: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d")
    return f'attachment; filename="provider-directory-{stamp}.{ext}"'
